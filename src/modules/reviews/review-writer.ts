/**
 * The one way a review is stored: keyed by its source's id, so a replayed event, a retried
 * request or an import run twice finds the review already there and adds nothing. The status is
 * decided here from the flags and the store's threshold. A new review of a known customer records
 * `review.submitted` (with its number of photos) in the same transaction, unless it is history: an import from another review
 * app, or reviews built from events loaded in bulk (`record: false`).
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/database.js';
import { newId } from '../../lib/ids.js';
import { recordEvents } from '../domain-events/index.js';
import { flagsOf, initialStatus } from './review-moderation.js';
import { insertPhotos, type StagedPhoto } from './review-photos.js';
import type { ReviewsDb, ReviewsTx, ReviewSettingsTable, ReviewSource, ReviewTable } from './reviews.table.js';
import { shownName } from './reviews.views.js';

export interface ReviewCandidate {
  externalId: string;
  source: ReviewSource;
  productId: string;
  productTitle: string | null;
  customerId: number | null;
  orderId: string | null;
  /** The name to show; default: the customer's first name and last initial. */
  authorName: string | null;
  authorEmail: string | null;
  rating: number;
  title: string | null;
  body: string;
  /** True for a signed link or an import that says so; otherwise found from the order. */
  verified: boolean | null;
  reviewedAt: Date;
  /** An import keeps the source's moderation: published or not. */
  status?: ReviewTable['status'];
  /** Photos whose files are written: stored with a new review; a review already there keeps its own (the caller discards these). */
  photos?: readonly StagedPhoto[];
}

export const DEFAULT_SETTINGS: Omit<ReviewSettingsTable, 'store_id' | 'updated_at'> = {
  auto_publish_min_rating: 1, delivery_delay_days: 7, fulfilled_delay_days: 14, max_requests_per_30_days: 2, reminder_days: 7, max_reminders: 1,
  home_countries: '[]', international_delay_days: null, international_fulfilled_delay_days: null, request_mode: 'order',
};

export async function loadSettings(db: ReviewsDb | ReviewsTx, storeId: string): Promise<ReviewSettingsTable> {
  const row = await db.selectFrom('review_settings').selectAll().where('store_id', '=', storeId).executeTakeFirst();
  const settings = row ?? { store_id: storeId, ...DEFAULT_SETTINGS, updated_at: new Date(0) };
  return {
    ...settings, auto_publish_min_rating: settings.auto_publish_min_rating === null ? null : Number(settings.auto_publish_min_rating),
    delivery_delay_days: Number(settings.delivery_delay_days), fulfilled_delay_days: Number(settings.fulfilled_delay_days),
    max_requests_per_30_days: Number(settings.max_requests_per_30_days), reminder_days: Number(settings.reminder_days), max_reminders: Number(settings.max_reminders),
    home_countries: settings.home_countries ?? '[]', request_mode: settings.request_mode ?? 'order',
    international_delay_days: settings.international_delay_days === null ? null : Number(settings.international_delay_days),
    international_fulfilled_delay_days: settings.international_fulfilled_delay_days === null ? null : Number(settings.international_fulfilled_delay_days),
  };
}

export async function reviewByExternalId(db: ReviewsDb | ReviewsTx, storeId: string, externalId: string): Promise<ReviewTable | undefined> {
  return db.selectFrom('reviews').selectAll().where('store_id', '=', storeId).where('external_id', '=', externalId).executeTakeFirst();
}

/** Whether the order is the customer's and holds the product: the review is a buyer's. */
async function boughtIt(tx: ReviewsTx, storeId: string, customerId: number, orderId: string, productId: string): Promise<boolean> {
  const { rows } = await sql<{ one: number }>`select 1 as one from orders o
    join order_lines l on l.store_id = o.store_id and l.order_id = o.id
    join products p on p.store_id = l.store_id and p.id = l.product_id
    where o.store_id = ${storeId} and o.customer_id = ${customerId} and o.external_id = ${orderId} and p.external_id = ${productId} limit 1`.execute(tx);
  return rows.length > 0;
}

/** Sources whose new reviews are news (the others are imports of earlier reviews). */
const recordedSources: readonly ReviewSource[] = ['event', 'api', 'hosted'];

/** Stores the review unless its key is taken; answers the stored row and whether it was new. */
export async function writeReview(
  tx: ReviewsTx, storeId: string, candidate: ReviewCandidate, settings: ReviewSettingsTable, now: Date, options: { record?: boolean } = {},
): Promise<{ review: ReviewTable; created: boolean }> {
  const earlier = await reviewByExternalId(tx, storeId, candidate.externalId);
  if (earlier) return { review: earlier, created: false };
  let author = candidate.authorName;
  let email = candidate.authorEmail;
  if (candidate.customerId !== null && (!author || !email)) {
    const customer = await tx.selectFrom('customers').select(['first_name', 'last_name', 'email']).where('store_id', '=', storeId).where('id', '=', candidate.customerId).executeTakeFirst();
    author ??= shownName(customer?.first_name, customer?.last_name);
    email ??= customer?.email ?? null;
  }
  const verified = candidate.verified ?? (candidate.customerId !== null && candidate.orderId !== null
    && await boughtIt(tx, storeId, candidate.customerId, candidate.orderId, candidate.productId));
  const title = candidate.productTitle ?? (await tx.selectFrom('products').select('title').where('store_id', '=', storeId).where('external_id', '=', candidate.productId).executeTakeFirst())?.title ?? null;
  const flags = flagsOf(candidate.title, candidate.body);
  const row: ReviewTable = {
    store_id: storeId, id: newId('rev'), external_id: candidate.externalId, source: candidate.source, product_external_id: candidate.productId, product_title: title,
    customer_id: candidate.customerId, order_external_id: candidate.orderId, author_name: author ?? 'Customer', author_email: email, rating: candidate.rating,
    title: candidate.title, body: candidate.body, status: candidate.status ?? initialStatus(candidate.rating, flags, settings.auto_publish_min_rating),
    flags: JSON.stringify(flags), verified, reply: null, replied_at: null, reviewed_at: candidate.reviewedAt, created_at: now, updated_at: now,
  };
  await tx.insertInto('reviews').values(row).execute();
  await insertPhotos(tx, row.id, candidate.photos ?? [], now);
  if (row.customer_id !== null && options.record !== false && recordedSources.includes(row.source)) {
    await recordEvents(tx as unknown as Tx, [{
      storeId, type: 'review.submitted', entityId: null, customerId: row.customer_id,
      data: { review_id: row.id, product_id: row.product_external_id, rating: row.rating, source: row.source, status: row.status, verified: row.verified, order_external_id: row.order_external_id, photos: candidate.photos?.length ?? 0 },
    }], now);
  }
  return { review: row, created: true };
}
