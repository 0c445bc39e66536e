/** The reviews API's answers, as the dashboard reads them (docs/listen.md, "Reviews"). */
export type ReviewStatus = 'pending' | 'published' | 'rejected';

export interface Review {
  id: string;
  source: string;
  product_id: string;
  product_title: string | null;
  author_name: string;
  author_email: string | null;
  rating: number;
  title: string | null;
  body: string;
  status: ReviewStatus;
  flags: ('profanity' | 'link')[];
  verified: boolean;
  reply: string | null;
  reviewed_at: string;
}

export interface ReviewAnalytics {
  delivered_orders: number;
  reviewed_orders: number;
  review_rate: number | null;
  products: { product_id: string; product_title: string | null; reviews: number; average: number; months: { month: string; reviews: number; average: number }[] }[];
}
