/** Answers of the experiments API (docs/measurement.md). */
import { z } from 'zod';
import { experimentKinds, outcomeMetrics } from '../../modules/experiments/index.js';
import { component, count, currency, list, ratio, timestamp } from './common.schemas.js';

const interval = component('Interval', z.strictObject({ low: z.number(), high: z.number() }));
const estimate = component('Estimate', z.strictObject({ value: z.number(), low: z.number(), high: z.number() })
  .meta({ description: 'A figure with its 95 % interval' }));
const verdict = z.enum(['increase', 'decrease', 'too_early']);

export const experimentSummarySchema = component('Experiment', z.strictObject({
  id: z.string(),
  kind: z.enum(experimentKinds),
  source_id: z.string().meta({ description: 'The campaign id, flow id, <flow id>:<step id> of a split, or the global holdout\'s start' }),
  name: z.string(),
  arms: z.array(z.strictObject({ key: z.string(), share: ratio, people: count })),
  control_arm: z.string(),
  holdout_share: ratio,
  started_at: timestamp,
  ended_at: timestamp.nullable().meta({ description: 'A global holdout period that was turned off or changed' }),
  eligible: count.meta({ description: 'People assigned to an arm' }),
}));
export const experimentListSchema = list(experimentSummarySchema);

const comparisonSchema = z.strictObject({
  metric: z.enum(outcomeMetrics),
  kind: z.enum(['proportion', 'mean']),
  treated_mean: z.number(),
  control_mean: z.number(),
  difference: z.number(),
  interval,
  relative_lift: z.number().nullable(),
  relative_interval: interval.nullable(),
  cuped: z.strictObject({ difference: z.number(), standard_error: z.number(), interval, variance_reduction: z.number() }).nullable(),
  always_valid: z.strictObject({ interval, p_value: z.number() }),
  verdict,
  reason: z.string(),
  incremental: estimate.meta({ description: 'The difference × the arm\'s people: extra buyers, orders, minor units or unsubscribes' }),
});

export const experimentResultsSchema = component('ExperimentResults', z.strictObject({
  id: z.string(),
  kind: z.enum(experimentKinds),
  source_id: z.string(),
  name: z.string(),
  currency,
  started_at: timestamp,
  control_arm: z.string(),
  arms: z.array(z.strictObject({ key: z.string(), people: count })),
  windows: z.array(z.strictObject({
    days: z.number().int(),
    matured: z.record(z.string(), count).meta({ description: 'Per arm: people whose window has elapsed (they are counted)' }),
    still_open: count.meta({ description: 'People still inside their window (not counted yet; the verdict then uses the always-valid interval)' }),
    comparisons: z.array(z.strictObject({ arm: z.string(), metrics: z.array(comparisonSchema) })),
  })),
}));

export const impactSchema = component('Impact', z.strictObject({
  currency,
  window_days: z.number().int(),
  from: z.string(),
  to: z.string(),
  programmes: z.array(z.strictObject({
    experiment_id: z.string(),
    kind: z.enum(experimentKinds),
    source_id: z.string(),
    name: z.string(),
    people: count.meta({ description: 'Treated people whose window has elapsed' }),
    incremental_orders: estimate,
    incremental_revenue: estimate.meta({ description: 'Minor units of the currency' }),
    verdict,
  })),
  total: z.strictObject({ incremental_orders: estimate, incremental_revenue: estimate }),
}));

export const powerPlanSchema = component('PowerPlan', z.strictObject({
  people_needed: z.number(),
  holdout_needed: z.number(),
  days_to_enrol: z.number(),
  days_to_result: z.number(),
  reason: z.string(),
}));

export const globalHoldoutSchema = component('GlobalHoldout', z.strictObject({
  share: z.number().min(0).max(0.2).meta({ description: 'Share of customers who receive no marketing message at all; 0: off' }),
  since: timestamp.nullable().meta({ description: 'When it was turned on or its share last changed' }),
  experiment_id: z.string().nullable(),
}));

const share = z.number().nullable();
export const calibrationSchema = component('Calibration', z.strictObject({
  customers: count.meta({ description: 'Customers in each simulated experiment: those who had ordered before their day of eligibility' }),
  window_days: z.number().int(),
  span_days: z.number().int().meta({ description: 'Days over which eligibility is spread (the monitor looks after each)' }),
  eligible_from: timestamp.nullable(),
  eligible_to: timestamp.nullable(),
  holdout_share: z.number(),
  runs: z.number().int(),
  metrics: z.array(z.strictObject({
    metric: z.enum(['conversion', 'orders', 'revenue']),
    runs: z.number().int(),
    coverage: z.number().meta({ description: 'Share of the A/A runs whose 95 % interval covers zero (target 0.93–0.97)' }),
    cuped_coverage: z.number(),
    rejections: z.number(),
    cuped_rejections: z.number(),
    mean_width: z.number(),
    cuped_mean_width: z.number(),
    mean_variance_reduction: z.number(),
    peeking_rejections: share.meta({ description: 'Share of runs the always-valid interval ever called, looked at after each day (target ≤ 0.05)' }),
    naive_peeking_rejections: share,
  })),
  seconds: z.number(),
}));
