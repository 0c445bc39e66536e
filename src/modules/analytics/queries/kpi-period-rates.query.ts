/**
 * The repeat purchase, retention and churn counts of many ranges (a trend's periods) in one
 * grouped query over (order day, next order day) counts: each range's figures are those
 * `kpiTotals` and `kpiRetention` compute for it alone, with the same filters, so a period's rates
 * mean what the range's do. One query per request instead of two per period.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import { addDays, daysBetween } from '../analytics.query.js';
import type { KpiSources } from './kpi-sources.js';
import type { KpiRetention } from './kpi-retention.query.js';
import type { KpiTotals } from './kpi-totals.query.js';
import { date } from './sql-helpers.js';

const minDay = (a: string, b: string) => (a < b ? a : b);

export type KpiPeriodCounts = Pick<KpiTotals, 'customers' | 'repeatCustomers'> & KpiRetention;

export async function kpiPeriodRates(db: Db, sources: KpiSources, ranges: readonly { from: string; to: string }[], inactivityDays: number): Promise<KpiPeriodCounts[]> {
  if (ranges.length === 0) return [];
  const T = inactivityDays;
  // Per range: its days, the period of the same length before it (retention), the `T` days before
  // it (active at the start) and the last day a churned customer's last order can fall on: `T`
  // days before the range's end, and before the range (a range longer than `T` does not count
  // its own orders as last orders before it).
  const values = ranges.map((range, i) => {
    const length = daysBetween(range.from, range.to) + 1;
    return sql`(${sql.lit(i)}, ${date(range.from)}, ${date(range.to)}, ${date(addDays(range.from, -length))}, ${date(addDays(range.from, -T))}, ${date(minDay(addDays(range.to, -T), addDays(range.from, -1)))},
      ${date(addDays(range.from, -1))}, ${date(addDays(range.from, -Math.max(length, T)))})`;
  });
  const lastInRange = sql`(n.next_day is null or n.next_day > p.range_to)`;
  const lastBefore = sql`(n.next_day is null or n.next_day >= p.range_from)`;
  const { rows } = await sql<KpiPeriodCounts & { i: number }>`
    with p(i, range_from, range_to, previous_from, active_from, churn_to, before_to, reach_from) as (values ${sql.join(values)})
    select p.i as "i",
      coalesce(sum(n.orders) filter (where n.day between p.range_from and p.range_to and ${lastInRange}), 0) as "customers",
      coalesce(sum(n.repeat_orders) filter (where n.day between p.range_from and p.range_to and ${lastInRange}), 0) as "repeatCustomers",
      coalesce(sum(n.orders) filter (where n.day between p.previous_from and p.before_to and ${lastBefore}), 0) as "previousCustomers",
      coalesce(sum(n.orders) filter (where n.day between p.previous_from and p.before_to and n.next_day between p.range_from and p.range_to), 0) as "retainedCustomers",
      coalesce(sum(n.orders) filter (where n.day between p.active_from and p.before_to and ${lastBefore}), 0) as "activeAtStart",
      coalesce(sum(n.orders) filter (where n.day between p.active_from and p.churn_to and ${lastBefore}
        and (n.next_day is null or n.next_day - n.day > ${T})), 0) as "churnedCustomers"
    from p left join ${sources.next} n on n.day between p.reach_from and p.range_to
    group by p.i order by p.i
  `.execute(db);
  const byIndex = new Map(rows.map(({ i, ...counts }) => [Number(i), counts]));
  return ranges.map((_, i) => byIndex.get(i)!);
}
