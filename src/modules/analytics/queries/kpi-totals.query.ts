/**
 * Range totals: orders, revenue net of returns, customers, new and returning customers and how
 * many had two or more orders by the end of the range. One scan of order_facts: a customer's last
 * order in the range is the row whose next order is after the range (or none), so customers are
 * counted without DISTINCT.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { Filters } from '../analytics.query.js';
import { factFilters } from '../filters.sql.js';
import { date } from './sql-helpers.js';

export interface KpiTotals {
  orders: number;
  guestOrders: number;
  customerOrders: number;
  /** Net of all returns counted in the range (minor units). */
  revenue: number;
  customerRevenue: number;
  gross: number;
  /** Returned amounts on orders placed in the range. */
  returnedOnOrders: number;
  /** Returns not attached to an order, by the day they happened. */
  unattachedReturns: number;
  ordersWithReturns: number;
  customers: number;
  newCustomers: number;
  returningCustomers: number;
  /** Customers of the range with two or more orders by its last day. */
  repeatCustomers: number;
}

export async function kpiTotals(db: Db, storeId: string, range: { from: string; to: string }, filters: Filters): Promise<KpiTotals> {
  const to = date(range.to);
  const lastInRange = sql`seq is not null and (next_day is null or next_day > ${to})`;
  const { rows } = await sql<KpiTotals>`
    select
      count(*) filter (where is_order) as "orders",
      count(*) filter (where is_order and customer_id is null) as "guestOrders",
      count(*) filter (where is_order and customer_id is not null) as "customerOrders",
      coalesce(sum(revenue), 0) as "revenue",
      coalesce(sum(revenue) filter (where customer_id is not null), 0) as "customerRevenue",
      coalesce(sum(gross), 0) as "gross",
      coalesce(sum(returned) filter (where is_order), 0) as "returnedOnOrders",
      coalesce(sum(returned) filter (where not is_order), 0) as "unattachedReturns",
      count(*) filter (where is_order and returned > 0) as "ordersWithReturns",
      count(*) filter (where ${lastInRange}) as "customers",
      count(*) filter (where seq = 1) as "newCustomers",
      count(*) filter (where ${lastInRange} and first_day < ${date(range.from)}) as "returningCustomers",
      count(*) filter (where ${lastInRange} and seq >= 2) as "repeatCustomers"
    from order_facts f
    where f.store_id = ${storeId} and f.day between ${date(range.from)} and ${to} ${factFilters(filters, 'f', storeId)}
  `.execute(db);
  return rows[0]!;
}
