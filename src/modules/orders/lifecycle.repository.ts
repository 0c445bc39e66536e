/** Reading fulfilments and checkouts (written by the commerce writer). */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

export function fulfillmentsOf(db: Db, storeId: string, orderIds: number[]) {
  return db.selectFrom('fulfillments')
    .select(['id', 'external_id', 'order_id', 'order_external_id', 'status', 'shipment_status', 'carrier', 'tracking_number', 'tracking_url',
      'shipped_at', 'delivered_at', 'lines', 'created_at', 'updated_at'])
    .where('store_id', '=', storeId).where('order_id', 'in', orderIds)
    .orderBy('order_id').orderBy('id').execute();
}

export function findFulfillment(db: Db, storeId: string, externalId: string) {
  return db.selectFrom('fulfillments')
    .select(['id', 'external_id', 'order_id', 'order_external_id', 'status', 'shipment_status', 'carrier', 'tracking_number', 'tracking_url',
      'shipped_at', 'delivered_at', 'lines', 'created_at', 'updated_at'])
    .where('store_id', '=', storeId).where('external_id', '=', externalId).orderBy('id').limit(1).executeTakeFirst();
}

export type CheckoutState = 'open' | 'completed' | 'abandoned' | 'deleted';

export interface CheckoutFilter {
  state?: CheckoutState | undefined;
  /** Open checkouts with no change since this time count as abandoned. */
  idleSince: Date;
  customerId?: number | undefined;
  /** Keyset: (updated_at, id) below this pair (most recent activity first). */
  before?: { updatedAt: Date; id: number } | undefined;
}

export function listCheckouts(db: Db, storeId: string, filter: CheckoutFilter, limit: number) {
  // A cart left by a visitor identified since is the customer's.
  const customerId = sql<number | null>`coalesce(k.customer_id, i.customer_id)`;
  let query = db.selectFrom('checkouts as k')
    .leftJoin('identities as i', (join) => join.onRef('i.anonymous_id', '=', 'k.anonymous_id').on('i.store_id', '=', storeId))
    .leftJoin('customers as c', (join) => join.on('c.id', '=', customerId).on('c.store_id', '=', storeId))
    .leftJoin('orders as o', (join) => join.onRef('o.id', '=', 'k.order_id').on('o.store_id', '=', storeId))
    .select([customerId.as('customer_id')])
    .select(['k.id', 'k.external_id', 'k.cart_id', 'c.external_id as customer_external_id', 'k.anonymous_id', 'k.email',
      'k.currency', 'k.value', 'k.items', 'k.recovery_url', 'k.source', 'k.started_at', 'k.updated_at', 'k.completed_at', 'k.order_id',
      'o.external_id as order_external_id', 'k.deleted_at'])
    .where('k.store_id', '=', storeId);
  switch (filter.state) {
    case 'completed': query = query.where('k.completed_at', 'is not', null); break;
    case 'deleted': query = query.where('k.completed_at', 'is', null).where('k.deleted_at', 'is not', null); break;
    case 'open': query = query.where('k.completed_at', 'is', null).where('k.deleted_at', 'is', null); break;
    case 'abandoned': query = query.where('k.completed_at', 'is', null).where('k.deleted_at', 'is', null).where('k.updated_at', '<', filter.idleSince); break;
    default: break;
  }
  if (filter.customerId !== undefined) query = query.where(customerId, '=', filter.customerId);
  const before = filter.before;
  if (before) {
    query = query.where((eb) => eb.or([
      eb('k.updated_at', '<', before.updatedAt),
      eb.and([eb('k.updated_at', '=', before.updatedAt), eb('k.id', '<', before.id)]),
    ]));
  }
  return query.orderBy('k.updated_at', 'desc').orderBy('k.id', 'desc').limit(limit).execute();
}

export type CheckoutRow = Awaited<ReturnType<typeof listCheckouts>>[number];
