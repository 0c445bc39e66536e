/** The predictions API: the current fit, its calibration report, customers' scores. */

export interface BacktestMetrics {
  model: string;
  weekly: { week: number; predicted: number; actual: number }[];
  totalPredicted: number;
  totalActual: number;
  byFrequency: { x: number; customers: number; predicted: number; actual: number }[];
  mae: number;
  correlation: number;
  reliability: { decile: number; customers: number; predicted: number; observed: number }[];
  brier: number;
  spend: { customers: number; meanAbsoluteError: number; meanError: number; predictedRevenue: number; actualRevenue: number } | undefined;
}

export interface BacktestReport {
  calibrationEnd: string;
  holdoutEnd: string;
  timeUnit: 'day' | 'week';
  customers: number;
  metrics: BacktestMetrics[];
  chosen: { model: string; reason: string };
}

export type FitReport =
  | { status: 'insufficient'; asOf: string; timeUnit: string; customers: number; missing: string[] }
  | {
      status: 'ok'; id: string; asOf: string; timeUnit: string; model: string; reason: string;
      count: { params: Record<string, number>; standardErrors?: Record<string, number | null>; logLikelihood: number; converged: boolean; customers: number };
      spend: { params: Record<string, number>; fit?: { standardErrors?: Record<string, number | null> }; spendFrequencyCorrelation: number; independent: boolean } | undefined;
      backtest: BacktestReport | { skipped: string };
      customers: number; scored: number; seconds: { fit: number; score: number };
    };

export interface ModelAnswer {
  fit: FitReport;
  backtest: BacktestReport | undefined;
}

export interface CustomerPrediction {
  customer_id: number;
  p_alive: number;
  expected_orders_30d: number;
  expected_orders_90d: number;
  expected_orders_365d: number;
  p_order_30d: number;
  p_order_90d: number;
  p_order_365d: number;
  expected_order_value: number | null;
  clv_12m: number | null;
  next_order_on: string | null;
  churn_risk: 'low' | 'medium' | 'high';
  scored_at: string;
}

export interface Bin {
  from: number;
  /** null: the open bin of the largest values. */
  to: number | null;
  customers: number;
}

/** GET /api/v1/predictions/distribution: money in minor units. */
export interface PredictionDistribution {
  customers: number;
  scoredAt: string | null;
  pAlive: { bins: Bin[]; mean: number | null; median: number | null };
  clv: { bins: Bin[]; customers: number; withoutClv: number; total: number; mean: number | null; median: number | null; p99: number | null };
  churnRisk: { low: number; medium: number; high: number };
}

export interface AtRiskCustomer {
  id: number;
  externalId: string | null;
  name: string;
  email: string | null;
  country: string | null;
  pAlive: number;
  pOrder365: number;
  clv12m: number | null;
  expectedOrderValue: number | null;
  orders: number;
  spent: number;
  lastOrderAt: string | null;
}

/** GET /api/v1/predictions/at-risk */
export interface AtRiskAnswer {
  risk: 'low' | 'medium' | 'high';
  customers: number;
  clvTotal: number;
  rows: AtRiskCustomer[];
}

/** GET /api/v1/predictions/refit/:jobId */
export interface RefitJob {
  id: number;
  state: 'queued' | 'running' | 'done' | 'failed' | 'dead';
  attempts: number;
  progress: number | null;
  result: { status: 'ok'; model: string; customers: number; seconds: { fit: number; score: number } } | { status: 'insufficient'; missing: string[] } | null;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** Parameter names as the papers write them. */
export const parameterNames: Record<string, string> = { r: 'r', alpha: 'α', a: 'a', b: 'b', s: 's', beta: 'β', p: 'p', q: 'q', gamma: 'γ' };

export const modelNames: Record<string, string> = { bgnbd: 'BG/NBD', 'pareto-nbd': 'Pareto/NBD' };
