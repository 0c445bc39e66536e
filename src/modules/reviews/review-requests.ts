/**
 * Review requests after delivery. A flow's `review_request` step (the ready "Review request" flow
 * starts one per delivered order) schedules the request for the order — or, with the store's
 * `request_mode` `per_product`, one request per product of the order: due the store's
 * `delivery_delay_days` after delivery (or its `fulfilled_delay_days` after fulfilment when no
 * delivery date is known), or the international delays when the order is international (its
 * customer's country is known and not one of the store's `home_countries`). When due, the request is sent — with a signed link to the hosted page,
 * valid 45 days — unless a rule stops it (the reason is kept):
 * - no address, a suppressed address or an unsubscribed customer: never mailed;
 * - every product already reviewed by the customer, or asked about in the last 12 months;
 * - the customer was asked about `max_requests_per_30_days` other orders in the last 30 days.
 * Reminders follow every `reminder_days`, at most `max_reminders` (≤ 3), only while nothing of the
 * request is reviewed. Statuses: scheduled, sent, opened (the page was seen), reviewed, stopped.
 * The request's id is made from the order, so a step or job run twice adds nothing; each email's
 * send key is the request and the reminder's number, so none is sent twice.
 */
import { sql } from 'kysely';
import { sha256 } from '../../lib/ids.js';
import { escapeHtml, htmlToText } from '../messaging/index.js';
import type { ReviewsDb, ReviewRequestTable, ReviewSettingsTable } from './reviews.table.js';

const DAY = 86_400_000;
const YEAR = 365 * DAY;

export type ScheduleOutcome = { outcome: 'scheduled' | 'already_requested' | 'stopped'; detail: string };

interface RequestProduct { id: string; title: string }

/** A request's id, made from the order (and the product, one request per product): scheduling twice adds nothing. */
export const requestIdOf = (storeId: string, orderId: string, productId?: string) => `rrq_${sha256(productId === undefined ? `${storeId}:${orderId}` : `${storeId}:${orderId}:product:${productId}`).slice(0, 24)}`;

export function homeCountries(settings: Pick<ReviewSettingsTable, 'home_countries'>): string[] {
  const parsed: unknown = JSON.parse(settings.home_countries || '[]');
  return Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === 'string') : [];
}

/** Whether an order to a customer of this country is sent abroad: the country is known and none of the store's home countries (compared without case or surrounding spaces). */
export function isInternational(settings: Pick<ReviewSettingsTable, 'home_countries'>, country: string | null): boolean {
  const home = homeCountries(settings).map((c) => c.trim().toLowerCase());
  const where = country?.trim().toLowerCase();
  return home.length > 0 && !!where && !home.includes(where);
}

/**
 * A fulfilled order (by its row id, as the `order.delivered` event names it): its first delivery
 * (or, with none delivered, its first shipment's time), its customer's country and the products
 * ordered.
 */
export async function fulfilledOrder(db: ReviewsDb, storeId: string, orderId: number): Promise<{ orderId: string; customerId: number | null; country: string | null; deliveredAt: Date | null; fulfilledAt: Date; products: RequestProduct[] } | null> {
  const row = await db.selectFrom('fulfillments as f').innerJoin('orders as o', (j) => j.onRef('o.store_id', '=', 'f.store_id').onRef('o.id', '=', 'f.order_id'))
    .leftJoin('customers as c', (j) => j.onRef('c.store_id', '=', 'o.store_id').onRef('c.id', '=', 'o.customer_id'))
    .select(['o.id as order_row', 'o.external_id', 'o.customer_id', 'c.country', 'f.delivered_at', 'f.shipped_at', 'f.created_at'])
    .where('f.store_id', '=', storeId).where('f.order_id', '=', orderId)
    .orderBy(sql`f.delivered_at is null`).orderBy('f.delivered_at').orderBy(sql`coalesce(f.shipped_at, f.created_at)`).orderBy('f.id')
    .executeTakeFirst();
  if (!row) return null;
  const { rows } = await sql<{ external_id: string; title: string }>`select p.external_id, min(p.title) as title from order_lines l
    join products p on p.store_id = l.store_id and p.id = l.product_id
    where l.store_id = ${storeId} and l.order_id = ${row.order_row} group by p.external_id order by min(l.line_no)`.execute(db);
  return {
    orderId: row.external_id, customerId: row.customer_id === null ? null : Number(row.customer_id), country: row.country ?? null, deliveredAt: row.delivered_at,
    fulfilledAt: row.shipped_at ?? row.created_at, products: rows.map((r) => ({ id: r.external_id, title: r.title })),
  };
}

export function dueAt(settings: ReviewSettingsTable, deliveredAt: Date | null, fulfilledAt: Date, international = false): Date {
  if (deliveredAt) return new Date(deliveredAt.getTime() + ((international ? settings.international_delay_days : null) ?? settings.delivery_delay_days) * DAY);
  return new Date(fulfilledAt.getTime() + ((international ? settings.international_fulfilled_delay_days : null) ?? settings.fulfilled_delay_days) * DAY);
}

/** Why a due request may not be sent, if it may not; and the products still to ask about. */
export async function checkRules(db: ReviewsDb, storeId: string, request: ReviewRequestTable, settings: ReviewSettingsTable, now: Date): Promise<{ stop: string } | { address: string; products: RequestProduct[] }> {
  const customer = await db.selectFrom('customers').select(['email', 'email_consent']).where('store_id', '=', storeId).where('id', '=', request.customer_id).executeTakeFirst();
  const address = customer?.email?.trim().toLowerCase();
  if (!address) return { stop: 'no_address' };
  if (customer!.email_consent === 'unsubscribed') return { stop: 'unsubscribed' };
  const suppressed = await db.selectFrom('message_suppressions').select('address').where('store_id', '=', storeId).where('address', '=', address)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)])).executeTakeFirst();
  if (suppressed) return { stop: 'suppressed' };
  const products = JSON.parse(request.products) as RequestProduct[];
  const reviewed = new Set((await db.selectFrom('reviews').select('product_external_id').where('store_id', '=', storeId).where('customer_id', '=', request.customer_id).execute()).map((r) => r.product_external_id));
  const asked = new Set((await db.selectFrom('review_asked_products').select('product_external_id').where('store_id', '=', storeId).where('customer_id', '=', request.customer_id)
    .where('request_id', '!=', request.id).where('asked_at', '>', new Date(now.getTime() - YEAR)).execute()).map((r) => r.product_external_id));
  const open = products.filter((p) => !reviewed.has(p.id) && !asked.has(p.id));
  if (open.length === 0) return { stop: products.every((p) => reviewed.has(p.id)) ? 'already_reviewed' : 'asked_in_last_12_months' };
  // Counted in orders asked about, so an order's per-product requests count once.
  const { rows } = await sql<{ n: number }>`select count(distinct order_external_id) as n from review_requests where store_id = ${storeId} and customer_id = ${request.customer_id}
    and order_external_id <> ${request.order_external_id} and sent_at > ${new Date(now.getTime() - 30 * DAY)}`.execute(db);
  if (Number(rows[0]?.n ?? 0) >= settings.max_requests_per_30_days) return { stop: 'too_many_requests' };
  return { address, products: open };
}

/** The request email: the products and one button to the hosted page. Everything from the store's data is escaped. */
export function requestEmail(storeName: string, customerName: string | null, products: readonly RequestProduct[], url: string, reminder: number): { subject: string; html: string; text: string } {
  const names = products.map((p) => `<li>${escapeHtml(p.title)}</li>`).join('');
  const subject = reminder === 0 ? `How was your order from ${storeName}?` : `A reminder: how was your order from ${storeName}?`;
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#222;max-width:560px">
<p>Hello${customerName ? ` ${escapeHtml(customerName)}` : ''},</p><p>Your review helps other shoppers and tells ${escapeHtml(storeName)} what to keep doing. How did you find:</p><ul>${names}</ul>
<p><a href="${escapeHtml(url)}" style="display:inline-block;background:#2f5d50;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none">Write a review</a></p>
<p style="color:#666;font-size:13px">The link is yours alone and works for 45 days; reviews written with it are marked “verified buyer”.</p></body></html>`;
  return { subject, html, text: htmlToText(html) };
}
