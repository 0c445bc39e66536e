/**
 * Each known customer's lifecycle stage at the end of each month of the range (store-local days),
 * with the stage of the month before, and the month's order revenue. Stages, first match wins:
 * new (first order this month), reactivated (ordered this month after more than the inactivity
 * threshold without an order), active (ordered this month, or last order at most half the threshold
 * ago), at_risk (last order more than half the threshold ago), lapsed (more than the threshold),
 * prospect (browsing seen, no order yet). The month before the range is computed too, so the
 * range's first month has movements. A month cut by the range ends at the range's last day.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import { localDayExpression } from '../local-day.js';
import { date } from './sql-helpers.js';

export const stages = ['prospect', 'new', 'active', 'at_risk', 'lapsed', 'reactivated'] as const;
export type Stage = (typeof stages)[number];

export interface LifecycleRow { month: string; stage: Stage; previous: Stage | null; customers: number; revenue: number }

export async function lifecycle(db: Db, scope: { storeId: string; timezone: string; end: Date; firstMonth: string; lastMonth: string; to: string; inactivityDays: number }): Promise<LifecycleRow[]> {
  const { storeId } = scope;
  // The local-day expression is exact over the span of the data it reads.
  const { rows: [span] } = await sql<{ since: Date | null; until: Date | null }>`
    select least((select min(placed_at) from orders where store_id = ${storeId}), (select min(occurred_at) from events where store_id = ${storeId})) as since,
      greatest((select max(placed_at) from orders where store_id = ${storeId}), (select max(occurred_at) from events where store_id = ${storeId})) as until
  `.execute(db);
  const since = span?.since ?? null;
  const until = span?.until && span.until < scope.end ? span.until : scope.end;
  const orderDay = localDayExpression(scope.timezone, sql`placed_at`, since, until);
  const seenDay = localDayExpression(scope.timezone, sql`e.occurred_at`, since, until);
  const { rows } = await sql<LifecycleRow>`
    with months as (
      select cast(m as date) as m_start, least(cast(m + interval 1 month - interval 1 day as date), ${date(scope.to)}) as m_end
      from generate_series(${date(scope.firstMonth)} - interval 1 month, cast(${date(scope.lastMonth)} as timestamp), interval 1 month) t(m)
    ),
    o as (
      select customer_id as c, ${orderDay} as d, total from orders
      where store_id = ${storeId} and customer_id is not null and status <> 'cancelled' and placed_at < ${scope.end}
    ),
    -- Orders on or before the range's last day, per customer and month; every month's end is on or
    -- before that day, so a month's orders are those of its calendar month.
    cm as (
      select c, cast(date_trunc('month', d) as date) as mo, count(*) as n, sum(total) as revenue, min(d) as first_d, max(d) as last_d
      from o where d <= ${date(scope.to)} group by c, mo
    ),
    cf as (
      select c, min(first_d) as first_day, max(last_d) filter (where mo < (select min(m_start) from months)) as prior_last
      from cm group by c
    ),
    -- Each customer in each month from their first order's on: the month's own orders, and the
    -- last order day up to the month's end and before its start (the months before the range too).
    buyers as (
      select m.m_start, m.m_end, cf.c, cf.first_day,
        greatest(cf.prior_last, max(x.last_d) over upto) as last_day,
        greatest(cf.prior_last, max(x.last_d) over (upto rows between unbounded preceding and 1 preceding)) as before_day,
        coalesce(x.n, 0) as orders_in, coalesce(x.revenue, 0) as revenue, x.first_d as first_in
      from cf join months m on cf.first_day <= m.m_end
      left join cm x on x.c = cf.c and x.mo = m.m_start
      window upto as (partition by cf.c order by m.m_start)
    ),
    seen as (
      select coalesce(e.customer_id, i.customer_id) as c, min(${seenDay}) as d
      from events e left join identities i on i.store_id = e.store_id and i.anonymous_id = e.anonymous_id
      where e.store_id = ${storeId} and e.occurred_at < ${scope.end} and coalesce(e.customer_id, i.customer_id) is not null
      group by 1
    ),
    stages as (
      select m_start, c, revenue, case
        when orders_in > 0 and first_day >= m_start then 'new'
        when orders_in > 0 and first_in - before_day > ${scope.inactivityDays} then 'reactivated'
        when orders_in > 0 then 'active'
        when m_end - last_day > ${scope.inactivityDays} then 'lapsed'
        when (m_end - last_day) * 2 > ${scope.inactivityDays} then 'at_risk'
        else 'active' end as stage
      from buyers
      union all
      select m.m_start, s.c, 0, 'prospect' from seen s join months m on s.d <= m.m_end
      left join cf on cf.c = s.c where cf.c is null or cf.first_day > m.m_end
    ),
    moves as (select m_start, stage, lag(stage) over (partition by c order by m_start) as previous,
      lag(m_start) over (partition by c order by m_start) as previous_month, revenue from stages)
    select cast(m_start as varchar) as month, stage, case when previous_month = m_start - interval 1 month then previous end as previous,
      count(*) as customers, sum(revenue) as revenue
    from moves where m_start >= ${date(scope.firstMonth)} group by all order by 1, 2, 3
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
 * `REACTIVATION_LOOKBACK_DAYS` before it, by its campaign or flow; else nothing recorded.
 */
export async function reactivations(db: Db, scope: { storeId: string; timezone: string; end: Date; firstMonth: string; to: string; inactivityDays: number }): Promise<ReactivationRow[]> {
  const { storeId } = scope;
  const { rows: [span] } = await sql<{ since: Date | null; until: Date | null }>`
    select min(placed_at) as since, max(placed_at) as until from orders where store_id = ${storeId}`.execute(db);
  const until = span?.until && span.until < scope.end ? span.until : scope.end;
  const orderDay = localDayExpression(scope.timezone, sql`placed_at`, span?.since ?? null, until);
  const { rows } = await sql<Omit<ReactivationRow, 'by'> & { cause: ReactivationCause }>`
    with o as (
      select id, customer_id as c, placed_at, total, discount_codes, ${orderDay} as d from orders
      where store_id = ${storeId} and customer_id is not null and status <> 'cancelled' and placed_at < ${scope.end}
    ),
    ranked as (
      select *, lag(d) over (partition by c order by placed_at, id) as previous_day,
        row_number() over (partition by c, date_trunc('month', d) order by placed_at, id) as nth_in_month
      from o
    ),
    re as (
      select * from ranked where nth_in_month = 1 and previous_day is not null and d - previous_day > ${scope.inactivityDays}
        and d >= ${date(scope.firstMonth)} and d <= ${date(scope.to)}
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
