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
      count: { params: Record<string, number>; logLikelihood: number; converged: boolean; customers: number };
      spend: { params: Record<string, number>; spendFrequencyCorrelation: number; independent: boolean } | undefined;
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

export const modelNames: Record<string, string> = { bgnbd: 'BG/NBD', 'pareto-nbd': 'Pareto/NBD' };
