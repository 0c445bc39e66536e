/** The closed list of churn-risk bands (see `scoring.ts` for their thresholds), in order. */
export const churnRisks = ['low', 'medium', 'high'] as const;
export type ChurnRisk = (typeof churnRisks)[number];
/** The repeat-purchase models a store can be fitted with, and the time units of their fit. */
export const countModelKinds = ['bgnbd', 'pareto-nbd'] as const;
export type CountModelKind = (typeof countModelKinds)[number];
export const timeUnits = ['day', 'week'] as const;
export type TimeUnit = (typeof timeUnits)[number];

/**
 * Tables of the predictions module. They are not in the shared `Database` map; the repository
 * reaches them through `db.withTables<PredictionTables>()`.
 */
export interface PredictionFitTable {
  store_id: string;
  id: string;
  /** ok, or insufficient (the data cannot support a model; the report says what is missing). */
  status: 'ok' | 'insufficient';
  model: CountModelKind | null;
  time_unit: TimeUnit;
  as_of: string;
  /** JSON of the count model's parameters. */
  params: string | null;
  /** JSON of the Gamma-Gamma parameters (major currency units). */
  spend_params: string | null;
  log_likelihood: number | null;
  customers: number;
  converged: boolean;
  /** JSON FitReport: both models, standard errors, the choice and its reason, the backtest. */
  report: string;
  created_at: Date;
}

export interface PredictionBacktestTable {
  store_id: string;
  id: string;
  fit_id: string | null;
  calibration_end: string;
  holdout_end: string;
  time_unit: TimeUnit;
  model: CountModelKind | null;
  /** JSON BacktestReport. */
  report: string;
  created_at: Date;
}

export interface CustomerPredictionTable {
  store_id: string;
  customer_id: number;
  fit_id: string;
  p_alive: number;
  expected_orders_30d: number;
  expected_orders_90d: number;
  expected_orders_365d: number;
  p_order_30d: number;
  p_order_90d: number;
  p_order_365d: number;
  /** Minor units. */
  expected_order_value: number | null;
  /** Minor units, discounted. */
  clv_12m: number | null;
  next_order_on: string | null;
  churn_risk: ChurnRisk;
  scored_at: Date;
}

// A type alias (not an interface) so that it meets Kysely's `Record<string, …>` constraint.
export type PredictionTables = {
  prediction_fits: PredictionFitTable;
  prediction_backtests: PredictionBacktestTable;
  customer_predictions: CustomerPredictionTable;
};
