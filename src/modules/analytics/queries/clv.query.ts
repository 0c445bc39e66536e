/**
 * Historical customer lifetime value: revenue net of returns per customer to date, for customers
 * acquired in the range, grouped by first-order cohort, acquisition channel, first product or
 * category, first-order discount, or country.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { ClvDimension, Filters, Period } from '../analytics.query.js';
import { attributeFilters, breakdownColumn } from '../filters.sql.js';
import { date, trunc } from './sql-helpers.js';

export interface ClvRow {
  key: string | null;
  customers: number;
  orders: number;
  revenue: number;
  repeaters: number;
}

export interface ClvQuery {
  by: ClvDimension;
  period: Period;
  from: string;
  to: string;
  filters: Filters;
  limit: number;
}

export async function clvBy(db: Db, storeId: string, query: ClvQuery): Promise<ClvRow[]> {
  const key = query.by === 'cohort' ? sql`cast(${trunc(query.period, sql`c.first_day`)} as varchar)` : sql`cast(${breakdownColumn(query.by, 'c')} as varchar)`;
  // Cohorts read in time order; other dimensions largest first.
  const order = query.by === 'cohort' ? sql`1` : sql`2 desc, 1`;
  const { rows } = await sql<ClvRow>`
    select ${key} as "key", count(*) as "customers", sum(c.orders) as "orders", sum(c.revenue) as "revenue",
      count(*) filter (where c.orders >= 2) as "repeaters"
    from customer_summary c
    where c.store_id = ${storeId} and c.first_day between ${date(query.from)} and ${date(query.to)} ${attributeFilters(query.filters, 'c', storeId)}
    group by 1 order by ${order} limit ${query.limit}
  `.execute(db);
  return rows;
}
