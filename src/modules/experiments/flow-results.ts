/**
 * Each flow's revenue and incremental revenue, for the Flows list: read from the flow's experiment
 * (kind `flow`, entered against holdout; docs/measurement.md) in one window, as its results and the
 * Impact page define them:
 * - revenue: the net revenue (totals of orders not cancelled, less their refunds) of the entered
 *   arm's people whose window has elapsed, each over the window from their first entry — the arm's
 *   Σy of `net_revenue_per_person`;
 * - incremental revenue: the incremental figure of the `net_revenue_per_person` comparison (the
 *   difference, CUPED-adjusted when there are covariates, × those people) with its 95 % interval,
 *   in whole minor units as on the Impact page.
 * A figure that cannot be given yet is null, with the reason. The sums are read as the experiments
 * module last kept them (`keptOutcomesOf`: at most one `experiments.sync` period old), so the list
 * costs a few queries however many flows and orders the store has.
 */
import type { Comparison } from './stats/index.js';
import { comparisonsOf, MIN_PEOPLE, wholeMinorUnits } from './experiment-results.js';
import type { ExperimentsService } from './experiments.service.js';
import type { WindowDays } from './outcomes.query.js';

/** The window the Flows list reads: the Impact page's and an experiment's default. */
export const FLOW_RESULT_WINDOW: WindowDays = 30;

export interface FlowResult {
  /** The flow's experiment; null until someone entered. */
  experiment_id: string | null;
  currency: string;
  window_days: WindowDays;
  /** Entrants who were not held out and whose window has elapsed: those the figures count. */
  people: number;
  /** Held-out entrants whose window has elapsed. */
  holdout_people: number;
  /** Entrants of either group still inside their window (not counted yet). */
  still_open: number;
  /** Minor units; null while nobody's window has elapsed. */
  revenue: number | null;
  /** Minor units, with the 95 % interval; null without a comparison with the holdout. */
  incremental_revenue: { value: number; low: number; high: number } | null;
  verdict: Comparison['verdict'] | null;
  /** Why a figure is null; null when both are given. */
  reason: string | null;
  /** When the sums the figures come from were made; null until someone entered. */
  measured_at: Date | null;
}

const peopleWord = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'person' : 'people'}`;

/** The figures of each flow in `flowIds` (one sync and one look at the kept sums for them all). */
export async function flowResults(service: ExperimentsService, storeId: string, flowIds: readonly string[], now: Date, days: WindowDays = FLOW_RESULT_WINDOW): Promise<Map<string, FlowResult>> {
  const currency = await service.currency(storeId);
  const wanted = new Set(flowIds);
  const experiments = new Map((await service.list(storeId, { kind: 'flow' }, now)).filter((e) => wanted.has(e.source_id)).map((e) => [e.source_id, e]));
  const kept = await service.keptOutcomesOf(storeId, [...experiments.values()].map((e) => e.id), now);
  return new Map(flowIds.map((flowId): [string, FlowResult] => {
    const experiment = experiments.get(flowId);
    const none = { currency, window_days: days, people: 0, holdout_people: 0, still_open: 0, revenue: null, incremental_revenue: null, verdict: null };
    if (!experiment) return [flowId, { ...none, experiment_id: null, reason: 'Nobody has entered the flow yet.', measured_at: null }];
    const { outcomes, kept_at: measuredAt } = kept.get(experiment.id)!;
    const control = experiment.control_arm;
    const treated = experiment.arms.find((a) => a.key !== control)?.key ?? 'entered';
    const { inWindow, stillOpen, comparisons } = comparisonsOf(outcomes, control, [treated], days, ['net_revenue_per_person']);
    const treatedRow = inWindow.find((r) => r.arm === treated);
    const people = treatedRow?.matured ?? 0;
    const holdoutPeople = inWindow.find((r) => r.arm === control)?.matured ?? 0;
    const revenue = treatedRow && people > 0 ? Math.round(treatedRow.metrics.net_revenue_per_person.y) : null;
    const metric = comparisons[0]?.metrics.find((m) => m.metric === 'net_revenue_per_person');
    let reason: string | null = null;
    const open = stillOpen > 0 ? ` (${peopleWord(stillOpen)} still inside it)` : '';
    if (people === 0) {
      reason = stillOpen > 0 ? `No entrant's ${days}-day window has ended yet${open}.` : 'No entrant is measured: those in the store\'s global holdout are left out.';
    } else if (!metric) {
      reason = holdoutPeople === 0 && experiment.holdout_share === 0
        ? 'The flow holds nobody out, so there is no one to compare its entrants with.'
        : `${peopleWord(holdoutPeople)} held out whose ${days}-day window has ended${open}: a comparison needs at least ${MIN_PEOPLE}.`;
    }
    return [flowId, {
      ...none, experiment_id: experiment.id, people, holdout_people: holdoutPeople, still_open: stillOpen, revenue,
      incremental_revenue: metric ? wholeMinorUnits(metric.incremental) : null, verdict: metric?.verdict ?? null, reason, measured_at: measuredAt,
    }];
  }));
}
