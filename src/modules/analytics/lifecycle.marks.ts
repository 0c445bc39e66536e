/**
 * The lifecycle stages told from orders, kept as day-level marks (`lifecycle_marks`, migration
 * 2026-12-10T000100) so the lifecycle report sums a few thousand rows instead of walking every
 * customer through every month.
 *
 * A customer's stage on a day t of month M is what the report would give M if it ended on t (see
 * queries/lifecycle.query.ts): new, reactivated or active if they ordered in M up to t, else
 * active, at risk or lapsed by the days since their last order. With the stage at the end of the
 * month before, that makes a pair which changes only on a few days: an order starting a month's
 * orders, the days the recency stage moves (half the threshold and the threshold after the last
 * order), and the first day of the month after each of those. Each stretch of days with one pair
 * is a +1 mark on its first day and a −1 on the day after its last; the report sums the marks up
 * to each month's end. Each order's total is marked on its day with its month's pair.
 *
 * With them, the orders that reactivated a customer (`lifecycle_reactivations`), for what preceded
 * each reactivation.
 *
 * The marks are kept with the summaries: the incremental pass subtracts a changed customer's
 * marks before rebuilding their order facts and adds the new ones after, as the day-level
 * aggregates do; a rebuild of the summaries drops them, and the report rebuilds them for the
 * threshold it uses (`lifecycle_state` records it).
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx } from '../../db/database.js';
import type { Scope } from './summaries.repository.js';

/** The recency stage `days` after the last order, for a threshold of `threshold` days. */
function recencyStage(days: RawBuilder<unknown>, threshold: number): RawBuilder<string> {
  const t = sql.lit(threshold);
  return sql<string>`case when ${days} > ${t} then 'lapsed' when (${days}) * 2 > ${t} then 'at_risk' else 'active' end`;
}

const monthOf = (day: RawBuilder<unknown>) => sql`cast(date_trunc('month', ${day}) as date)`;
const monthAfter = (day: RawBuilder<unknown>) => sql`cast(date_trunc('month', ${day}) + interval 1 month as date)`;

/** The marks of the scope's customers (all of the store's when not scoped), times `sign`. */
function marks(scope: Scope, threshold: number, sign: 1 | -1): RawBuilder<unknown> {
  const t = sql.lit(threshold);
  const k = sql.lit(sign);
  const half = sql.lit(Math.floor(threshold / 2) + 1);
  const lapse = sql.lit(threshold + 1);
  const customers = inScope(scope);
  const orderStage = sql`case when b is null then 'new' when f - b > ${t} then 'reactivated' else 'active' end`;
  return sql`
    with facts as materialized (
      select customer_id as c, day, ${monthOf(sql`day`)} as mo, sum(gross) as gross, max(prev_day) filter (where prev_day < date_trunc('month', day)) as b
      from order_facts where store_id = ${scope.storeId} and is_order and customer_id is not null and ${customers}
      group by 1, 2
    ),
    -- Each month with orders: its first and last order day, and the order day before the month.
    months as (select c, mo, min(day) as f, max(day) as l, max(b) as b from facts group by 1, 2),
    staged as (
      select c, mo, f, l, b, ${orderStage} as s, lag(mo) over w as prev_mo, lag(${orderStage}) over w as prev_s, lead(f) over w as next_f
      from months window w as (partition by c order by mo)
    ),
    -- The month's own stretch: from its first order to its end, after the stage the month before ended in.
    own as (
      select c, mo, f, l, s, next_f, ${monthAfter(sql`mo`)} as g,
        case when b is null then null when prev_mo = mo - interval 1 month then prev_s else ${recencyStage(sql`(mo - 1) - b`, threshold)} end as p
      from staged
    ),
    -- The days after the month until the next order: the stretches start on the month after, on the
    -- days the recency stage moves, and on the first day of the month after each move.
    gaps as (
      select c, g, s, l, list_sort(list_distinct(list_filter(
          [g, ${monthAfter(sql`g`)}, l + ${half}, l + ${lapse}, ${monthAfter(sql`l + ${half}`)}, ${monthAfter(sql`l + ${lapse}`)}],
          x -> x >= g and (next_f is null or x < next_f)))) as starts, next_f
      from own
    ),
    stretches as (
      select x, y, case when ${monthOf(sql`x`)} = g then s else ${recencyStage(sql`${monthOf(sql`x`)} - 1 - l`, threshold)} end as previous,
        ${recencyStage(sql`x - l`, threshold)} as stage
      from (select g, s, l, unnest(starts) as x, unnest(list_concat(starts[2:], [next_f])[1:len(starts)]) as y from gaps)
      union all
      select f, g, p, s from own
    ),
    marked as (
      select x as day, previous, stage, 1 as customers, 0 as revenue from stretches
      union all select y, previous, stage, -1, 0 from stretches where y is not null
      union all select d.day, o.p, o.s, 0, d.gross from facts d join own o on o.c = d.c and o.mo = d.mo
    )
    select day, previous, stage, ${k} * sum(customers) as customers, ${k} * sum(revenue) as revenue
    from marked group by all having sum(customers) <> 0 or sum(revenue) <> 0`;
}

const inScope = (scope: Scope, column = sql`customer_id`) => (scope.scoped ? sql`${column} in (select id from analytics_scope_customers)` : sql`true`);

/**
 * The orders that reactivated a customer: a month's first order (the order before it is in an
 * earlier month) more than the threshold of days after the order before.
 */
function reactivatingOrders(scope: Scope, threshold: number): RawBuilder<unknown> {
  // A scope's facts first, kept: DuckDB would otherwise test the days of every order of the store.
  return sql`
    with facts as ${scope.scoped ? sql`materialized` : sql``} (
      select order_id, customer_id, day, prev_day from order_facts
      where store_id = ${scope.storeId} and is_order and customer_id is not null and ${inScope(scope)}
    )
    select f.order_id, f.customer_id, f.day, o.placed_at, o.total, o.discount_codes
    from facts f join orders o on o.store_id = ${scope.storeId} and o.id = f.order_id and ${inScope(scope, sql`o.customer_id`)}
    where f.prev_day < date_trunc('month', f.day) and f.day - f.prev_day > ${sql.lit(threshold)}`;
}

/**
 * Adds (sign 1) or subtracts (sign −1) the marks of the scope's current order facts, if the store
 * keeps marks; and removes (−1) or adds (1) the scope's reactivating orders. Adding collapses the
 * marks again to one row per day and pair.
 */
export async function applyLifecycleMarks(tx: Tx, scope: Scope, sign: 1 | -1): Promise<void> {
  const threshold = await lifecycleThreshold(tx, scope.storeId);
  if (threshold === null) return;
  await sql`insert into lifecycle_marks select ${scope.storeId}, m.* from (${marks(scope, threshold, sign)}) m`.execute(tx);
  if (sign === -1) {
    await sql`delete from lifecycle_reactivations where store_id = ${scope.storeId} and ${inScope(scope)}`.execute(tx);
  } else {
    await sql`insert into lifecycle_reactivations select ${scope.storeId}, r.* from (${reactivatingOrders(scope, threshold)}) r`.execute(tx);
    await compactLifecycleMarks(tx, scope.storeId);
  }
}

/** Collapses the marks to one row per day and pair (the incremental pass appends signed rows). */
async function compactLifecycleMarks(tx: Tx, storeId: string): Promise<void> {
  await sql`create or replace temp table lifecycle_compacted as
    select day, previous, stage, sum(customers) as customers, sum(revenue) as revenue from lifecycle_marks
    where store_id = ${storeId} group by all having sum(customers) <> 0 or sum(revenue) <> 0`.execute(tx);
  await sql`delete from lifecycle_marks where store_id = ${storeId}`.execute(tx);
  await sql`insert into lifecycle_marks select ${storeId}, * from lifecycle_compacted order by day`.execute(tx);
  await sql`drop table lifecycle_compacted`.execute(tx);
}

/** Computes the store's marks whole for `threshold`. */
export async function rebuildLifecycleMarks(tx: Tx, storeId: string, threshold: number): Promise<void> {
  const unscoped: Scope = { storeId, timezone: '', scoped: false };
  await dropLifecycleMarks(tx, storeId);
  await sql`insert into lifecycle_marks select ${storeId}, m.* from (${marks(unscoped, threshold, 1)}) m order by m.day`.execute(tx);
  await sql`insert into lifecycle_reactivations select ${storeId}, r.* from (${reactivatingOrders(unscoped, threshold)}) r order by r.day`.execute(tx);
  await sql`insert into lifecycle_state values (${storeId}, ${threshold})`.execute(tx);
}

/** Forgets the store's marks: the next lifecycle report computes them again. */
export async function dropLifecycleMarks(tx: Tx, storeId: string): Promise<void> {
  for (const table of ['lifecycle_marks', 'lifecycle_reactivations', 'lifecycle_state'] as const) await sql`delete from ${sql.table(table)} where store_id = ${storeId}`.execute(tx);
}

/** The threshold the store's marks were computed with, or null without marks. */
export async function lifecycleThreshold(db: Db | Tx, storeId: string): Promise<number | null> {
  const { rows } = await sql<{ inactivity_days: number }>`select inactivity_days from lifecycle_state where store_id = ${storeId}`.execute(db);
  return rows[0] ? Number(rows[0].inactivity_days) : null;
}
