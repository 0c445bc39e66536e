/** Orders, revenue, customers and new customers per week, month or quarter of the range. */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { Filters, Period } from '../analytics.query.js';
import { factFilters } from '../filters.sql.js';
import { date, trunc } from './sql-helpers.js';

export interface KpiSeriesPoint {
  periodStart: string;
  orders: number;
  revenue: number;
  customers: number;
  newCustomers: number;
}

export async function kpiSeries(db: Db, storeId: string, range: { from: string; to: string }, period: Period, filters: Filters): Promise<KpiSeriesPoint[]> {
  const to = date(range.to);
  const { rows } = await sql<KpiSeriesPoint>`
    select ${trunc(period, sql`day`)} as "periodStart",
      count(*) filter (where is_order) as "orders",
      coalesce(sum(revenue), 0) as "revenue",
      count(*) filter (where seq is not null and (next_day is null or next_day > ${to} or ${trunc(period, sql`next_day`)} <> ${trunc(period, sql`day`)})) as "customers",
      count(*) filter (where seq = 1) as "newCustomers"
    from order_facts f
    where f.store_id = ${storeId} and f.day between ${date(range.from)} and ${to} ${factFilters(filters, 'f', storeId)}
    group by 1 order by 1
  `.execute(db);
  return rows;
}
