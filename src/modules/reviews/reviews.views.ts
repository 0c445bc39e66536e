/** What the reviews API answers: a review as the store sees it, and as the storefront sees it. */
import type { ReviewFlag, ReviewSource, ReviewStatus, ReviewTable } from './reviews.table.js';

export interface ReviewView {
  id: string;
  external_id: string;
  source: ReviewSource;
  product_id: string;
  product_title: string | null;
  customer_id: number | null;
  order_id: string | null;
  author_name: string;
  author_email: string | null;
  rating: number;
  title: string | null;
  body: string;
  status: ReviewStatus;
  flags: ReviewFlag[];
  verified: boolean;
  reply: string | null;
  replied_at: Date | null;
  reviewed_at: Date;
  created_at: Date;
}

/** A published review on the storefront: nothing that names the customer beyond the shown name. */
export interface PublicReview {
  id: string;
  rating: number;
  title: string | null;
  body: string;
  author_name: string;
  verified: boolean;
  reviewed_at: Date;
  reply: { body: string; replied_at: Date | null } | null;
}

export interface RatingSummary {
  /** Mean of the published ratings, two decimals; null without any. */
  average: number | null;
  count: number;
  /** Published reviews per number of stars, 5 down to 1. */
  distribution: { stars: number; count: number }[];
}

export function reviewView(row: ReviewTable): ReviewView {
  return {
    id: row.id, external_id: row.external_id, source: row.source, product_id: row.product_external_id, product_title: row.product_title,
    customer_id: row.customer_id === null ? null : Number(row.customer_id), order_id: row.order_external_id, author_name: row.author_name,
    author_email: row.author_email, rating: Number(row.rating), title: row.title, body: row.body, status: row.status,
    flags: JSON.parse(row.flags) as ReviewFlag[], verified: row.verified, reply: row.reply, replied_at: row.replied_at,
    reviewed_at: row.reviewed_at, created_at: row.created_at,
  };
}

export function publicReview(row: ReviewTable): PublicReview {
  return {
    id: row.id, rating: Number(row.rating), title: row.title, body: row.body, author_name: row.author_name, verified: row.verified,
    reviewed_at: row.reviewed_at, reply: row.reply === null ? null : { body: row.reply, replied_at: row.replied_at },
  };
}

/** "Ada Lovelace" → "Ada L."; nothing known → "Customer". */
export function shownName(first: string | null | undefined, last: string | null | undefined): string {
  const given = first?.trim();
  const family = last?.trim();
  if (given) return family ? `${given} ${family[0]!.toUpperCase()}.` : given;
  return family ? `${family[0]!.toUpperCase()}.` : 'Customer';
}
