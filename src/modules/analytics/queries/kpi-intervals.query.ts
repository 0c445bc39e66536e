/**
 * Time between orders: for every repeat order placed in the range, the days since the same
 * customer's previous order — median and a distribution in fixed buckets.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { Filters } from '../analytics.query.js';
import { factFilters } from '../filters.sql.js';
import { date } from './sql-helpers.js';

/** Upper bounds (days, inclusive) of the distribution's buckets; the last is open. */
export const intervalBuckets = [7, 14, 30, 60, 90, 180, 365] as const;

export interface KpiIntervals {
  repeatOrders: number;
  medianDays: number | null;
  /** Counts per bucket: ≤7, 8–14, 15–30, 31–60, 61–90, 91–180, 181–365, >365 days. */
  distribution: { label: string; orders: number }[];
}

export async function kpiIntervals(db: Db, storeId: string, range: { from: string; to: string }, filters: Filters): Promise<KpiIntervals> {
  const bounds = [0, ...intervalBuckets];
  const buckets = bounds.map((low, i) => {
    const high = intervalBuckets[i];
    const condition = high === undefined ? sql`gap > ${low}` : i === 0 ? sql`gap <= ${high}` : sql`gap > ${low} and gap <= ${high}`;
    return sql`count(*) filter (where ${condition}) as ${sql.ref(`b${i}`)}`;
  });
  const { rows } = await sql<Record<string, number | null>>`
    select count(*) as n, percentile_cont(0.5) within group (order by gap) as median, ${sql.join(buckets)}
    from (
      select f.day - f.prev_day as gap from order_facts f
      where f.store_id = ${storeId} and f.is_order and f.seq >= 2 and f.day between ${date(range.from)} and ${date(range.to)} ${factFilters(filters, 'f', storeId)}
    ) t
  `.execute(db);
  const row = rows[0]!;
  return {
    repeatOrders: row.n ?? 0,
    medianDays: row.median ?? null,
    distribution: bounds.map((low, i) => {
      const high = intervalBuckets[i];
      return { label: high === undefined ? `>${low}` : `${i === 0 ? 0 : low + 1}-${high}`, orders: row[`b${i}`] ?? 0 };
    }),
  };
}
