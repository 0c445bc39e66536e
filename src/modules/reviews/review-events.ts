/**
 * Reviews from tracked `Product Reviewed` events (Segment's ecommerce spec: product_id, review_id,
 * review_body, rating; Hearth also reads name, title and order_id). The event is stored by the
 * ingest pipeline; its `event.received` domain event brings it here. Keyed by the store's
 * review_id (the same key as the collection API), else by the event, so a replay adds nothing.
 */
import type { DomainEvent } from '../domain-events/index.js';
import type { ReviewCandidate } from './review-writer.js';
import { MAX_BODY, MAX_TITLE } from './review.input.js';
import type { ReviewsTx } from './reviews.table.js';

export const REVIEW_EVENT = 'Product Reviewed';

const idOf = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 255) : typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
const textOf = (value: unknown, max: number): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : null);

/** The review an event carries, or null when it has no product or no rating of 1–5 (the event stays an event). */
export async function reviewOfEvent(tx: ReviewsTx, event: DomainEvent): Promise<ReviewCandidate | null> {
  const data = event.data as DomainEvent<'event.received'>['data'];
  if (event.type !== 'event.received' || data.type !== 'track' || data.name !== REVIEW_EVENT || event.entityId === null) return null;
  const row = await tx.selectFrom('events').select(['id', 'properties', 'occurred_at', 'customer_id']).where('store_id', '=', event.storeId).where('id', '=', event.entityId).executeTakeFirst();
  return row ? reviewOfRow(row) : null;
}

/** The review a stored `Product Reviewed` event's row carries, or null. */
export function reviewOfRow(row: { id: number; properties: string; occurred_at: Date; customer_id: number | null }): ReviewCandidate | null {
  const properties = JSON.parse(row.properties || '{}') as Record<string, unknown>;
  const productId = idOf(properties.product_id);
  // Stars are whole: 4.5 out of 5 is kept as 5 (half up), 0 is no rating.
  const rating = Math.round(Number(properties.rating));
  if (!productId || !(rating >= 1 && rating <= 5)) return null;
  const reviewId = idOf(properties.review_id);
  return {
    externalId: reviewId ? `store:${reviewId}` : `event:${Number(row.id)}`, source: 'event', productId,
    productTitle: textOf(properties.name, 300), customerId: row.customer_id === null ? null : Number(row.customer_id), orderId: idOf(properties.order_id),
    authorName: null, authorEmail: null, rating, title: textOf(properties.title, MAX_TITLE), body: textOf(properties.review_body, MAX_BODY) ?? '',
    verified: null, reviewedAt: row.occurred_at,
  };
}
