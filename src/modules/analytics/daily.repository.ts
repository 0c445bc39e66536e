/**
 * Day-level aggregates of the summaries (daily_totals, daily_next, daily_new). Every column is a
 * count or a sum, so an incremental pass subtracts the contribution of the rows it is about to
 * replace and adds that of their replacements; queries sum over duplicate keys, and `compactDaily`
 * collapses them when they pile up.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../db/database.js';
import type { Scope } from './summaries.repository.js';

/** The order_facts rows an incremental pass replaces (the same rows deleteScope removes). */
function factsInScope(scope: Scope): RawBuilder<unknown> {
  if (!scope.scoped) return sql`true`;
  return sql`(customer_id in (select id from analytics_scope_customers) or order_id in (select id from analytics_scope_orders)
    or (customer_id is null and not is_order))`;
}

const summaryInScope = (scope: Scope) => (scope.scoped ? sql`customer_id in (select id from analytics_scope_customers)` : sql`true`);

/**
 * The day-level aggregates of order_facts / customer_summary rows matching `where`, times `sign`.
 * Columns as in the tables, without store_id. The same SQL feeds the tables and, when a report
 * filters on customer attributes, is run on the fly over the filtered rows.
 */
export function totalsAggregate(where: RawBuilder<unknown>, sign: 1 | -1 = 1): RawBuilder<unknown> {
  const k = sql.lit(sign);
  return sql`
    select day, ${k} * count(*) filter (where is_order) as orders, ${k} * count(*) filter (where is_order and customer_id is null) as guest_orders,
      ${k} * count(*) filter (where is_order and customer_id is not null) as customer_orders, ${k} * coalesce(sum(revenue), 0) as revenue,
      ${k} * coalesce(sum(revenue) filter (where customer_id is not null), 0) as customer_revenue, ${k} * coalesce(sum(gross), 0) as gross,
      ${k} * coalesce(sum(returned) filter (where is_order), 0) as returned_on_orders, ${k} * coalesce(sum(returned) filter (where not is_order), 0) as unattached_returns,
      ${k} * count(*) filter (where is_order and returned > 0) as orders_with_returns, ${k} * count(*) filter (where seq = 1) as new_customers
    from order_facts where ${where}
    group by day`;
}

export function nextAggregate(where: RawBuilder<unknown>, sign: 1 | -1 = 1): RawBuilder<unknown> {
  const k = sql.lit(sign);
  return sql`
    select day, next_day, ${k} * count(*) as orders, ${k} * count(*) filter (where seq >= 2) as repeat_orders
    from order_facts where is_order and seq is not null and ${where}
    group by day, next_day`;
}

export function newAggregate(where: RawBuilder<unknown>, sign: 1 | -1 = 1): RawBuilder<unknown> {
  const k = sql.lit(sign);
  return sql`
    select first_day, cast(second_day - first_day as integer) as days_to_second, first_order_returned, ${k} * count(*) as customers
    from customer_summary where ${where}
    group by 1, 2, 3`;
}

/** Adds (sign 1) or subtracts (sign −1) the scope's current rows to the day-level tables. */
export async function applyDaily(tx: Tx, scope: Scope, sign: 1 | -1): Promise<void> {
  const s = scope.storeId;
  // In day order, so range reads skip whole row groups by their min/max.
  await sql`insert into daily_totals select ${s}, a.* from (${totalsAggregate(sql`store_id = ${s} and ${factsInScope(scope)}`, sign)}) a order by a.day`.execute(tx);
  await sql`insert into daily_next select ${s}, a.* from (${nextAggregate(sql`store_id = ${s} and ${factsInScope(scope)}`, sign)}) a order by a.day, a.next_day`.execute(tx);
  await sql`insert into daily_new select ${s}, a.* from (${newAggregate(sql`store_id = ${s} and ${summaryInScope(scope)}`, sign)}) a`.execute(tx);
}

export async function deleteDaily(tx: Tx, storeId: string): Promise<void> {
  for (const table of ['daily_totals', 'daily_next', 'daily_new'] as const) {
    await sql`delete from ${sql.table(table)} where store_id = ${storeId}`.execute(tx);
  }
}

export async function dailyRows(tx: Tx, storeId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*) as n from daily_next where store_id = ${storeId}`.execute(tx);
  return rows[0]?.n ?? 0;
}

/** One row per key again, zero rows dropped; returns the rows left in daily_next. */
export async function compactDaily(tx: Tx, storeId: string): Promise<number> {
  const s = storeId;
  const sums = {
    daily_totals: sql`select store_id, day, sum(orders), sum(guest_orders), sum(customer_orders), sum(revenue), sum(customer_revenue), sum(gross),
      sum(returned_on_orders), sum(unattached_returns), sum(orders_with_returns), sum(new_customers)
      from daily_totals where store_id = ${s} group by store_id, day
      having sum(orders) <> 0 or sum(revenue) <> 0 or sum(gross) <> 0 or sum(unattached_returns) <> 0`,
    daily_next: sql`select store_id, day, next_day, sum(orders), sum(repeat_orders) from daily_next where store_id = ${s}
      group by store_id, day, next_day having sum(orders) <> 0 order by day, next_day`,
    daily_new: sql`select store_id, first_day, days_to_second, first_order_returned, sum(customers) from daily_new where store_id = ${s}
      group by store_id, first_day, days_to_second, first_order_returned having sum(customers) <> 0`,
  };
  for (const [table, query] of Object.entries(sums)) {
    await sql`create temp table if not exists ${sql.table(`${table}_compacted`)} as select * from ${sql.table(table)} limit 0`.execute(tx);
    await sql`delete from ${sql.table(`${table}_compacted`)}`.execute(tx);
    await sql`insert into ${sql.table(`${table}_compacted`)} ${query}`.execute(tx);
    await sql`delete from ${sql.table(table)} where store_id = ${s}`.execute(tx);
    await sql`insert into ${sql.table(table)} select * from ${sql.table(`${table}_compacted`)}`.execute(tx);
  }
  return dailyRows(tx, storeId);
}
