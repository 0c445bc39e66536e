/** The predictions module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
import type { HearthModule } from '../../module.js';
import { defaultRefitIntervalMs, refitJobKind, runRefitJob } from './predictions.job.js';
export { defaultRefitIntervalMs, refitJobKind } from './predictions.job.js';
export { fitAndScore } from './predictions.fitting.js';
export { customerPrediction, customerPredictions } from './predictions.repository.js';
export type { CustomerPredictionTable } from './predictions.table.js';
export { runRefitJob } from './predictions.job.js';
export { checkRefitOptions, PredictionsService } from './predictions.service.js';
export { modelChoices, refitFields, refitOptionsSchema, type RefitOptions } from './refit-options.js';

/** The refit: on demand and on a schedule, as a job. */
export const predictionsModule: HearthModule = {
  name: 'predictions',
  jobs: [{ kind: refitJobKind, run: async (services, { payload, progress }) => runRefitJob(services.storage, payload, progress) }],
  schedules: [{ kind: refitJobKind, everyMs: defaultRefitIntervalMs }],
};
export { valuableAtRisk } from './at-risk.query.js';
export { type BacktestMetrics } from './backtest.js';
export { predictionDistribution } from './distribution.query.js';
export { churnRiskCounts, currentModel, type FitReport, listPredictions, type ModelChoice, predictionFor, runBacktest, saveBacktest } from './predictions.fitting.js';
export { churnRisks, countModelKinds, timeUnits } from './predictions.table.js';
export { addDays, type TimeUnit } from './summaries.js';
