/**
 * Cohort matrix: customers grouped by the week, month or quarter of their first order; for each
 * later period (offset), the customers who ordered in it, their orders and revenue. One scan of
 * customer_periods. With a breakdown, the matrix is split by a first-order attribute (the ten
 * largest values, the rest as "(other)").
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { Breakdown, Filters, Period } from '../analytics.query.js';
import { attributeFilters, breakdownColumn } from '../filters.sql.js';
import { date, trunc } from './sql-helpers.js';

export const OTHER = '(other)';
const TOP_VALUES = 10;

export interface CohortCellRow {
  cohort: string;
  segment: string | null;
  offset: number;
  customers: number;
  orders: number;
  revenue: number;
  /** Customers whose last period with an order is this one (for "active at any later period"). */
  lastActive: number;
}

export interface CohortQuery {
  period: Period;
  from: string;
  to: string;
  breakdown: Breakdown | undefined;
  filters: Filters;
}

export async function cohortCells(db: Db, storeId: string, query: CohortQuery): Promise<CohortCellRow[]> {
  const filters = attributeFilters(query.filters, 'p', storeId);
  const first = trunc(query.period, date(query.from));
  const last = trunc(query.period, date(query.to));
  let segment = sql`null`;
  let top = sql``;
  if (query.breakdown) {
    const column = breakdownColumn(query.breakdown, 'p');
    const summaryColumn = breakdownColumn(query.breakdown, 'c');
    top = sql`with top as (
      select cast(${summaryColumn} as varchar) as value from customer_summary c
      where c.store_id = ${storeId} and ${trunc(query.period, sql`c.first_day`)} between ${first} and ${last} ${attributeFilters(query.filters, 'c', storeId)}
      group by 1 order by count(*) desc, 1 limit ${TOP_VALUES}
    )`;
    segment = sql`case when cast(${column} as varchar) in (select value from top) then cast(${column} as varchar)
      when ${column} is null then null else ${OTHER} end`;
  }
  const { rows } = await sql<CohortCellRow>`
    ${top}
    select cast(p.cohort_start as varchar) as "cohort", ${segment} as "segment", p.period_offset as "offset",
      count(*) as "customers", sum(p.orders) as "orders", sum(p.revenue) as "revenue",
      count(*) filter (where p.is_last) as "lastActive"
    from customer_periods p
    where p.store_id = ${storeId} and p.kind = ${query.period} and p.cohort_start between ${first} and ${last} ${filters}
    group by 1, 2, 3 order by 1, 2, 3
  `.execute(db);
  return rows;
}
