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
    -- Each touch with its customer and time, then one join with the customers compared.
    touches as (
      -- Review events' ratings are kept in the journey rows (journey.table.ts), with their customer.
      select customer_id, ts as at, ${touchpoints[0]} as touchpoint from journey_events where store_id = ${s} and rating <= 2
      -- A return names its customer once its order is known (commerce.merge.ts); one stored before
      -- its order's customer was takes it from the order.
      union all
      select customer_id, returned_at, ${touchpoints[1]} from returns where store_id = ${s} and customer_id is not null
      union all
      select o.customer_id, r.returned_at, ${touchpoints[1]} from returns r join orders o on o.id = r.order_id and o.store_id = ${s}
      where r.store_id = ${s} and r.customer_id is null
      -- Deliveries with their days from the order are kept in delivery_facts (delivery.table.ts).
      union all
      select customer_id, delivered_at, ${touchpoints[2]} from delivery_facts where store_id = ${s} and days > cast(${usualDays} as double)
      union all
      select customer_id, opened_at, ${touchpoints[3]} from support_tickets where store_id = ${s}
    ),
    touched as (
      select distinct t.customer_id, t.touchpoint, p.lapsed from touches t join people p on p.customer_id = t.customer_id
      where t.at < p.cutoff and t.at >= p.cutoff - ${days(TOUCH_DAYS)}
    )
    select null as touchpoint, count(*) as customers, count(*) filter (where lapsed) as lapsed from people
    union all
    select touchpoint, count(*), count(*) filter (where lapsed) from touched group by touchpoint
  `.execute(db);
  const total = rows.find((row) => row.touchpoint === null);
  const byName = new Map(rows.filter((r) => r.touchpoint !== null).map((r) => [r.touchpoint!, r]));
  return {
    customers: Number(total?.customers ?? 0), lapsed: Number(total?.lapsed ?? 0),
    rows: touchpoints.map((touchpoint) => ({ touchpoint, customers: Number(byName.get(touchpoint)?.customers ?? 0), lapsed: Number(byName.get(touchpoint)?.lapsed ?? 0) })),
  };
}
