/** Orders, revenue, customers and new customers per week, month or quarter of the range. */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { Period } from '../analytics.query.js';
import type { KpiSources } from './kpi-sources.js';
import { date, trunc } from './sql-helpers.js';

export interface KpiSeriesPoint {
  periodStart: string;
  orders: number;
  revenue: number;
  customers: number;
  newCustomers: number;
}

export async function kpiSeries(db: Db, sources: KpiSources, range: { from: string; to: string }, period: Period): Promise<KpiSeriesPoint[]> {
  const from = date(range.from);
  const to = date(range.to);
  const { rows } = await sql<KpiSeriesPoint>`
    select cast(t."periodStart" as varchar) as "periodStart", t."orders", t."revenue", coalesce(n."customers", 0) as "customers", t."newCustomers"
    from (
      select ${trunc(period, sql`day`)} as "periodStart", sum(orders) as "orders", sum(revenue) as "revenue", sum(new_customers) as "newCustomers"
      from ${sources.totals} t where day between ${from} and ${to} group by 1
    ) t left join (
      select ${trunc(period, sql`day`)} as "periodStart", sum(orders) as "customers"
      from ${sources.next} n
      where day between ${from} and ${to} and (next_day is null or next_day > ${to} or ${trunc(period, sql`next_day`)} <> ${trunc(period, sql`day`)})
      group by 1
    ) n on n."periodStart" = t."periodStart"
    where t."orders" <> 0 or t."revenue" <> 0
    order by 1
  `.execute(db);
  return rows;
}
