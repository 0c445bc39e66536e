/**
 * An experiment's results and the Impact page: the outcome sums per arm (outcomes.query.ts)
 * compared by the statistics module — each arm against the control, per window and metric, with
 * the difference, its intervals and CUPED adjustment, and the incremental figure (the difference ×
 * the arm's people). While some people are still inside a window the comparison is made in
 * monitoring mode: its verdict then rests on the always-valid interval, which stays honest when
 * someone looks every day.
 */
import { AppError } from '../../lib/errors.js';
import { compare, incremental, sumIncrementals, type Comparison } from './stats/index.js';
import type { ExperimentsService } from './experiments.service.js';
import { programmeKinds, type Arm, type ExperimentKind } from './experiments.table.js';
import { metricKinds, outcomeMetrics, WINDOWS, type ArmOutcome, type OutcomeMetric, type WindowDays } from './outcomes.query.js';

type Estimate = { value: number; low: number; high: number };
export type MetricComparison = { metric: OutcomeMetric; kind: 'proportion' | 'mean' } & Comparison & { incremental: Estimate };

export interface ExperimentResults {
  id: string;
  kind: ExperimentKind;
  source_id: string;
  name: string;
  currency: string;
  started_at: Date;
  control_arm: string;
  arms: { key: string; people: number }[];
  windows: {
    days: number;
    /** Per arm: people whose window has elapsed. */
    matured: Record<string, number>;
    still_open: number;
    comparisons: { arm: string; metrics: MetricComparison[] }[];
  }[];
}

/** Fewer matured people than this in either arm: no comparison yet (a variance needs two). */
export const MIN_PEOPLE = 2;

/** Each arm against the control in one window (every metric, or only those asked for); no metrics for an arm while either side has fewer than MIN_PEOPLE. */
export function comparisonsOf(rows: ArmOutcome[], control: string, arms: readonly string[], days: WindowDays, only?: readonly OutcomeMetric[]) {
  const inWindow = rows.filter((r) => r.days === days);
  const stillOpen = inWindow.reduce((sum, r) => sum + r.still_open, 0);
  const controlRow = inWindow.find((r) => r.arm === control);
  const comparisons = arms.filter((a) => a !== control).map((arm) => {
    const treated = inWindow.find((r) => r.arm === arm);
    if (!treated || !controlRow || treated.matured < MIN_PEOPLE || controlRow.matured < MIN_PEOPLE) return { arm, metrics: [] as MetricComparison[] };
    const metrics = (only ?? outcomeMetrics).map((metric): MetricComparison => {
      const kind = metricKinds[metric];
      const c = compare(kind, treated.metrics[metric], controlRow.metrics[metric], { monitoring: stillOpen > 0 });
      return { metric, kind, ...c, incremental: incremental(c, treated.matured) };
    });
    return { arm, metrics };
  });
  return { inWindow, stillOpen, comparisons };
}

export async function experimentResults(service: ExperimentsService, storeId: string, id: string, now = new Date()): Promise<ExperimentResults> {
  const experiment = await service.experiment(storeId, id, now);
  const rows = await service.outcomes(storeId, id, now);
  const arms = (JSON.parse(experiment.arms) as Arm[]).map((a) => a.key);
  const people = (arm: string) => {
    const row = rows.find((r) => r.days === WINDOWS[0] && r.arm === arm);
    return row ? row.matured + row.still_open : 0;
  };
  return {
    id: experiment.id, kind: experiment.kind, source_id: experiment.source_id, name: experiment.name, currency: await service.currency(storeId),
    started_at: experiment.started_at, control_arm: experiment.control_arm, arms: arms.map((key) => ({ key, people: people(key) })),
    windows: WINDOWS.map((days) => {
      const { inWindow, stillOpen, comparisons } = comparisonsOf(rows, experiment.control_arm, arms, days);
      return { days, matured: Object.fromEntries(arms.map((a) => [a, inWindow.find((r) => r.arm === a)?.matured ?? 0])), still_open: stillOpen, comparisons };
    }),
  };
}

export interface ImpactQuery { from: string; to: string; window: number }

export interface Impact {
  currency: string;
  window_days: number;
  from: string;
  to: string;
  programmes: {
    experiment_id: string; kind: ExperimentKind; source_id: string; name: string; people: number;
    incremental_orders: Estimate; incremental_revenue: Estimate; verdict: Comparison['verdict'];
  }[];
  /** Campaigns, flows and offers together; the global holdout already contains them, so it is not added in. */
  total: { incremental_orders: Estimate; incremental_revenue: Estimate };
}

const DAY_MS = 86_400_000;

/** Money is shown in whole minor units, as everywhere in the API. */
export const wholeMinorUnits = (e: Estimate): Estimate => ({ value: Math.round(e.value), low: Math.round(e.low), high: Math.round(e.high) });

/**
 * Incremental orders and net revenue per programme (campaigns, flows, offers, the global holdout)
 * over the people who became eligible in [from, to] (whole UTC days), each with its interval.
 * Flow splits and A/B tests compare variants with each other, not with nothing, so they are not
 * programmes.
 */
export async function impact(service: ExperimentsService, storeId: string, query: ImpactQuery, now = new Date()): Promise<Impact> {
  if (!(WINDOWS as readonly number[]).includes(query.window)) {
    throw new AppError('validation_failed', 'Invalid impact query', [{ path: 'query.window', reason: `must be one of ${WINDOWS.join(', ')}` }]);
  }
  const from = new Date(`${query.from}T00:00:00Z`);
  const to = new Date(new Date(`${query.to}T00:00:00Z`).getTime() + DAY_MS);
  if (to <= from) throw new AppError('validation_failed', 'Invalid impact query', [{ path: 'query.to', reason: 'must not be before from' }]);
  const days = query.window as WindowDays;
  const experiments = (await service.list(storeId, {}, now)).filter((e) => programmeKinds.includes(e.kind));
  const programmes: Impact['programmes'] = [];
  for (const e of experiments) {
    const rows = await service.outcomes(storeId, e.id, now, { from, to });
    if (rows.length === 0) continue;
    const treatedArm = e.arms.find((a) => a.key !== e.control_arm)?.key ?? '';
    const { comparisons } = comparisonsOf(rows, e.control_arm, [treatedArm], days, ['orders_per_person', 'net_revenue_per_person']);
    const metrics = comparisons[0]?.metrics ?? [];
    const orders = metrics.find((m) => m.metric === 'orders_per_person');
    const revenue = metrics.find((m) => m.metric === 'net_revenue_per_person');
    const zero = { value: 0, low: 0, high: 0 };
    programmes.push({
      experiment_id: e.id, kind: e.kind, source_id: e.source_id, name: e.name,
      people: rows.find((r) => r.days === days && r.arm === treatedArm)?.matured ?? 0,
      incremental_orders: orders?.incremental ?? zero, incremental_revenue: wholeMinorUnits(revenue?.incremental ?? zero),
      verdict: revenue?.verdict ?? 'too_early',
    });
  }
  const counted = programmes.filter((p) => p.kind !== 'global' && p.people > 0);
  return {
    currency: await service.currency(storeId), window_days: days, from: query.from, to: query.to, programmes,
    total: {
      incremental_orders: sumIncrementals(counted.map((p) => p.incremental_orders)),
      incremental_revenue: wholeMinorUnits(sumIncrementals(counted.map((p) => p.incremental_revenue))),
    },
  };
}
