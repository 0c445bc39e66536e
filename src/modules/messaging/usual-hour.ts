/**
 * Each customer's usual hour: the hour of the day, on their own clock, around which they order and
 * click. Hours are circular (23:00 and 01:00 average to midnight, not noon), so the times are
 * averaged as angles on a 24-hour clock face — the circular mean (N. I. Fisher, *Statistical
 * Analysis of Circular Data*, 1993, §2.2): each time t becomes the unit vector at 2πt/24, the
 * vectors are averaged, and the mean's direction is the usual time; its length R (0–1) says how
 * concentrated the times are. A customer has a usual hour when they have at least
 * `MIN_OBSERVATIONS` orders and clicks and R is at least `MIN_CONCENTRATION` (times spread evenly
 * around the clock have no usual hour); the usual hour is the whole hour the mean falls in
 * (a mean of 19:40 gives 19:00). Everyone is read in one query, not one per customer.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

export const MIN_OBSERVATIONS = 3;
export const MIN_CONCENTRATION = 0.3;

export interface UsualHour {
  /** The zone the customer's clock is read in: their own, else the store's. */
  zone: string;
  /** 0–23, or null when there is too little or too scattered history. */
  hour: number | null;
  observations: number;
}

/** The usual hour of each given customer, from their orders (not cancelled) and their clicks in messages. */
export async function usualHours(db: Db, storeId: string, customerIds: readonly number[], storeZone: string): Promise<Map<number, UsualHour>> {
  const found = new Map<number, UsualHour>();
  if (customerIds.length === 0) return found;
  const { rows } = await sql<{ customer_id: number; zone: string; n: number; x: number | null; y: number | null }>`
    with recipients as (select distinct unnest(${[...customerIds]}::bigint[]) as customer_id),
    zoned as (
      select c.id as customer_id,
        case when c.timezone in (select name from pg_timezone_names()) then c.timezone else ${storeZone} end as zone
      from customers c join recipients r on r.customer_id = c.id where c.store_id = ${storeId}
    ),
    moments as (
      select o.customer_id, o.placed_at as at from orders o
      where o.store_id = ${storeId} and o.status <> 'cancelled' and o.customer_id in (select customer_id from recipients)
      union all
      select e.customer_id, e.occurred_at from message_engagement e
      where e.store_id = ${storeId} and e.kind = 'click' and e.customer_id in (select customer_id from recipients)
    ),
    angles as (
      select z.customer_id, z.zone, 2 * pi() * (hour(l.local) + minute(l.local) / 60.0) / 24 as a
      from zoned z left join moments m on m.customer_id = z.customer_id,
        lateral (select timezone(z.zone, m.at at time zone 'UTC') as local) l
    )
    select customer_id, zone, count(a)::int as n, avg(cos(a)) as x, avg(sin(a)) as y from angles group by customer_id, zone`.execute(db);
  for (const row of rows) {
    const n = Number(row.n);
    found.set(Number(row.customer_id), { zone: row.zone, hour: usualHourOf(n, row.x ?? 0, row.y ?? 0), observations: n });
  }
  return found;
}

/** The whole hour of the circular mean (x, y) of n times, when there are enough and they agree. */
export function usualHourOf(n: number, x: number, y: number): number | null {
  if (n < MIN_OBSERVATIONS || Math.hypot(x, y) < MIN_CONCENTRATION) return null;
  const turns = (Math.atan2(y, x) / (2 * Math.PI) + 1) % 1;
  return Math.floor(turns * 24 + 1e-9) % 24;
}
