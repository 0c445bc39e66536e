/**
 * The deliveries the exits report reads for "a delivery that took longer than usual", kept ready
 * in `delivery_facts` (migration 2026-12-10T000100): each delivered fulfilment of a customer's
 * order, with the customer and the days from the order to the delivery; and, in `delivery_state`,
 * the store's 90th percentile of those days. Reading them spares joining every fulfilment to its
 * order on each report.
 *
 * `refresh` brings a store's rows up to date before a report, in one transaction: the fulfilments
 * changed since the last refresh, and those of orders changed since (an order moved to another
 * customer), are computed again; a store never refreshed, or with fewer fulfilments or orders than
 * recorded, is built whole. What of the orders they reflect is read from the summaries' state
 * (the caller brings the summaries up to date first), not counted again.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx } from '../../db/database.js';
import { KeyedQueue } from '../../lib/keyed-queue.js';

interface Fingerprint { fulfillments: number; fulfillments_updated_at: Date | null; orders: number; orders_updated_at: Date | null }

export class DeliveryTable {
  /** One refresh at a time per store; a report waits for the one under way. */
  private readonly queue = new KeyedQueue();

  constructor(private readonly db: Db) {}

  /** Brings the store's rows up to date; returns the store's 90th percentile of days to delivery (null without deliveries). */
  refresh(storeId: string): Promise<number | null> {
    return this.queue.run(storeId, () => this.db.transaction().execute((tx) => this.bringUpToDate(tx, storeId)));
  }

  private async bringUpToDate(tx: Tx, storeId: string): Promise<number | null> {
    const { rows: [now] } = await sql<Fingerprint>`
      select (select count(*) from fulfillments where store_id = ${storeId}) as fulfillments,
        (select max(updated_at) from fulfillments where store_id = ${storeId}) as fulfillments_updated_at,
        coalesce((select orders_count from analytics_state where store_id = ${storeId}), 0) as orders,
        (select orders_updated_max from analytics_state where store_id = ${storeId}) as orders_updated_at`.execute(tx);
    const { rows: [state] } = await sql<Fingerprint & { p90_days: number | null; same: boolean }>`
      select *, fulfillments = ${now!.fulfillments} and orders = ${now!.orders}
        and fulfillments_updated_at is not distinct from ${now!.fulfillments_updated_at} and orders_updated_at is not distinct from ${now!.orders_updated_at} as same
      from delivery_state where store_id = ${storeId}`.execute(tx);
    if (state?.same) return state.p90_days === null ? null : Number(state.p90_days);
    const partial = state && Number(state.fulfillments) <= Number(now!.fulfillments) && Number(state.orders) <= Number(now!.orders);
    if (partial) {
      const since = (at: Date | null) => at ?? new Date(0);
      await sql`create or replace temp table delivery_changed as
        select id from fulfillments where store_id = ${storeId} and updated_at >= ${since(state.fulfillments_updated_at)}
        union select f.id from fulfillments f join orders o on o.id = f.order_id and o.store_id = ${storeId}
        where f.store_id = ${storeId} and o.updated_at >= ${since(state.orders_updated_at)}`.execute(tx);
      await sql`delete from delivery_facts where store_id = ${storeId} and fulfillment_id in (select id from delivery_changed)`.execute(tx);
      await sql`insert into delivery_facts ${facts(storeId, sql`f.id in (select id from delivery_changed)`)}`.execute(tx);
      await sql`drop table delivery_changed`.execute(tx);
    } else {
      await sql`delete from delivery_facts where store_id = ${storeId}`.execute(tx);
      await sql`insert into delivery_facts ${facts(storeId, sql`true`)} order by delivered_at`.execute(tx);
    }
    const { rows: [usual] } = await sql<{ p90: number | null }>`select quantile_cont(days, 0.9) as p90 from delivery_facts where store_id = ${storeId}`.execute(tx);
    const p90 = usual?.p90 === null || usual?.p90 === undefined ? null : Number(usual.p90);
    await sql`insert or replace into delivery_state values (${storeId}, ${now!.fulfillments}, ${now!.fulfillments_updated_at}, ${now!.orders}, ${now!.orders_updated_at}, ${p90}, ${new Date()})`.execute(tx);
    return p90;
  }
}

/** The rows of the store's delivered fulfilments matching `where` (over `f`), of orders with a customer. */
function facts(storeId: string, where: RawBuilder<unknown>): RawBuilder<unknown> {
  // Order ids are unique across stores: the join hashes them alone (the store checked on each side).
  return sql`
    select ${storeId}, f.id, o.id, o.customer_id, f.delivered_at, epoch(f.delivered_at - o.placed_at) / 86400.0
    from fulfillments f join orders o on o.id = f.order_id
    where f.store_id = ${storeId} and o.store_id = ${storeId} and f.delivered_at is not null and o.customer_id is not null and ${where}`;
}
