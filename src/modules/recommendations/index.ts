/** The recommendations module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
import type { HearthModule } from '../../module.js';
import { defaultFitIntervalMs, fitJobKind, runFitJob } from './recommendations.service.js';
export {
  defaultFitIntervalMs, evaluateOptionsSchema, fitJobKind, pinsAndBlocksSchema, recommendOptionsSchema, RecommendationsService,
  type FitReport, type ServedItem, type ServedList,
} from './recommendations.service.js';
export { baselines, chosenModel, type EvaluationReport, type EvaluationRow } from './evaluation.js';
export { modelKinds, type ModelKind } from './model.types.js';
export { rankingMetrics, type RankedCase, type RankingMetrics } from './metrics.js';
export type { RecommendationTables } from './recommendations.table.js';

/** The refit: on demand and daily, as a job. */
export const recommendationsModule: HearthModule = {
  name: 'recommendations',
  jobs: [{ kind: fitJobKind, run: async (services, { payload }) => runFitJob(services.recommendations, payload) }],
  schedules: [{ kind: fitJobKind, everyMs: defaultFitIntervalMs }],
};
