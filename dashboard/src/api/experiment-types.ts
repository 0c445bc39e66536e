/** The shapes of `/api/v1/experiments`. Money in minor units of the store's currency. */
export interface Interval { low: number; high: number }

export type ExperimentKind = 'campaign' | 'ab_test' | 'flow' | 'flow_split' | 'offer' | 'global';
export type Verdict = 'increase' | 'decrease' | 'too_early';
export type OutcomeMetric = 'conversion' | 'orders_per_person' | 'net_revenue_per_person' | 'retention' | 'unsubscribes';

export interface ExperimentSummary {
  id: string;
  kind: ExperimentKind;
  source_id: string;
  name: string;
  arms: { key: string; share: number; people: number }[];
  control_arm: string;
  holdout_share: number;
  started_at: string | null;
  eligible: number;
}

export interface MetricResult {
  metric: OutcomeMetric;
  kind: 'proportion' | 'mean';
  treated_mean: number;
  control_mean: number;
  difference: number;
  interval: Interval;
  relative_lift: number | null;
  relative_interval: Interval | null;
  cuped: { difference: number; standard_error: number; interval: Interval; variance_reduction: number } | null;
  always_valid: { interval: Interval; p_value: number };
  verdict: Verdict;
  reason: string;
  incremental: { value: number; low: number; high: number };
}

export interface ExperimentWindow {
  days: number;
  matured: Record<string, number>;
  still_open: number;
  comparisons: { arm: string; metrics: MetricResult[] }[];
}

export interface ExperimentResults {
  id: string;
  kind: ExperimentKind;
  source_id: string;
  name: string;
  currency: string;
  started_at: string | null;
  control_arm: string;
  arms: { key: string; people: number }[];
  windows: ExperimentWindow[];
}

export interface Incremental { value: number; low: number; high: number }

export interface ImpactProgramme {
  experiment_id: string;
  kind: ExperimentKind;
  source_id: string;
  name: string;
  people: number;
  incremental_orders: Incremental;
  incremental_revenue: Incremental;
  verdict: Verdict;
}

export interface Impact {
  currency: string;
  window_days: number;
  from: string;
  to: string;
  programmes: ImpactProgramme[];
  total: { incremental_orders: Incremental; incremental_revenue: Incremental };
}

export interface PowerPlan { people_needed: number; holdout_needed: number; days_to_enrol: number; days_to_result: number; reason: string }
