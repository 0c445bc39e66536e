/**
 * The power calculator's inputs from the store's own data: how many people a flow or a segment
 * brings per day, and the baseline of the outcome (conversion, or net revenue per person with its
 * standard deviation) over the window, so a small store sees before launching how long it must
 * run to detect a lift of a given size. Values given in the request win over these.
 *
 * - A flow: entries per day over the last 28 days; the baseline among the runs that entered in the
 *   28 days before the last full window, over their window after entry.
 * - A segment: current members who entered it in the last 28 days, per day; the baseline among its
 *   current members over the last window.
 */
import { sql } from 'kysely';
import { AppError } from '../../lib/errors.js';
import { powerPlan, type PowerInput, type PowerPlan } from './stats/index.js';
import type { ExperimentsDb } from './experiments.table.js';

export type PowerSource = { flow_id: string } | { segment_id: string };

export type PowerRequest = Omit<PowerInput, 'baseline_mean' | 'eligible_per_day'> & {
  baseline_mean?: number | undefined;
  eligible_per_day?: number | undefined;
  source?: PowerSource | undefined;
};

const RECENT_DAYS = 28;
const DAY_MS = 86_400_000;

interface Baseline { people: number; per_day: number; conversion: number; revenue_mean: number; revenue_sd: number }

async function fromFlow(db: ExperimentsDb, storeId: string, flowId: string, windowDays: number, now: Date): Promise<Baseline> {
  const recent = new Date(now.getTime() - RECENT_DAYS * DAY_MS);
  const matureEnd = new Date(now.getTime() - windowDays * DAY_MS);
  const matureStart = new Date(matureEnd.getTime() - RECENT_DAYS * DAY_MS);
  const { rows } = await sql<{ per_day: number; people: number; conversion: number; revenue_mean: number; revenue_sd: number }>`
    with entered as (
      select r.id, r.customer_id, r.entered_at from flow_runs r where r.store_id = ${storeId} and r.flow_id = ${flowId}
        and r.entered_at >= ${matureStart} and r.entered_at < ${matureEnd}
    ),
    spend as (
      select e.id, count(o.id) as orders, coalesce(sum(o.total - coalesce(rf.refunded, 0)), 0)::double as revenue
      from entered e left join orders o on o.store_id = ${storeId} and o.customer_id = e.customer_id and o.status <> 'cancelled'
        and o.placed_at >= e.entered_at and o.placed_at < e.entered_at + to_days(${windowDays}::integer)
      left join (select order_id, sum(amount) as refunded from returns where store_id = ${storeId} and order_id is not null group by order_id) rf on rf.order_id = o.id
      group by e.id
    )
    select (select count(*) from flow_runs where store_id = ${storeId} and flow_id = ${flowId} and entered_at >= ${recent})::double / ${RECENT_DAYS} as per_day,
      count(*) as people, coalesce(avg((orders > 0)::int), 0) as conversion, coalesce(avg(revenue), 0) as revenue_mean, coalesce(stddev_samp(revenue), 0) as revenue_sd
    from spend`.execute(db);
  return shape(rows[0]);
}

async function fromSegment(db: ExperimentsDb, storeId: string, segmentId: string, windowDays: number, now: Date): Promise<Baseline> {
  const recent = new Date(now.getTime() - RECENT_DAYS * DAY_MS);
  const since = new Date(now.getTime() - windowDays * DAY_MS);
  const { rows } = await sql<{ per_day: number; people: number; conversion: number; revenue_mean: number; revenue_sd: number }>`
    with members as (select customer_id, entered_at from segment_members where store_id = ${storeId} and segment_id = ${segmentId}),
    spend as (
      select m.customer_id, count(o.id) as orders, coalesce(sum(o.total - coalesce(rf.refunded, 0)), 0)::double as revenue
      from members m left join orders o on o.store_id = ${storeId} and o.customer_id = m.customer_id and o.status <> 'cancelled' and o.placed_at >= ${since} and o.placed_at < ${now}
      left join (select order_id, sum(amount) as refunded from returns where store_id = ${storeId} and order_id is not null group by order_id) rf on rf.order_id = o.id
      group by m.customer_id
    )
    select (select count(*) from members where entered_at >= ${recent})::double / ${RECENT_DAYS} as per_day,
      count(*) as people, coalesce(avg((orders > 0)::int), 0) as conversion, coalesce(avg(revenue), 0) as revenue_mean, coalesce(stddev_samp(revenue), 0) as revenue_sd
    from spend`.execute(db);
  return shape(rows[0]);
}

function shape(row: Record<string, unknown> | undefined): Baseline {
  const n = (v: unknown) => Number(v ?? 0);
  return { per_day: n(row?.per_day), people: n(row?.people), conversion: n(row?.conversion), revenue_mean: n(row?.revenue_mean), revenue_sd: n(row?.revenue_sd) };
}

export async function powerFor(db: ExperimentsDb, storeId: string, request: PowerRequest, now = new Date()): Promise<PowerPlan> {
  const { source, ...given } = request;
  let baseline: Baseline | undefined;
  if (source) {
    const found = 'flow_id' in source
      ? await sql`select id from flows where store_id = ${storeId} and id = ${source.flow_id}`.execute(db)
      : await sql`select id from segments where store_id = ${storeId} and id = ${source.segment_id}`.execute(db);
    const known = found.rows.length > 0;
    const path = 'flow_id' in source ? 'source.flow_id' : 'source.segment_id';
    if (!known) throw new AppError('validation_failed', 'Invalid power request', [{ path, reason: `no ${'flow_id' in source ? 'flow' : 'segment'} "${'flow_id' in source ? source.flow_id : source.segment_id}" in this store` }]);
    baseline = 'flow_id' in source ? await fromFlow(db, storeId, source.flow_id, request.window_days, now) : await fromSegment(db, storeId, source.segment_id, request.window_days, now);
    if (baseline.people === 0 && given.baseline_mean === undefined) {
      throw new AppError('validation_failed', 'Invalid power request', [{ path, reason: 'has nobody to take a baseline from yet: give baseline_mean' }]);
    }
  }
  const input: PowerInput = {
    ...given,
    baseline_mean: given.baseline_mean ?? (request.kind === 'proportion' ? baseline?.conversion : baseline?.revenue_mean) ?? Number.NaN,
    eligible_per_day: given.eligible_per_day ?? baseline?.per_day ?? Number.NaN,
    ...(request.kind === 'mean' && given.baseline_sd === undefined && baseline && { baseline_sd: baseline.revenue_sd }),
  };
  const missing = [
    ...(Number.isNaN(input.baseline_mean) ? [{ path: 'baseline_mean', reason: 'is required without a source' }] : []),
    ...(Number.isNaN(input.eligible_per_day) ? [{ path: 'eligible_per_day', reason: 'is required without a source' }] : []),
    ...(input.kind === 'mean' && input.baseline_sd === undefined ? [{ path: 'baseline_sd', reason: 'is required for a mean' }] : []),
    ...(input.eligible_per_day <= 0 ? [{ path: 'eligible_per_day', reason: source ? 'nobody entered in the last 28 days: give eligible_per_day' : 'must be more than 0' }] : []),
  ];
  if (missing.length) throw new AppError('validation_failed', 'Invalid power request', missing);
  return powerPlan(input);
}
