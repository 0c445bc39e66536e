/**
 * Product retention: customers grouped by the product (or category) of their first order — how
 * many, how many came back, how fast, what they were worth in their first 12 months, and what
 * they bought on their second order.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../../db/database.js';
import { addDays, type Filters } from '../analytics.query.js';
import { attributeFilters } from '../filters.sql.js';
import { date } from './sql-helpers.js';

export type ProductLevel = 'product' | 'category';

export interface ProductRetentionRow {
  key: string;
  customers: number;
  repeaters: number;
  medianDaysToSecondOrder: number | null;
  /** Customers acquired at least 365 days before the store's last day. */
  matureCustomers: number;
  revenue12m: number;
}

export interface NextProductRow {
  key: string;
  next: string;
  customers: number;
}

export interface ProductQuery {
  level: ProductLevel;
  from: string;
  to: string;
  lastDay: string;
  filters: Filters;
  limit: number;
}

const TOP_NEXT = 3;

function base(storeId: string, query: ProductQuery): RawBuilder<unknown> {
  const key = query.level === 'product' ? sql`cast(c.first_product_id as varchar)` : sql`c.first_category`;
  const next = query.level === 'product' ? sql`cast(c.second_product_id as varchar)`
    : sql`(select p.category from products p where p.store_id = ${storeId} and p.id = c.second_product_id)`;
  return sql`(
    select ${key} as key, ${next} as next, c.first_day, c.second_day, c.revenue_12m
    from customer_summary c
    where c.store_id = ${storeId} and c.first_day between ${date(query.from)} and ${date(query.to)} and ${key} is not null
      ${attributeFilters(query.filters, 'c', storeId)}
  )`;
}

export async function productRetention(db: Db, storeId: string, query: ProductQuery): Promise<ProductRetentionRow[]> {
  const mature = sql`first_day <= ${date(addDays(query.lastDay, -365))}`;
  const { rows } = await sql<ProductRetentionRow>`
    select key, count(*) as "customers", count(*) filter (where second_day is not null) as "repeaters",
      percentile_cont(0.5) within group (order by second_day - first_day) as "medianDaysToSecondOrder",
      count(*) filter (where ${mature}) as "matureCustomers", coalesce(sum(revenue_12m) filter (where ${mature}), 0) as "revenue12m"
    from ${base(storeId, query)} b
    group by key order by 2 desc, 1 limit ${query.limit}
  `.execute(db);
  return rows;
}

/** The most common second-order products (or categories) for every first product (category). */
export async function nextProducts(db: Db, storeId: string, query: ProductQuery): Promise<NextProductRow[]> {
  const { rows } = await sql<NextProductRow>`
    select key, next, customers from (
      select key, next, count(*) as customers, row_number() over (partition by key order by count(*) desc, next) as rn
      from ${base(storeId, query)} b
      where next is not null
      group by key, next
    ) t where rn <= ${TOP_NEXT} order by key, customers desc, next
  `.execute(db);
  return rows;
}
