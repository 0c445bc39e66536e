import type { Db } from '../../db/database.js';
import type { OrderStatus } from './orders.table.js';

export interface OrderFilter {
  customerId?: number | undefined;
  status?: OrderStatus | undefined;
  placedAfter?: Date | undefined;
  placedBefore?: Date | undefined;
  /** Keyset: (placed_at, id) below this pair (newest first). */
  before?: { placedAt: Date; id: number } | undefined;
}

const orderColumns = ['o.id', 'o.external_id', 'o.customer_id', 'c.external_id as customer_external_id', 'o.placed_at', 'o.currency',
  'o.subtotal', 'o.discount', 'o.shipping', 'o.tax', 'o.total', 'o.discount_codes', 'o.channel', 'o.payment_method', 'o.status', 'o.source',
  'o.created_at', 'o.updated_at'] as const;

function ordersQuery(db: Db, storeId: string) {
  return db.selectFrom('orders as o')
    .leftJoin('customers as c', (join) => join.onRef('c.id', '=', 'o.customer_id').on('c.store_id', '=', storeId))
    .select(orderColumns)
    .where('o.store_id', '=', storeId);
}

export type OrderRow = Awaited<ReturnType<ReturnType<typeof ordersQuery>['executeTakeFirstOrThrow']>>;

export function listOrders(db: Db, storeId: string, filter: OrderFilter, limit: number): Promise<OrderRow[]> {
  let query = ordersQuery(db, storeId);
  if (filter.customerId !== undefined) query = query.where('o.customer_id', '=', filter.customerId);
  if (filter.status !== undefined) query = query.where('o.status', '=', filter.status);
  if (filter.placedAfter) query = query.where('o.placed_at', '>=', filter.placedAfter);
  if (filter.placedBefore) query = query.where('o.placed_at', '<', filter.placedBefore);
  const before = filter.before;
  if (before) {
    query = query.where((eb) => eb.or([
      eb('o.placed_at', '<', before.placedAt),
      eb.and([eb('o.placed_at', '=', before.placedAt), eb('o.id', '<', before.id)]),
    ]));
  }
  return query.orderBy('o.placed_at', 'desc').orderBy('o.id', 'desc').limit(limit).execute();
}

export function findOrder(db: Db, storeId: string, ref: { id: number } | { externalId: string }): Promise<OrderRow | undefined> {
  const query = ordersQuery(db, storeId);
  return ('id' in ref ? query.where('o.id', '=', ref.id) : query.where('o.external_id', '=', ref.externalId)).limit(1).executeTakeFirst();
}

/** Orders by external id (at most `externalIds.length`). */
export function findOrders(db: Db, storeId: string, externalIds: string[]): Promise<OrderRow[]> {
  return ordersQuery(db, storeId).where('o.external_id', 'in', externalIds).execute();
}

/** The refunds (returns) of orders: external id → amount, per order. */
export async function refundsOf(db: Db, storeId: string, orderIds: number[]): Promise<Map<number, Map<string, number>>> {
  const rows = await db.selectFrom('returns').select(['order_id', 'external_id', 'amount'])
    .where('store_id', '=', storeId).where('order_id', 'in', orderIds).execute();
  const refunds = new Map<number, Map<string, number>>();
  for (const row of rows) {
    const id = Number(row.order_id);
    if (!refunds.has(id)) refunds.set(id, new Map());
    refunds.get(id)!.set(row.external_id, Number(row.amount));
  }
  return refunds;
}

export function linesOf(db: Db, storeId: string, orderIds: number[]) {
  return db.selectFrom('order_lines as l')
    .leftJoin('products as p', (join) => join.onRef('p.id', '=', 'l.product_id').on('p.store_id', '=', storeId))
    .leftJoin('variants as v', (join) => join.onRef('v.id', '=', 'l.variant_id').on('v.store_id', '=', storeId))
    .select(['l.order_id', 'l.line_no', 'l.product_id', 'p.external_id as product_external_id', 'l.variant_id',
      'v.external_id as variant_external_id', 'l.sku', 'l.title', 'l.quantity', 'l.unit_price', 'l.total'])
    .where('l.store_id', '=', storeId).where('l.order_id', 'in', orderIds)
    .orderBy('l.order_id').orderBy('l.line_no').execute();
}

export interface ReturnFilter {
  orderId?: number | undefined;
  customerId?: number | undefined;
  returnedAfter?: Date | undefined;
  returnedBefore?: Date | undefined;
  before?: { returnedAt: Date; id: number } | undefined;
}

function returnsQuery(db: Db, storeId: string) {
  return db.selectFrom('returns as r')
    .leftJoin('orders as o', (join) => join.onRef('o.id', '=', 'r.order_id').on('o.store_id', '=', storeId))
    .select(['r.id', 'r.external_id', 'r.order_id', 'o.external_id as order_external_id', 'r.customer_id', 'r.returned_at',
      'r.currency', 'r.amount', 'r.reason', 'r.created_at'])
    .where('r.store_id', '=', storeId);
}

export type ReturnRow = Awaited<ReturnType<ReturnType<typeof returnsQuery>['executeTakeFirstOrThrow']>>;

export function findReturn(db: Db, storeId: string, ref: { id: number } | { externalId: string }): Promise<ReturnRow | undefined> {
  const query = returnsQuery(db, storeId);
  return ('id' in ref ? query.where('r.id', '=', ref.id) : query.where('r.external_id', '=', ref.externalId)).limit(1).executeTakeFirst();
}

export function listReturns(db: Db, storeId: string, filter: ReturnFilter, limit: number): Promise<ReturnRow[]> {
  let query = returnsQuery(db, storeId);
  if (filter.orderId !== undefined) query = query.where('r.order_id', '=', filter.orderId);
  if (filter.customerId !== undefined) query = query.where('r.customer_id', '=', filter.customerId);
  if (filter.returnedAfter) query = query.where('r.returned_at', '>=', filter.returnedAfter);
  if (filter.returnedBefore) query = query.where('r.returned_at', '<', filter.returnedBefore);
  const before = filter.before;
  if (before) {
    query = query.where((eb) => eb.or([
      eb('r.returned_at', '<', before.returnedAt),
      eb.and([eb('r.returned_at', '=', before.returnedAt), eb('r.id', '<', before.id)]),
    ]));
  }
  return query.orderBy('r.returned_at', 'desc').orderBy('r.id', 'desc').limit(limit).execute();
}

export function returnLinesOf(db: Db, storeId: string, returnIds: number[]) {
  return db.selectFrom('return_lines as l')
    .leftJoin('products as p', (join) => join.onRef('p.id', '=', 'l.product_id').on('p.store_id', '=', storeId))
    .select(['l.return_id', 'l.line_no', 'l.product_id', 'p.external_id as product_external_id', 'l.sku', 'l.quantity', 'l.amount'])
    .where('l.store_id', '=', storeId).where('l.return_id', 'in', returnIds)
    .orderBy('l.return_id').orderBy('l.line_no').execute();
}
