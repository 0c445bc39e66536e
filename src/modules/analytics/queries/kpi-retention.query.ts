/**
 * Retention and churn for a range.
 * Retention: of the customers who ordered in the period of the same length just before the range,
 * the share who ordered again within the range.
 * Churn: of the customers active at the start (an order in the `inactivityDays` before it), the
 * share with no order in the `inactivityDays` ending on the range's last day.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import { addDays, daysBetween, type Filters } from '../analytics.query.js';
import { factFilters } from '../filters.sql.js';
import { date } from './sql-helpers.js';

export interface KpiRetention {
  /** Customers with an order in the previous period. */
  previousCustomers: number;
  retainedCustomers: number;
  activeAtStart: number;
  churnedCustomers: number;
}

export async function kpiRetention(db: Db, storeId: string, range: { from: string; to: string }, inactivityDays: number, filters: Filters): Promise<KpiRetention> {
  const length = daysBetween(range.from, range.to) + 1;
  const previous = { from: addDays(range.from, -length), to: addDays(range.from, -1) };
  const from = date(range.from);
  const to = date(range.to);
  const filter = factFilters(filters, 'f', storeId);
  // The customer's last order of the previous period is the one whose next order is after it.
  const { rows: retention } = await sql<{ previousCustomers: number; retainedCustomers: number }>`
    select count(*) as "previousCustomers", count(*) filter (where next_day <= ${to}) as "retainedCustomers"
    from order_facts f
    where f.store_id = ${storeId} and f.is_order and f.seq is not null and f.day between ${date(previous.from)} and ${date(previous.to)}
      and (f.next_day is null or f.next_day >= ${from}) ${filter}
  `.execute(db);
  // At most two rows per customer: the last order before the range (if within the threshold) and
  // the last order in the range.
  const { rows: churn } = await sql<{ activeAtStart: number; churnedCustomers: number }>`
    select count(*) filter (where active_start) as "activeAtStart", count(*) filter (where active_start and not active_end) as "churnedCustomers"
    from (
      select f.customer_id, bool_or(f.day < ${from}) as active_start, bool_or(f.day > ${date(addDays(range.to, -inactivityDays))}) as active_end
      from order_facts f
      where f.store_id = ${storeId} and f.is_order and f.seq is not null ${filter}
        and ((f.day >= ${date(addDays(range.from, -inactivityDays))} and f.day < ${from} and (f.next_day is null or f.next_day >= ${from}))
          or (f.day between ${from} and ${to} and (f.next_day is null or f.next_day > ${to})))
      group by f.customer_id
    ) t
  `.execute(db);
  return { ...retention[0]!, ...churn[0]! };
}
