/** The experiments module's public door: measurement of campaigns, flows, splits, offers and the global holdout. */
import type { HearthModule } from '../../module.js';

export { ExperimentsService, isExperimentKind, type ExperimentSummary, type GlobalHoldoutStore, type GlobalHoldoutView } from './experiments.service.js';
export { experimentKinds, programmeKinds, type Arm, type ExperimentKind } from './experiments.table.js';
export { impactQuerySchema, powerRequestSchema } from './experiment.input.js';
export type { ExperimentResults, Impact, ImpactQuery, MetricComparison } from './experiment-results.js';
export type { PowerRequest, PowerSource } from './power.js';
export { FLOW_RESULT_WINDOW, type FlowResult } from './flow-results.js';
export type { Calibration, CalibrationOptions } from './calibration/calibration.js';
export { metricKinds, outcomeMetrics, WINDOWS, type ArmOutcome, type OutcomeMetric, type Sums, type WindowDays } from './outcomes.query.js';

export const EXPERIMENTS_SYNC_JOB = 'experiments.sync';

/**
 * Assignments are also synced before every result; the job keeps them current for stores nobody
 * looks at, and recomputes the kept outcomes of experiments whose inputs changed, so that the next
 * result is read from them.
 */
export const experimentsModule: HearthModule = {
  name: 'experiments',
  jobs: [{
    kind: EXPERIMENTS_SYNC_JOB,
    run: async (services, { payload }) => {
      const { storeId } = payload as { storeId: string };
      await services.experiments.sync(storeId, new Date(), { force: true });
      const experiments = await services.experiments.list(storeId);
      for (const experiment of experiments) await services.experiments.keepOutcomes(storeId, experiment.id);
      return { synced: true, experiments: experiments.length };
    },
  }],
  schedules: [{ kind: EXPERIMENTS_SYNC_JOB, everyMs: 15 * 60_000 }],
};
