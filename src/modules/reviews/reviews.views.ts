/** What the reviews API answers: a review as the store sees it, and as the storefront sees it. */
import type { PhotoType } from './review-photos.js';
import type { ReviewFlag, ReviewPhotoTable, ReviewSource, ReviewStatus, ReviewTable } from './reviews.table.js';

/** A review's photo: `url` is its public address, answered once the review is published. */
export interface ReviewPhoto {
  id: string;
  url: string;
  content_type: PhotoType;
  bytes: number;
  width: number | null;
  height: number | null;
}

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
  photos: ReviewPhoto[];
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
  photos: ReviewPhoto[];
}

export interface RatingSummary {
  /** Mean of the published ratings, two decimals; null without any. */
  average: number | null;
  count: number;
  /** Published reviews per number of stars, 5 down to 1. */
  distribution: { stars: number; count: number }[];
}

/** A photo's public address under the server's public URL. */
export const photoUrl = (publicUrl: string, id: string) => `${publicUrl.replace(/\/$/, '')}/r/photos/${id}`;

export function photoView(row: ReviewPhotoTable, publicUrl: string): ReviewPhoto {
  return {
    id: row.id, url: photoUrl(publicUrl, row.id), content_type: row.content_type as PhotoType, bytes: Number(row.bytes),
    width: row.width === null ? null : Number(row.width), height: row.height === null ? null : Number(row.height),
  };
}

export function reviewView(row: ReviewTable, photos: readonly ReviewPhoto[] = []): ReviewView {
  return {
    id: row.id, external_id: row.external_id, source: row.source, product_id: row.product_external_id, product_title: row.product_title,
    customer_id: row.customer_id === null ? null : Number(row.customer_id), order_id: row.order_external_id, author_name: row.author_name,
    author_email: row.author_email, rating: Number(row.rating), title: row.title, body: row.body, status: row.status,
    flags: JSON.parse(row.flags) as ReviewFlag[], verified: row.verified, reply: row.reply, replied_at: row.replied_at,
    reviewed_at: row.reviewed_at, created_at: row.created_at, photos: [...photos],
  };
}

export function publicReview(row: ReviewTable, photos: readonly ReviewPhoto[] = []): PublicReview {
  return {
    id: row.id, rating: Number(row.rating), title: row.title, body: row.body, author_name: row.author_name, verified: row.verified,
    reviewed_at: row.reviewed_at, reply: row.reply === null ? null : { body: row.reply, replied_at: row.replied_at }, photos: [...photos],
  };
}

/** "Ada Lovelace" → "Ada L."; nothing known → "Customer". */
export function shownName(first: string | null | undefined, last: string | null | undefined): string {
  const given = first?.trim();
  const family = last?.trim();
  if (given) return family ? `${given} ${family[0]!.toUpperCase()}.` : given;
  return family ? `${family[0]!.toUpperCase()}.` : 'Customer';
}
