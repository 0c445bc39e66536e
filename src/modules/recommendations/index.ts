/** The recommendations module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
import type { HearthModule } from '../../module.js';
import type { DomainEventType, StoreSubscriber } from '../domain-events/index.js';
import { defaultFitIntervalMs, fitJobKind, runFitJob, type RecommendationsService } from './recommendations.service.js';
export {
  defaultFitIntervalMs, evaluateOptionsSchema, fitJobKind, refitAfterChangesMs, pinsAndBlocksSchema, recommendOptionsSchema, RecommendationsService,
  type FitReport, type ServedItem, type ServedList,
} from './recommendations.service.js';
export { baselines, chosenModel, type EvaluationReport, type EvaluationRow } from './evaluation.js';
export { modelKinds, type ModelKind } from './model.types.js';
export { rankingMetrics, type RankedCase, type RankingMetrics } from './metrics.js';
export type { RecommendationTables } from './recommendations.table.js';

const orderChanges: readonly DomainEventType[] = ['order.placed', 'order.updated', 'order.cancelled', 'order.refunded'];

/**
 * Orders changed in a store: its refit is queued a little later (see `ordersChanged`), and the
 * customers whose orders changed are served from the database until the next history index.
 */
export function recommendationsSubscriber(service: RecommendationsService): StoreSubscriber {
  return {
    name: 'recommendations', types: orderChanges, customerTypes: orderChanges,
    handleStores: async (changes) => {
      for (const change of changes) service.customersChanged(change.storeId, change.customerIds);
      await service.ordersChanged(changes.map((c) => c.storeId));
    },
  };
}

/** The refit: on demand, daily, and after orders change, as a job. */
export const recommendationsModule: HearthModule = {
  name: 'recommendations',
  jobs: [{ kind: fitJobKind, run: async (services, { payload }) => runFitJob(services.recommendations, payload) }],
  schedules: [{ kind: fitJobKind, everyMs: defaultFitIntervalMs }],
  subscribers: (services) => [recommendationsSubscriber(services.recommendations)],
};
export { RECOMMENDATIONS_WIDGET_SOURCE } from './recommendations-widget.js';
