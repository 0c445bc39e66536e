/**
 * Revenue from returning customers: revenue net of returns (as the KPI report counts it) from
 * customers whose first order was before the range — the same "returning" as the report's
 * returning customers. For a range, and per week, month or quarter (returning = first order
 * before that period) for the trend line. Reads the analytics summaries (order_facts).
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { Period } from '../analytics.query.js';
import { date, trunc } from './sql-helpers.js';

export interface ReturningRevenue {
  from: string;
  to: string;
  /** Minor units, net of returns. */
  revenue: number;
  returningRevenue: number;
}

export async function returningRevenue(db: Db, storeId: string, range: { from: string; to: string }): Promise<ReturningRevenue> {
  const { rows } = await sql<{ revenue: number; returning: number }>`
    select cast(coalesce(sum(revenue), 0) as bigint) as revenue,
      cast(coalesce(sum(revenue) filter (where customer_id is not null and first_day < ${date(range.from)}), 0) as bigint) as returning
    from order_facts where store_id = ${storeId} and day between ${date(range.from)} and ${date(range.to)}
  `.execute(db);
  return { from: range.from, to: range.to, revenue: Number(rows[0]?.revenue ?? 0), returningRevenue: Number(rows[0]?.returning ?? 0) };
}

export async function returningRevenueSeries(db: Db, storeId: string, range: { from: string; to: string }, period: Period): Promise<{ periodStart: string; revenue: number; returningRevenue: number }[]> {
  const start = trunc(period, sql`day`);
  const { rows } = await sql<{ periodStart: string; revenue: number; returningRevenue: number }>`
    select cast(${start} as varchar) as "periodStart", cast(sum(revenue) as bigint) as "revenue",
      cast(coalesce(sum(revenue) filter (where customer_id is not null and first_day < ${start}), 0) as bigint) as "returningRevenue"
    from order_facts where store_id = ${storeId} and day between ${date(range.from)} and ${date(range.to)}
    group by 1 order by 1
  `.execute(db);
  return rows.map((r) => ({ periodStart: r.periodStart, revenue: Number(r.revenue), returningRevenue: Number(r.returningRevenue) }));
}
