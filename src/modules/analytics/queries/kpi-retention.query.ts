/**
 * Retention, churn and the time between orders for a range, from (order day, next order day)
 * counts.
 * Retention: of the customers who ordered in the period of the same length just before the range,
 * the share who ordered again within the range.
 * Churn: of the customers active at the start (an order in the `inactivityDays` before it), the
 * share who then went `inactivityDays` without an order before the range's end — their next
 * order came later than that, or not at all.
 * Time between orders: each repeat order in the range is the "next order" of its predecessor.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import { addDays, daysBetween } from '../analytics.query.js';
import { histogramPercentile, type KpiSources } from './kpi-sources.js';
import { date } from './sql-helpers.js';

export interface KpiRetention {
  /** Customers with an order in the previous period. */
  previousCustomers: number;
  retainedCustomers: number;
  activeAtStart: number;
  churnedCustomers: number;
}

/** Upper bounds (days, inclusive) of the distribution's buckets; the last is open. */
export const intervalBuckets = [7, 14, 30, 60, 90, 180, 365] as const;

export interface KpiIntervals {
  repeatOrders: number;
  medianDays: number | null;
  /** Repeat orders per bucket: 0–7, 8–14, 15–30, 31–60, 61–90, 91–180, 181–365, >365 days. */
  distribution: { label: string; orders: number }[];
}

export async function kpiRetention(db: Db, sources: KpiSources, range: { from: string; to: string }, inactivityDays: number): Promise<KpiRetention> {
  const length = daysBetween(range.from, range.to) + 1;
  const from = date(range.from);
  const to = date(range.to);
  const T = inactivityDays;
  // A customer's last order before the range is the row whose next order is in or after it.
  const lastBefore = sql`(next_day is null or next_day >= ${from})`;
  const { rows } = await sql<KpiRetention>`
    select
      coalesce(sum(orders) filter (where day between ${date(addDays(range.from, -length))} and ${date(addDays(range.from, -1))} and ${lastBefore}), 0) as "previousCustomers",
      coalesce(sum(orders) filter (where day between ${date(addDays(range.from, -length))} and ${date(addDays(range.from, -1))} and next_day between ${from} and ${to}), 0) as "retainedCustomers",
      coalesce(sum(orders) filter (where day between ${date(addDays(range.from, -T))} and ${date(addDays(range.from, -1))} and ${lastBefore}), 0) as "activeAtStart",
      coalesce(sum(orders) filter (where day between ${date(addDays(range.from, -T))} and ${date(addDays(range.to, -T))} and ${lastBefore}
        and (next_day is null or next_day - day > ${T})), 0) as "churnedCustomers"
    from ${sources.next} n where day between ${date(addDays(range.from, -Math.max(length, T)))} and ${date(addDays(range.from, -1))}
  `.execute(db);
  return rows[0]!;
}

export async function kpiIntervals(db: Db, sources: KpiSources, range: { from: string; to: string }): Promise<KpiIntervals> {
  const { rows } = await sql<{ value: number; count: number }>`
    select cast(next_day - day as integer) as value, sum(orders) as count
    from ${sources.next} n where next_day between ${date(range.from)} and ${date(range.to)}
    group by 1
  `.execute(db);
  const bounds = [0, ...intervalBuckets];
  return {
    repeatOrders: rows.reduce((sum, r) => sum + r.count, 0),
    medianDays: histogramPercentile(rows, 0.5),
    distribution: bounds.map((low, i) => {
      const high = intervalBuckets[i];
      const inBucket = rows.filter((r) => (i === 0 ? r.value <= high! : r.value > low && (high === undefined || r.value <= high)));
      return { label: high === undefined ? `>${low}` : `${i === 0 ? 0 : low + 1}-${high}`, orders: inBucket.reduce((sum, r) => sum + r.count, 0) };
    }),
  };
}
