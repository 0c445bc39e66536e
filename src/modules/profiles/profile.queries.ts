/**
 * The reads the customer profile needs from customers, orders, returns, events and products.
 * Those modules do not expose services for these reads yet, so they live here, each one query;
 * when they do, the profile switches to their services and this file shrinks.
 */
import type { CustomerPredictionTable } from '../predictions/index.js';
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { CustomerRow } from '../customers/index.js';

export async function findCustomer(db: Db, storeId: string, id: number): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
}

export async function findCustomerIdBy(db: Db, storeId: string, by: 'email' | 'external_id', value: string): Promise<number | undefined> {
  const query = db.selectFrom('customers').select('id').where('store_id', '=', storeId).orderBy('id').limit(1);
  const row = by === 'email'
    ? await query.where(sql<string>`lower(email)`, '=', value.toLowerCase()).executeTakeFirst()
    : await query.where((eb) => eb.or([
      eb('external_id', '=', value),
      eb('id', 'in', eb.selectFrom('customer_aliases').select('customer_id').where('store_id', '=', storeId).where('alias', '=', value)),
    ])).executeTakeFirst();
  return row?.id;
}

export interface SearchHit { id: number; external_id: string | null; email: string | null; first_name: string | null; last_name: string | null; country: string | null }

/** Email, name or external id containing the text (case-insensitive); exact matches first. */
export async function searchCustomers(db: Db, storeId: string, text: string, limit: number): Promise<SearchHit[]> {
  const q = text.trim().toLowerCase();
  const result = await sql<SearchHit>`
    select id, external_id, email, first_name, last_name, country from customers
    where store_id = ${storeId} and (
      strpos(lower(coalesce(email, '')), ${q}) > 0 or strpos(lower(coalesce(external_id, '')), ${q}) > 0
      or strpos(lower(concat_ws(' ', first_name, last_name)), ${q}) > 0)
    order by (lower(coalesce(email, '')) = ${q} or lower(coalesce(external_id, '')) = ${q}) desc, id
    limit ${limit}`.execute(db);
  return result.rows;
}

export interface OrderRow { id: number; external_id: string; placed_at: Date; total: number; discount: number; discount_codes: string[]; currency: string; status: string; channel: string | null; items: number }

export async function ordersOf(db: Db, storeId: string, customerId: number): Promise<OrderRow[]> {
  const result = await sql<OrderRow>`
    select o.id, o.external_id, o.placed_at, o.total, o.discount, o.discount_codes, o.currency, o.status, o.channel,
      coalesce((select sum(l.quantity) from order_lines l where l.store_id = o.store_id and l.order_id = o.id), 0) as items
    from orders o where o.store_id = ${storeId} and o.customer_id = ${customerId} order by o.placed_at`.execute(db);
  return result.rows;
}

export interface ReturnRow { id: number; external_id: string; order_id: number | null; returned_at: Date; amount: number; currency: string; reason: string | null }

export async function returnsOf(db: Db, storeId: string, customerId: number): Promise<ReturnRow[]> {
  return db.selectFrom('returns').select(['id', 'external_id', 'order_id', 'returned_at', 'amount', 'currency', 'reason'])
    .where('store_id', '=', storeId).where('customer_id', '=', customerId).orderBy('returned_at').execute();
}

export interface EventRow { type: string; name: string | null; session_id: string | null; url: string | null; properties: string; occurred_at: Date }

/** The latest events of a customer (most recent first). */
export async function eventsOf(db: Db, storeId: string, customerId: number, limit: number): Promise<EventRow[]> {
  return db.selectFrom('events').select(['type', 'name', 'session_id', 'url', 'properties', 'occurred_at'])
    .where('store_id', '=', storeId).where('customer_id', '=', customerId).orderBy('occurred_at', 'desc').limit(limit).execute();
}

export interface TopItem { name: string; orders: number; quantity: number; spend: number }

/** Categories or products by spend over orders that were not cancelled. */
export async function topPurchases(db: Db, storeId: string, customerId: number, by: 'category' | 'product', limit: number): Promise<TopItem[]> {
  const name = by === 'category' ? sql`coalesce(p.category, 'uncategorised')` : sql`coalesce(p.title, l.title, l.sku, 'unknown')`;
  const result = await sql<TopItem>`
    select ${name} as name, count(distinct o.id) as orders, sum(l.quantity) as quantity, sum(l.total) as spend
    from orders o join order_lines l on l.store_id = o.store_id and l.order_id = o.id
    left join products p on p.store_id = l.store_id and p.id = l.product_id
    where o.store_id = ${storeId} and o.customer_id = ${customerId} and o.status <> 'cancelled'
    group by 1 order by spend desc, name limit ${limit}`.execute(db);
  return result.rows;
}

const predictionKeys = ['p_alive', 'expected_orders_90d', 'expected_orders_365d', 'clv_12m', 'expected_order_value', 'next_order_on', 'churn_risk', 'scored_at', 'fit_id'] as const;

/** What the profile shows of the customer's prediction, as the predictions module publishes it. */
export type PredictionRow = Pick<CustomerPredictionTable, (typeof predictionKeys)[number]>;

export function predictionFields(row: CustomerPredictionTable): PredictionRow {
  return Object.fromEntries(predictionKeys.map((key) => [key, row[key]])) as PredictionRow;
}
