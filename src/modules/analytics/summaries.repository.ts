/**
 * Set-based builds of the analytics summary tables (order_facts → customer_summary →
 * customer_periods). Every statement takes a scope: the whole store (full rebuild) or a list of
 * customers and guest orders (the incremental path after a write). Both paths run the same SQL,
 * so an incremental update can never drift from what a rebuild would produce.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../db/database.js';
import { dataSpan, localDayExpression } from './local-day.js';

export interface Scope {
  storeId: string;
  timezone: string;
  /**
   * False: the whole store. True: only the customers in the `analytics_scope_customers` temporary
   * table, the guest orders in `analytics_scope_orders`, and every unattached guest return.
   */
  scoped: boolean;
}

// Id lists live in temporary tables of the writer connection: DuckDB joins a table of ids far
// faster than it filters on an unnested list parameter.
const scopeCustomers = sql`(select id from analytics_scope_customers)`;
const scopeOrders = sql`(select id from analytics_scope_orders)`;

/** Fills the scope tables for an incremental pass (same transaction, same connection). */
export async function setScopeIds(tx: Tx, customerIds: readonly number[], orderIds: readonly number[]): Promise<void> {
  for (const [table, list] of [['analytics_scope_customers', customerIds], ['analytics_scope_orders', orderIds]] as const) {
    await sql`create temp table if not exists ${sql.table(table)} (id bigint)`.execute(tx);
    await sql`delete from ${sql.table(table)}`.execute(tx);
    if (list.length) await sql`insert into ${sql.table(table)} select distinct unnest(cast(${[...list]} as bigint[]))`.execute(tx);
  }
}

/** Rows of the scope (the customer column may be null for guests). */
function inScope(scope: Scope, customer: RawBuilder<unknown>, order: RawBuilder<unknown> | undefined): RawBuilder<unknown> {
  if (!scope.scoped) return sql`true`;
  const guests = order ? sql` or (${customer} is null and ${order} in ${scopeOrders})` : sql``;
  return sql`(${customer} in ${scopeCustomers}${guests})`;
}

export async function deleteScope(tx: Tx, scope: Scope): Promise<void> {
  const s = scope.storeId;
  if (!scope.scoped) {
    for (const table of ['order_facts', 'customer_summary', 'customer_periods'] as const) {
      await sql`delete from ${sql.table(table)} where store_id = ${s}`.execute(tx);
    }
    return;
  }
  // Rows of changed orders go whoever owned them before (a claimed guest order leaves no guest row).
  await sql`delete from order_facts where store_id = ${s} and (customer_id in ${scopeCustomers} or order_id in ${scopeOrders} or (customer_id is null and not is_order))`.execute(tx);
  await sql`delete from customer_summary where store_id = ${s} and customer_id in ${scopeCustomers}`.execute(tx);
  await sql`delete from customer_periods where store_id = ${s} and customer_id in ${scopeCustomers}`.execute(tx);
}

/** Customers who owned any of the scope's orders in the current facts. */
export async function formerOwners(tx: Tx, storeId: string): Promise<number[]> {
  const { rows } = await sql<{ customer_id: number }>`
    select distinct customer_id from order_facts where store_id = ${storeId} and customer_id is not null and order_id in ${scopeOrders}
  `.execute(tx);
  return rows.map((row) => row.customer_id);
}

/**
 * One row per counted order: cancelled orders are left out; returns attached to an order reduce
 * that order's revenue whenever they happen. Returns without an order become rows of their own on
 * the day of the return. seq/prev_day/next_day order a customer's orders by time then id.
 */
export async function insertOrderFacts(tx: Tx, scope: Scope): Promise<void> {
  const s = scope.storeId;
  const partition = sql`coalesce(o.customer_id, -o.id)`;
  const customerOnly = (expr: RawBuilder<unknown>) => sql`case when o.customer_id is not null then ${expr} end`;
  const span = await dataSpan(tx, s);
  const orderDay = localDayExpression(scope.timezone, sql`o.placed_at`, span.from, span.to);
  const returnDay = localDayExpression(scope.timezone, sql`r.returned_at`, span.from, span.to);
  await sql`
    insert into order_facts
    with ret as (
      select order_id, sum(amount) as amount from returns
      where store_id = ${s} and order_id is not null group by order_id
    ), o as (
      select o.id, o.customer_id, o.placed_at, ${orderDay} as day, o.channel,
        (o.discount > 0 or coalesce(array_length(o.discount_codes, 1), 0) > 0) as discounted, o.total as gross, coalesce(ret.amount, 0) as returned
      from orders o left join ret on ret.order_id = o.id
      where o.store_id = ${s} and o.status <> 'cancelled' and ${inScope(scope, sql`o.customer_id`, sql`o.id`)}
    )
    select ${s}, o.id, o.customer_id, true, o.day, o.channel, o.discounted, o.gross, o.returned, o.gross - o.returned,
      ${customerOnly(sql`row_number() over w`)},
      ${customerOnly(sql`first_value(o.day) over w`)},
      ${customerOnly(sql`lag(o.day) over w`)},
      ${customerOnly(sql`lead(o.day) over w`)}
    from o
    window w as (partition by ${partition} order by o.placed_at, o.id)
  `.execute(tx);
  // Returns without an order: guest ones are rebuilt whole on every incremental pass (rare).
  await sql`
    insert into order_facts
    select ${s}, null, r.customer_id, false, ${returnDay}, null, false, 0, r.amount, -r.amount,
      null, null, null, null
    from returns r
    where r.store_id = ${s} and r.order_id is null
      and ${scope.scoped ? sql`(r.customer_id is null or r.customer_id in ${scopeCustomers})` : sql`true`}
  `.execute(tx);
}

/**
 * Per customer: orders, revenue, first/second/last order day and the last order's time, what the
 * first order was (product with the largest line total, its category, channel, discount, payment
 * method) and the second order's product.
 */
export async function insertCustomerSummary(tx: Tx, scope: Scope): Promise<void> {
  const s = scope.storeId;
  const facts = sql`store_id = ${s} and customer_id is not null and ${inScope(scope, sql`customer_id`, undefined)}`;
  await sql`
    insert into customer_summary
    with agg as (
      select customer_id, min(day) as first_d, min(day) filter (where seq = 2) as second_d, max(day) as last_d,
        count(*) as orders, sum(gross) as gross, sum(returned) as returned, sum(revenue) as revenue,
        sum(revenue) filter (where day < first_day + 365) as revenue_12m,
        bool_or(returned > 0) filter (where seq = 1) as first_returned,
        max(order_id) filter (where seq = 1) as first_order_id, max(order_id) filter (where seq = 2) as second_order_id,
        max(channel) filter (where seq = 1) as first_channel, bool_or(discounted) filter (where seq = 1) as first_discount,
        arg_max(order_id, seq) as last_order_id
      from order_facts where ${facts} and is_order group by customer_id
    ), loose as (
      select customer_id, sum(returned) as returned from order_facts where ${facts} and not is_order group by customer_id
    ), main_line as (
      select order_id, product_id from (
        select l.order_id, l.product_id, row_number() over (partition by l.order_id order by l.total desc, l.line_no) as rn
        from order_lines l
        where l.store_id = ${s} and l.product_id is not null
          and l.order_id in (select first_order_id from agg union all select second_order_id from agg where second_order_id is not null)
      ) where rn = 1
    )
    select ${s}, a.customer_id, a.first_d, a.second_d, a.last_d, a.orders, a.gross,
      a.returned + coalesce(loose.returned, 0), a.revenue - coalesce(loose.returned, 0), a.revenue_12m,
      coalesce(a.first_returned, false), f.product_id, p.category, n.product_id, a.first_channel, coalesce(a.first_discount, false), c.country,
      fo.payment_method, lo.placed_at
    from agg a
    left join loose on loose.customer_id = a.customer_id
    left join main_line f on f.order_id = a.first_order_id
    left join main_line n on n.order_id = a.second_order_id
    left join products p on p.store_id = ${s} and p.id = f.product_id
    left join customers c on c.store_id = ${s} and c.id = a.customer_id
    left join orders fo on fo.store_id = ${s} and fo.id = a.first_order_id
    left join orders lo on lo.store_id = ${s} and lo.id = a.last_order_id
  `.execute(tx);
}

/**
 * Per customer and week/month/quarter with an order. Offsets are whole periods since the cohort's.
 * One statement per kind, so each kind's rows sit together and a cohort query skips the others.
 */
export async function insertCustomerPeriods(tx: Tx, scope: Scope): Promise<void> {
  const s = scope.storeId;
  for (const kind of ['week', 'month', 'quarter'] as const) {
    const monthOffset = sql`((extract(year from p.period_start) - extract(year from p.cohort_start)) * 12 + extract(month from p.period_start) - extract(month from p.cohort_start))`;
    // Both ends are period starts, so the divisions are exact.
    const offset = kind === 'week' ? sql`(p.period_start - p.cohort_start) / 7` : kind === 'month' ? monthOffset : sql`${monthOffset} / 3`;
    await sql`
      insert into customer_periods
      with p as (
        select customer_id, cast(date_trunc(${sql.lit(kind)}, first_day) as date) as cohort_start, cast(date_trunc(${sql.lit(kind)}, day) as date) as period_start,
          count(*) as orders, sum(revenue) as revenue
        from order_facts
        where store_id = ${s} and is_order and customer_id is not null and ${inScope(scope, sql`customer_id`, undefined)}
        group by 1, 2, 3
      )
      select ${s}, ${kind}, p.customer_id, p.cohort_start, p.period_start, cast(${offset} as integer),
        p.period_start = cast(date_trunc(${sql.lit(kind)}, c.last_day) as date), p.orders, p.revenue,
        c.channel, c.country, c.first_product_id, c.first_category, c.first_discount, c.payment_method
      from p join customer_summary c on c.store_id = ${s} and c.customer_id = p.customer_id
    `.execute(tx);
  }
}
