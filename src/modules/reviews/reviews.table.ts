import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.js';

/** Published reviews are shown on the storefront; pending ones wait for a person; rejected ones are never shown. */
export const reviewStatuses = ['pending', 'published', 'rejected'] as const;
export type ReviewStatus = (typeof reviewStatuses)[number];

/** Where a review came from. */
export const reviewSources = ['event', 'api', 'hosted', 'judgeme', 'yotpo'] as const;
export type ReviewSource = (typeof reviewSources)[number];

/** Why a review was held for a person whatever its rating. */
export const reviewFlags = ['profanity', 'link'] as const;
export type ReviewFlag = (typeof reviewFlags)[number];

/** A request's life: scheduled, sent, opened (the page was seen), reviewed, or stopped with its reason. */
export const requestStatuses = ['scheduled', 'sent', 'opened', 'reviewed', 'stopped'] as const;
export type RequestStatus = (typeof requestStatuses)[number];

export interface ReviewTable {
  store_id: string;
  id: string;
  /** The source's id (`event:<review_id>`, `api:<review_id>`, `hosted:<order>:<product>`, `judgeme:<id>` …): unique per store. */
  external_id: string;
  source: ReviewSource;
  product_external_id: string;
  product_title: string | null;
  customer_id: number | null;
  order_external_id: string | null;
  /** As shown: first name and last initial, or the name the source gave. */
  author_name: string;
  author_email: string | null;
  rating: number;
  title: string | null;
  body: string;
  status: ReviewStatus;
  /** JSON list of ReviewFlag. */
  flags: string;
  /** Written through a signed request link, or from an order of the customer holding the product. */
  verified: boolean;
  reply: string | null;
  replied_at: Date | null;
  reviewed_at: Date;
  created_at: Date;
  updated_at: Date;
}

export const requestModes = ['order', 'per_product'] as const;
export type RequestMode = (typeof requestModes)[number];

export interface ReviewSettingsTable {
  store_id: string;
  /** Clean reviews rated at or above this are published at once; null: every review waits for a person. */
  auto_publish_min_rating: number | null;
  /** Days after delivery a request is sent. */
  delivery_delay_days: number;
  /** Days after fulfilment when no delivery date is known. */
  fulfilled_delay_days: number;
  /** JSON list of the store's home countries (as customers' `country` holds them: codes or names); an order is international when its customer's country is known and not one of these. */
  home_countries: string;
  /** Days after delivery for an international order; null: `delivery_delay_days`. */
  international_delay_days: number | null;
  /** Days after fulfilment for an international order with no delivery date; null: `fulfilled_delay_days`. */
  international_fulfilled_delay_days: number | null;
  /** `order`: one request for the order's products; `per_product`: one request (and email) per product. */
  request_mode: RequestMode;
  max_requests_per_30_days: number;
  /** Days between a request (or reminder) and the next reminder. */
  reminder_days: number;
  /** 0–3. */
  max_reminders: number;
  updated_at: Date;
}

export interface ReviewRequestTable {
  store_id: string;
  id: string;
  customer_id: number;
  order_external_id: string;
  /** JSON list of { id, title }. */
  products: string;
  status: RequestStatus;
  reason: string | null;
  /** When the request (or its next reminder) is due. */
  due_at: Date;
  sent_at: Date | null;
  opened_at: Date | null;
  reviewed_at: Date | null;
  reminders: number;
  created_at: Date;
  updated_at: Date;
}

export interface ReviewAskedProductTable {
  store_id: string;
  customer_id: number;
  product_external_id: string;
  request_id: string;
  asked_at: Date;
}

/** A photo sent with a review; its bytes are a file under the data directory (review-photos.ts). */
export interface ReviewPhotoTable {
  store_id: string;
  /** Random (`pho_` and 32 hex digits): it names the file and the public address, and cannot be guessed. */
  id: string;
  review_id: string;
  /** 0, 1, 2: the order the reviewer gave them. */
  position: number;
  /** Decided from the file's first bytes: image/jpeg, image/png or image/webp. */
  content_type: string;
  bytes: number;
  /** From the image's header; null when the header does not say. */
  width: number | null;
  height: number | null;
  /** Hex SHA-256 of the bytes: the same picture is not added to a review twice. */
  sha256: string;
  created_at: Date;
}

export type ReviewTables = {
  review_photos: ReviewPhotoTable;
  reviews: ReviewTable;
  review_settings: ReviewSettingsTable;
  review_requests: ReviewRequestTable;
  review_asked_products: ReviewAskedProductTable;
};

export type ReviewsDb = Kysely<Database & ReviewTables>;
export type ReviewsTx = Transaction<Database & ReviewTables>;

/** This module's tables added to its own view of the connection (the shared map needs no edit). */
export function reviewsDb(db: Kysely<Database>): ReviewsDb {
  return db.withTables<ReviewTables>();
}
