/** The reviews API's answers, as the dashboard reads them (docs/listen.md, "Reviews"). */
export type ReviewStatus = 'pending' | 'published' | 'rejected';

/** A review's photo; the dashboard reads any at /api/v1/reviews/photos/{id}, whatever the review's status. */
export interface ReviewPhoto {
  id: string;
  url: string;
  content_type: string;
  bytes: number;
  width: number | null;
  height: number | null;
}

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
  photos: ReviewPhoto[];
}

export interface ReviewAnalytics {
  delivered_orders: number;
  reviewed_orders: number;
  review_rate: number | null;
  products: { product_id: string; product_title: string | null; reviews: number; average: number; months: { month: string; reviews: number; average: number }[] }[];
}

/** Ratings against returns and repeat purchases (GET /api/v1/reviews/outcomes). */
export type ReviewOutcomes = import('zod').input<typeof import('../../../src/http/schemas/reviews.schemas').reviewOutcomesSchema>;
export type OutcomeRate = ReviewOutcomes['store']['returns'];
