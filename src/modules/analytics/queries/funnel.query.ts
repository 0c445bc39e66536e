/**
 * A funnel over browsing: for units whose first step falls in the range, how many reached each
 * step, split by first-time vs returning customers (an order placed before the unit's first
 * step), by acquisition channel, device, persona or membership of a segment, and by the period of
 * the first step; for converters, the time from the first to the last step (median, quartiles, a
 * distribution). Grouping sets give the three cuts in one scan.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { FunnelQuery } from '../journey.query.js';
import { localDayExpression } from '../local-day.js';
import { funnelCtes } from './funnel-steps.sql.js';
import { dropoffCtes, type DropoffRow } from './funnel-dropoffs.query.js';
import type { EventSpan } from './journey-events.sql.js';
import { trunc } from './sql-helpers.js';

export interface FunnelRow {
  /** 'all', 'segment' (first vs returning, or acquisition channel) or 'period'. */
  cut: 'all' | 'segment' | 'period';
  segment: string | null;
  period: string | null;
  /** Units reaching each step, in order. */
  reached: number[];
  medianSeconds: number | null;
  p25Seconds: number | null;
  p75Seconds: number | null;
  /** Converters by time to convert: ≤ 1 min, ≤ 10 min, ≤ 1 h, ≤ 1 day, ≤ 7 days, longer. */
  buckets: number[];
}

export const TIME_BUCKETS = [60, 600, 3600, 86_400, 7 * 86_400] as const;

/**
 * The breakdown's value for a unit (in \`firsts\`: s1, uc = its customer, fo = their first order,
 * cs = their summary, pn = their persona). Units with no known customer are \`(anonymous)\` in every
 * breakdown about customers.
 */
function breakdownValue(query: FunnelQuery, storeId: string, day: RawBuilder<unknown>): RawBuilder<string> {
  switch (query.breakdown) {
    // Returning: the customer's first order (not cancelled) came before the unit's first step. The
    // customer's summary tells the day of that order; only on the same day are the orders read
    // (`earlier_same_day`).
    case 'customer_type': return sql<string>`case when cs.first_day is null or cs.first_day > ${day} then 'first'
      when cs.first_day < ${day} or s1.unit in (select unit from earlier_same_day) then 'returning' else 'first' end`;
    // The acquisition channel is the first order's (customer summaries).
    case 'channel': return sql<string>`case when s1.customer_id is null then '(anonymous)' else coalesce(cs.channel, '(none)') end`;
    case 'device': return sql<string>`s1.device`;
    case 'persona': return sql<string>`case when s1.customer_id is null then '(anonymous)' else coalesce(pn.name, '(none)') end`;
    case 'segment': return sql<string>`case when s1.customer_id is null then '(anonymous)'
      when exists (select 1 from segment_members sm where sm.store_id = ${storeId} and sm.segment_id = ${query.segmentId} and sm.customer_id = s1.customer_id) then 'member'
      else 'not a member' end`;
  }
}

/** The funnel's rows and where the units that dropped went, in one query (the step chain once). */
export async function funnel(db: Db, span: EventSpan & { timezone: string }, query: FunnelQuery): Promise<{ rows: FunnelRow[]; dropoffs: DropoffRow[] }> {
  const n = query.steps.length;
  const joins = query.steps.slice(1).map((_, i) => sql`left join ${sql.raw(`s${i + 2}`)} on ${sql.raw(`s${i + 2}`)}.unit = s1.unit`);
  const reached = query.steps.map((_, i) => sql`count(${sql.raw(`s${i + 1}`)}.t)`);
  const last = sql.raw(`s${n}`);
  const seconds = sql`epoch(${last}.t - s1.t)`;
  const buckets = [...TIME_BUCKETS.map((limit, i) => sql`count(*) filter (where ${seconds} <= ${limit}${i > 0 ? sql` and ${seconds} > ${TIME_BUCKETS[i - 1]!}` : sql``})`),
    sql`count(*) filter (where ${seconds} > ${TIME_BUCKETS[TIME_BUCKETS.length - 1]!})`];
  const day = localDayExpression(span.timezone, sql`s1.t`, span.start, span.end);
  const segment = breakdownValue(query, span.storeId, day);
  const summary = query.breakdown === 'customer_type' || query.breakdown === 'channel'
    ? sql`left join customer_summary cs on cs.store_id = ${span.storeId} and cs.customer_id = s1.customer_id` : sql``;
  const persona = query.breakdown === 'persona'
    ? sql`left join (
        select pm.customer_id, p.name from persona_members pm join personas p on p.store_id = pm.store_id and p.id = pm.persona_id
        where pm.store_id = ${span.storeId}
      ) pn on pn.customer_id = s1.customer_id` : sql``;
  const { rows: all } = await sql<{
    dropoff: boolean; g_segment: number; g_period: number; segment: string | null; period: string | null; reached: number[];
    median: number | null; p25: number | null; p75: number | null; buckets: number[]; step: number; label: string; units: number;
  }>`
    with ${funnelCtes(span, query)},${query.breakdown === 'customer_type' ? sql`
    earlier_same_day as (
      select distinct d.unit from (
        select s1.unit, s1.customer_id, s1.t from s1 join customer_summary cs on cs.store_id = ${span.storeId} and cs.customer_id = s1.customer_id
        where cs.first_day = ${day}
      ) d join orders o on o.store_id = ${span.storeId} and o.customer_id = d.customer_id and o.status <> 'cancelled' and o.placed_at < d.t
    ),` : sql``}
    firsts as (
      select s1.unit, cast(${trunc(query.period, day)} as varchar) as period, ${segment} as segment
      from s1 ${summary} ${persona}
    ),
    ${dropoffCtes(span, query)},
    funnel_rows as (
      select grouping(f.segment) as g_segment, grouping(f.period) as g_period, f.segment as segment, f.period as period,
        [${sql.join(reached, sql`, `)}] as reached,
        quantile_cont(${seconds}, 0.5) as median, quantile_cont(${seconds}, 0.25) as p25, quantile_cont(${seconds}, 0.75) as p75,
        [${sql.join(buckets, sql`, `)}] as buckets
      from s1 join firsts f on f.unit = s1.unit ${sql.join(joins, sql` `)}
      group by grouping sets ((), (f.segment), (f.period))
    )
    select false as dropoff, g_segment, g_period, segment, period, reached, median, p25, p75, buckets, null as step, null as label, null as units from funnel_rows
    union all
    select true, null, null, null, null, null, null, null, null, null, step, label, units from dropoff_counts
    order by dropoff, step, units desc, label
  `.execute(db);
  const rows = all.filter((row) => !row.dropoff).map((row): FunnelRow => ({
    cut: row.g_segment && row.g_period ? 'all' : !row.g_segment ? 'segment' : 'period',
    segment: row.g_segment ? null : row.segment,
    period: row.g_period ? null : row.period,
    reached: [...row.reached].map(Number),
    medianSeconds: row.median === null ? null : Number(row.median),
    p25Seconds: row.p25 === null ? null : Number(row.p25),
    p75Seconds: row.p75 === null ? null : Number(row.p75),
    buckets: [...row.buckets].map(Number),
  }));
  const dropoffs = all.filter((row) => row.dropoff).map((row) => ({ step: Number(row.step), label: row.label, units: Number(row.units) }));
  return { rows, dropoffs };
}
