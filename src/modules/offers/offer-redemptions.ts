/**
 * Redemptions matched from orders (docs/offers.md, "Redemptions"). The `offers` subscriber reads
 * each placed or updated order's discount codes and, for every code this store issued (matched
 * upper-case), records the order against the code, once per (code, order). What counts is derived
 * when read, so a cancellation or refund arriving later needs no update:
 * - a code counts as redeemed by its earliest order (placed time, then id) that is neither cancelled
 *   nor fully refunded and whose subtotal (before discounts) reaches the offer's minimum spend; a
 *   second order with the same code does not count again;
 * - a redeeming order's revenue is its total less its refunds; its discount is the order's
 *   discount, split evenly when the order carries several codes.
 */
import { sql } from 'kysely';
import type { DomainEvent } from '../domain-events/index.js';
import type { OffersTx } from './offers.table.js';

/**
 * Matches the given orders of a store: one read of those that carry a code, one of the codes
 * issued among them, one insert. Returns the redemptions recorded or already there.
 */
export async function matchOrders(tx: OffersTx, storeId: string, orderIds: readonly number[], now: Date): Promise<number> {
  if (orderIds.length === 0) return 0;
  const orders = await tx.selectFrom('orders').select(['id', 'customer_id', 'placed_at', 'discount_codes']).where('store_id', '=', storeId)
    .where('id', 'in', orderIds).where(sql<boolean>`len(discount_codes) > 0`).execute();
  const codesOf = new Map(orders.map((order) => [order, [...new Set(order.discount_codes.map((c) => c.trim().toUpperCase()).filter(Boolean))]]));
  const codes = [...new Set([...codesOf.values()].flat())];
  if (codes.length === 0) return 0;
  const issued = new Map<string, { offer_id: string; customer_id: number }>();
  for (let i = 0; i < codes.length; i += 1000) {
    const rows = await tx.selectFrom('offer_issues').select(['code', 'offer_id', 'customer_id']).where('store_id', '=', storeId)
      .where('outcome', '=', 'issued').where('code', 'in', codes.slice(i, i + 1000)).execute();
    for (const row of rows) issued.set(row.code!, { offer_id: row.offer_id, customer_id: Number(row.customer_id) });
  }
  const redemptions = [...codesOf].flatMap(([order, orderCodes]) => orderCodes.flatMap((code) => {
    const issue = issued.get(code);
    return issue ? [{
      store_id: storeId, code, order_id: Number(order.id), offer_id: issue.offer_id, customer_id: issue.customer_id,
      order_customer_id: order.customer_id === null ? null : Number(order.customer_id), placed_at: order.placed_at, created_at: now,
    }] : [];
  }));
  if (redemptions.length > 0) await tx.insertInto('offer_redemptions').values(redemptions).onConflict((oc) => oc.doNothing()).execute();
  return redemptions.length;
}

/** The orders placed or updated in a batch of events, matched per store. */
export async function handleOrderEvents(tx: OffersTx, events: readonly DomainEvent[], now: Date): Promise<void> {
  const byStore = new Map<string, number[]>();
  for (const event of events) {
    if ((event.type !== 'order.placed' && event.type !== 'order.updated') || event.entityId === null) continue;
    const ids = byStore.get(event.storeId) ?? [];
    ids.push(event.entityId);
    byStore.set(event.storeId, ids);
  }
  for (const [storeId, orderIds] of byStore) await matchOrders(tx, storeId, [...new Set(orderIds)], now);
}

/**
 * The counted redemption of each code of the offer: the earliest order that is neither cancelled
 * nor fully refunded and reaches the minimum spend, with its revenue (total less refunds) and its
 * share of the discount.
 */
export function countedRedemptions(storeId: string, offerId: string) {
  return sql`counted as (
    select r.code, arg_min(r.order_id, (r.placed_at, r.order_id)) as order_id, min(r.placed_at) as placed_at
    from offer_redemptions r join orders o on o.store_id = r.store_id and o.id = r.order_id
    where r.store_id = ${storeId} and r.offer_id = ${offerId} and o.status not in ('cancelled', 'refunded')
      and o.subtotal >= (select minimum_spend from offers where store_id = ${storeId} and id = ${offerId})
    group by r.code
  ),
  redeemed as (
    select c.code, c.order_id, c.placed_at, i.customer_id, i.issued_at,
      o.total - coalesce((select sum(amount) from returns x where x.store_id = ${storeId} and x.order_id = o.id), 0) as revenue,
      round(o.discount / greatest(len(o.discount_codes), 1))::bigint as discount
    from counted c join orders o on o.store_id = ${storeId} and o.id = c.order_id
      join offer_issues i on i.store_id = ${storeId} and i.code = c.code
  )`;
}
