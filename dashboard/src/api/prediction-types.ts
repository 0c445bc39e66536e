/** The predictions API: the current fit, its calibration report, customers' scores. */

import type { AtRisk, Backtest, CountModelKind, CurrentModel, PredictionDistribution } from '../../../src/http/schemas/predictions.schemas';

export type {
  AtRisk as AtRiskAnswer, Backtest as BacktestReport, CurrentModel as ModelAnswer, CustomerPrediction, FitReport, PredictionDistribution, RefitJob,
} from '../../../src/http/schemas/predictions.schemas';
export type { QueuedJob } from '../../../src/http/schemas/jobs.schemas';
export type BacktestMetrics = Backtest['metrics'][number];
export type Bin = PredictionDistribution['clv']['bins'][number];
export type AtRiskCustomer = AtRisk['rows'][number];
export type { CurrentModel };

/** Parameter names as the papers write them. */
export const parameterNames: Record<string, string> = { r: 'r', alpha: 'α', a: 'a', b: 'b', s: 's', beta: 'β', p: 'p', q: 'q', gamma: 'γ' };

export const modelNames: Record<CountModelKind, string> = { bgnbd: 'BG/NBD', 'pareto-nbd': 'Pareto/NBD' };
