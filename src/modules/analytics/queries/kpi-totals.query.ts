/**
 * Range totals: orders, revenue net of returns, customers, new and returning customers, and how
 * many had two or more orders by the end of the range. A customer's last order in the range is
 * the one whose next order is after the range (or none), so customers are counted without
 * DISTINCT; returning customers are the range's customers who are not new in it.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { KpiSources } from './kpi-sources.js';
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

export async function kpiTotals(db: Db, sources: KpiSources, range: { from: string; to: string }): Promise<KpiTotals> {
  const from = date(range.from);
  const to = date(range.to);
  const lastInRange = sql`next_day is null or next_day > ${to}`;
  const { rows } = await sql<Omit<KpiTotals, 'returningCustomers'>>`
    select t.*, n.* from (
      select coalesce(sum(orders), 0) as "orders", coalesce(sum(guest_orders), 0) as "guestOrders", coalesce(sum(customer_orders), 0) as "customerOrders",
        coalesce(sum(revenue), 0) as "revenue", coalesce(sum(customer_revenue), 0) as "customerRevenue", coalesce(sum(gross), 0) as "gross",
        coalesce(sum(returned_on_orders), 0) as "returnedOnOrders", coalesce(sum(unattached_returns), 0) as "unattachedReturns",
        coalesce(sum(orders_with_returns), 0) as "ordersWithReturns", coalesce(sum(new_customers), 0) as "newCustomers"
      from ${sources.totals} t where day between ${from} and ${to}
    ) t, (
      select coalesce(sum(orders) filter (where ${lastInRange}), 0) as "customers", coalesce(sum(repeat_orders) filter (where ${lastInRange}), 0) as "repeatCustomers"
      from ${sources.next} n where day between ${from} and ${to}
    ) n
  `.execute(db);
  const row = rows[0]!;
  return { ...row, returningCustomers: row.customers - row.newCustomers };
}
