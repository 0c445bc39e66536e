/**
 * Each known customer's lifecycle stage at the end of each month of the range (store-local days),
 * with the stage of the month before, and the month's order revenue. Stages, first match wins:
 * new (first order this month), reactivated (ordered this month after more than the inactivity
 * threshold without an order), active (ordered this month, or last order at most half the threshold
 * ago), at_risk (last order more than half the threshold ago), lapsed (more than the threshold),
 * prospect (seen in the store's events, no order yet). A customer's stage the month before counts
 * too, so the range's first month has movements. A month cut by the range ends at the range's last
 * day. Read from day-level marks (lifecycle.marks.ts): the store's marks must be computed for its
 * inactivity threshold, and its journey rows up to date, before.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import { localDayExpression } from '../local-day.js';
import { date } from './sql-helpers.js';

export const stages = ['prospect', 'new', 'active', 'at_risk', 'lapsed', 'reactivated'] as const;
export type Stage = (typeof stages)[number];

/**
 * Customers in a stage at a month's end after a stage the month before, and revenue of the month's
 * orders in that stage. Revenue is exact per month and stage; a row may carry revenue with no
 * customers (a prospect's first order month counts them after "prospect", its revenue after nothing).
 */
export interface LifecycleRow { month: string; stage: Stage; previous: Stage | null; customers: number; revenue: number }

export async function lifecycle(db: Db, scope: { storeId: string; timezone: string; firstMonth: string; lastMonth: string; to: string }): Promise<LifecycleRow[]> {
  const { storeId } = scope;
  const { rows: [span] } = await sql<{ since: Date | null; until: Date | null }>`
    select min(first_at) as since, max(first_at) as until from journey_customers where store_id = ${storeId}`.execute(db);
  const seenDay = localDayExpression(scope.timezone, sql`j.first_at`, span?.since ?? null, span?.until ?? null);
  const to = date(scope.to);
  // The stages told from orders come as marks kept with the summaries (lifecycle.marks.ts); the
  // prospects' marks are made here from each customer's first time seen and first order day:
  // prospect from the day seen until the first order, and, when seen before the month of that
  // order, "new" after "prospect" instead of after nothing in that month.
  const { rows } = await sql<LifecycleRow>`
    with months as (
      select cast(m as date) as m_start, least(cast(m + interval 1 month - interval 1 day as date), ${to}) as t
      from generate_series(${date(scope.firstMonth)}, cast(${date(scope.lastMonth)} as timestamp), interval 1 month) g(m)
    ),
    seen as (
      select s, f, n, cast(date_trunc('month', s) + interval 1 month as date) as s_next, cast(date_trunc('month', f) as date) as f_month,
        cast(date_trunc('month', f) + interval 1 month as date) as f_next
      from (
        select ${seenDay} as s, cs.first_day as f, count(*) as n
        from journey_customers j left join customer_summary cs on cs.store_id = ${storeId} and cs.customer_id = j.customer_id
        where j.store_id = ${storeId} and (cs.first_day is null or ${seenDay} < cs.first_day)
        group by 1, 2
      ) where s <= ${to}
    ),
    prospects(day, previous, stage, customers) as (
      select s, null, 'prospect', n from seen
      union all select case when f < s_next then f else s_next end, null, 'prospect', -n from seen
      union all select s_next, 'prospect', 'prospect', n from seen where f is null or s_next < f
      union all select f, 'prospect', 'prospect', -n from seen where s_next < f
      union all select f, null, 'new', -n from seen where s < f_month
      union all select f, 'prospect', 'new', n from seen where s < f_month
      union all select f_next, null, 'new', n from seen where s < f_month
      union all select f_next, 'prospect', 'new', -n from seen where s < f_month
    ),
    marks as (
      select day, previous, stage, customers, revenue from lifecycle_marks where store_id = ${storeId} and day <= ${to}
      union all select day, previous, stage, customers, 0 from prospects where day <= ${to}
    ),
    counted as (
      select m.m_start, k.stage, k.previous, sum(k.customers) as customers, coalesce(sum(k.revenue) filter (where k.day >= m.m_start), 0) as revenue
      from marks k join months m on k.day <= m.t group by all
    )
    select cast(m_start as varchar) as month, stage, previous, customers, revenue from counted where customers <> 0 or revenue <> 0 order by 1, 2, 3
  `.execute(db);
  return rows.map((row) => ({ ...row, customers: Number(row.customers), revenue: Number(row.revenue) }));
}

export const reactivationCauses = ['offer', 'campaign', 'flow', 'none'] as const;
export type ReactivationCause = (typeof reactivationCauses)[number];

export interface ReactivationRow { by: ReactivationCause; source_id: string | null; customers: number; revenue: number }

/** How far back a marketing message counts as having preceded a reactivation. */
export const REACTIVATION_LOOKBACK_DAYS = 30;

/**
 * What preceded each reactivation in the range (the reactivating order: a customer's first order in
 * a month, more than the inactivity threshold of days after their order before): an offer whose
 * code is on that order; else the latest marketing message sent to them in the
 * `REACTIVATION_LOOKBACK_DAYS` before it, by its campaign or flow; else nothing recorded. The
 * reactivating orders are kept with the lifecycle marks (lifecycle.marks.ts), for the threshold the
 * store's marks were computed with.
 */
export async function reactivations(db: Db, scope: { storeId: string; firstMonth: string; to: string }): Promise<ReactivationRow[]> {
  const { storeId } = scope;
  const { rows } = await sql<Omit<ReactivationRow, 'by'> & { cause: ReactivationCause }>`
    with re as (
      select order_id as id, customer_id as c, placed_at, total, discount_codes from lifecycle_reactivations
      where store_id = ${storeId} and day >= ${date(scope.firstMonth)} and day <= ${date(scope.to)}
    ),
    offered as (
      select r.id, min(i.offer_id) as offer_id from re r
      join offer_issues i on i.store_id = ${storeId} and i.customer_id = r.c and i.code is not null
        and list_contains(list_transform(r.discount_codes, x -> upper(x)), upper(i.code))
      group by r.id
    ),
    messaged as (
      select r.id, arg_max(s.source, st.changed_at) as source from re r
      join message_sends s on s.store_id = ${storeId} and s.customer_id = r.c and s.purpose = 'marketing'
        and (s.source like 'campaign:%' or s.source like 'flow:%')
      join message_send_states st on st.store_id = ${storeId} and st.send_id = s.id and st.state = 'sent'
        and st.changed_at <= r.placed_at and st.changed_at > r.placed_at - interval ${sql.raw(String(REACTIVATION_LOOKBACK_DAYS))} day
      group by r.id
    )
    select case when f.offer_id is not null then 'offer' when m.source like 'campaign:%' then 'campaign' when m.source like 'flow:%' then 'flow' else 'none' end as cause,
      coalesce(f.offer_id, regexp_extract(m.source, '^[a-z]+:(.*)$', 1)) as source_id, count(*) as customers, sum(r.total) as revenue
    from re r left join offered f on f.id = r.id left join messaged m on m.id = r.id
    group by all order by customers desc, cause, source_id`.execute(db);
  return rows.map(({ cause, ...row }) => ({ by: cause, ...row, source_id: row.source_id || null, customers: Number(row.customers), revenue: Number(row.revenue) }));
}
