/**
 * First order → second order within a window: customers whose first order falls in the range;
 * those whose window has ended by the store's last day are eligible; of them, those whose second
 * order came within the window converted. Overall, by acquisition channel and by the period of
 * the first order. Reads the customer summaries (local days).
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { Period } from '../analytics.query.js';
import { date, trunc } from './sql-helpers.js';

export interface RepeatFunnelRow {
  cut: 'all' | 'channel' | 'period';
  channel: string | null;
  period: string | null;
  customers: number;
  eligible: number;
  converted: number;
  medianDays: number | null;
  p25Days: number | null;
  p75Days: number | null;
  /** Converters by days to the second order: ≤ 7, ≤ 30, ≤ 60, longer (up to the window). */
  buckets: number[];
}

export const DAY_BUCKETS = [7, 30, 60] as const;

export async function repeatFunnel(db: Db, storeId: string, query: { from: string; to: string; lastDay: string; windowDays: number; period: Period }): Promise<RepeatFunnelRow[]> {
  const { rows } = await sql<{ g_channel: number; g_period: number; channel: string | null; period: string | null; customers: number; eligible: number; converted: number; median: number | null; p25: number | null; p75: number | null; buckets: number[] }>`
    with c as (
      select coalesce(c.channel, '(none)') as channel, cast(${trunc(query.period, sql`c.first_day`)} as varchar) as period,
        c.first_day + cast(${query.windowDays} as integer) <= ${date(query.lastDay)} as eligible,
        case when c.second_day is not null and c.second_day - c.first_day <= ${query.windowDays} then c.second_day - c.first_day end as days
      from customer_summary c
      where c.store_id = ${storeId} and c.first_day between ${date(query.from)} and ${date(query.to)}
    )
    select grouping(channel) as g_channel, grouping(period) as g_period, channel, period, count(*) as customers,
      count(*) filter (where eligible) as eligible, count(*) filter (where eligible and days is not null) as converted,
      quantile_cont(days, 0.5) filter (where eligible) as median, quantile_cont(days, 0.25) filter (where eligible) as p25, quantile_cont(days, 0.75) filter (where eligible) as p75,
      [count(*) filter (where eligible and days <= ${DAY_BUCKETS[0]}), count(*) filter (where eligible and days > ${DAY_BUCKETS[0]} and days <= ${DAY_BUCKETS[1]}),
       count(*) filter (where eligible and days > ${DAY_BUCKETS[1]} and days <= ${DAY_BUCKETS[2]}), count(*) filter (where eligible and days > ${DAY_BUCKETS[2]})] as buckets
    from c group by grouping sets ((), (channel), (period)) order by 1 desc, 2 desc, 3, 4
  `.execute(db);
  const num = (v: number | null) => (v === null ? null : Number(v));
  return rows.map((row) => ({
    cut: row.g_channel && row.g_period ? 'all' : !row.g_channel ? 'channel' : 'period',
    channel: row.g_channel ? null : row.channel, period: row.g_period ? null : row.period,
    customers: Number(row.customers), eligible: Number(row.eligible), converted: Number(row.converted),
    medianDays: num(row.median), p25Days: num(row.p25), p75Days: num(row.p75), buckets: [...row.buckets].map(Number),
  }));
}
