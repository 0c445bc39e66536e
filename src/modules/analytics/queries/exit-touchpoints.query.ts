/**
 * The last touchpoints before a lapse: for the same customers as the pages-before-a-lapse
 * comparison (last order in the range; lapsed or stayed by the inactivity threshold), whether
 * each had, in the TOUCH_DAYS before their lapse (or before the end of the range), a 1–2 star
 * product review, a return, a delivery that took longer than the store's usual (more days from
 * order to delivery than 90 % of the store's delivered fulfilments), or a support ticket opened.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import { lapseCtes } from './journey-events.sql.js';

export const TOUCH_DAYS = 90;
export const touchpoints = ['a 1–2 star review', 'a return', 'a late delivery', 'a support ticket'] as const;
export type Touchpoint = (typeof touchpoints)[number];

export interface TouchpointRow { touchpoint: Touchpoint; customers: number; lapsed: number }

/**
 * `usualDays`: the store's 90th percentile of days from order to delivery (null: no deliveries);
 * the journey rows and delivery facts must be up to date.
 */
export async function exitTouchpoints(db: Db, span: { storeId: string; start: Date; end: Date }, inactivityDays: number, usualDays: number | null): Promise<{ customers: number; lapsed: number; rows: TouchpointRow[] }> {
  const s = span.storeId;
  const days = (n: number) => sql`to_days(cast(${n} as bigint))`;
  const { rows } = await sql<{ touchpoint: Touchpoint | null; customers: number; lapsed: number }>`
    with ${lapseCtes(span, inactivityDays)},
    -- Review events' ratings are kept in the journey rows (journey.table.ts), with their customer.
    low_reviews as (
      select distinct p.customer_id from journey_events j join people p on p.customer_id = j.customer_id
      where j.store_id = ${s} and j.rating <= 2 and j.ts < p.cutoff and j.ts >= p.cutoff - ${days(TOUCH_DAYS)}
    ),
    -- Order ids are unique across stores: the join on them alone (the store checked on each side)
    -- hashes integers, not the store's id as well.
    returned as (
      select distinct p.customer_id from returns r
      left join orders o on o.id = r.order_id and o.store_id = ${s}
      join people p on p.customer_id = coalesce(r.customer_id, o.customer_id)
      where r.store_id = ${s} and r.returned_at < p.cutoff and r.returned_at >= p.cutoff - ${days(TOUCH_DAYS)}
    ),
    -- Deliveries with their days from the order are kept in delivery_facts (delivery.table.ts).
    late as (
      select distinct p.customer_id from delivery_facts d join people p on p.customer_id = d.customer_id
      where d.store_id = ${s} and d.days > cast(${usualDays} as double) and d.delivered_at < p.cutoff and d.delivered_at >= p.cutoff - ${days(TOUCH_DAYS)}
    ),
    ticketed as (
      select distinct p.customer_id from support_tickets t join people p on p.customer_id = t.customer_id
      where t.store_id = ${s} and t.opened_at < p.cutoff and t.opened_at >= p.cutoff - ${days(TOUCH_DAYS)}
    ),
    touched as (
      select customer_id, ${touchpoints[0]} as touchpoint from low_reviews
      union all select customer_id, ${touchpoints[1]} from returned
      union all select customer_id, ${touchpoints[2]} from late
      union all select customer_id, ${touchpoints[3]} from ticketed
    )
    select null as touchpoint, count(*) as customers, count(*) filter (where lapsed) as lapsed from people
    union all
    select t.touchpoint, count(*), count(*) filter (where p.lapsed) from touched t join people p using (customer_id) group by t.touchpoint
  `.execute(db);
  const total = rows.find((row) => row.touchpoint === null);
  const byName = new Map(rows.filter((r) => r.touchpoint !== null).map((r) => [r.touchpoint!, r]));
  return {
    customers: Number(total?.customers ?? 0), lapsed: Number(total?.lapsed ?? 0),
    rows: touchpoints.map((touchpoint) => ({ touchpoint, customers: Number(byName.get(touchpoint)?.customers ?? 0), lapsed: Number(byName.get(touchpoint)?.lapsed ?? 0) })),
  };
}
