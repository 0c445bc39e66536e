/** Answers of the predictions API: the model fit with its backtest, scores, distribution, customers at risk. */
import { z } from 'zod';
import { churnRisks, countModelKinds, timeUnits } from '../../modules/predictions/index.js';
import { component, count, day, minorUnits, ratio, timestamp } from './common.schemas.js';
import { jobSchema } from './jobs.schemas.js';

export const churnRisk = z.enum(churnRisks);
export const countModel = z.enum(countModelKinds);
export const timeUnit = z.enum(timeUnits);

/** A model's parameters by the names its paper uses; a standard error is null where the information matrix is singular. */
function fitOf<Shape extends Record<string, z.ZodNumber>>(name: string, params: Shape) {
  const errors = Object.fromEntries(Object.keys(params).map((key) => [key, z.number().nullable()])) as { [K in keyof Shape]: z.ZodNullable<z.ZodNumber> };
  return component(name, z.strictObject({
    params: z.strictObject(params),
    standard_errors: z.strictObject(errors),
    log_likelihood: z.number(),
    customers: count,
    rows: count,
    converged: z.boolean(),
    note: z.string().optional().meta({ description: 'Why the fit did not converge, in the store owner\'s words' }),
    iterations: count,
    evaluations: count,
    starts: count,
  }));
}

export const bgNbdFitSchema = fitOf('BgNbdFit', { r: z.number(), alpha: z.number(), a: z.number(), b: z.number() });
export const paretoNbdFitSchema = fitOf('ParetoNbdFit', { r: z.number(), alpha: z.number(), s: z.number(), beta: z.number() });
export const gammaGammaFitSchema = fitOf('GammaGammaFit', { p: z.number(), q: z.number(), gamma: z.number() });
export const modelFitSchema = z.union([bgNbdFitSchema, paretoNbdFitSchema]);

export const backtestSchema = component('Backtest', z.strictObject({
  calibration_end: day,
  holdout_end: day,
  time_unit: timeUnit,
  customers: count,
  fits: z.array(z.strictObject({ model: countModel, fit: modelFitSchema })),
  metrics: z.array(z.strictObject({
    model: countModel,
    weekly: z.array(z.strictObject({ week: z.number().int(), predicted: z.number(), actual: z.number() })),
    total_predicted: z.number(),
    total_actual: z.number(),
    by_frequency: z.array(z.strictObject({ x: z.number().int(), customers: count, predicted: z.number(), actual: z.number() })),
    mae: z.number(),
    correlation: z.number().nullable(),
    reliability: z.array(z.strictObject({ decile: z.number().int(), customers: count, predicted: z.number(), observed: z.number() })),
    brier: z.number(),
    spend: z.strictObject({
      customers: count, mean_absolute_error: z.number(), mean_error: z.number(), predicted_revenue: z.number(), actual_revenue: z.number(),
    }).optional(),
  })),
  chosen: z.strictObject({ model: countModel, reason: z.string() }),
}));

export const fitReportSchema = component('FitReport', z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('insufficient'), as_of: day, time_unit: timeUnit, customers: count, missing: z.array(z.string()) }),
  z.strictObject({
    status: z.literal('ok'), id: z.string(), as_of: day, time_unit: timeUnit, model: countModel, reason: z.string(),
    count: modelFitSchema,
    spend: z.strictObject({
      params: gammaGammaFitSchema.shape.params, fit: gammaGammaFitSchema, spend_frequency_correlation: z.number().nullable(), independent: z.boolean(),
    }).optional(),
    backtest: z.union([backtestSchema, z.strictObject({ skipped: z.string() })]),
    customers: count, scored: count, seconds: z.strictObject({ fit: z.number(), score: z.number() }),
  }),
]));

export const currentModelSchema = z.strictObject({ fit: fitReportSchema, backtest: backtestSchema.optional() });

/** What a refit job reports when it finishes. */
export const refitResultSchema = z.union([
  z.strictObject({ status: z.literal('ok'), model: countModel, converged: z.boolean(), customers: count, seconds: z.strictObject({ fit: z.number(), score: z.number() }) }),
  z.strictObject({ status: z.literal('insufficient'), missing: z.array(z.string()) }),
]);
export const refitJobSchema = jobSchema.extend({ result: refitResultSchema.nullable() });

export const customerPredictionSchema = component('CustomerPrediction', z.strictObject({
  store_id: z.string(),
  customer_id: z.number().int(),
  fit_id: z.string(),
  p_alive: ratio,
  expected_orders_30d: z.number(),
  expected_orders_90d: z.number(),
  expected_orders_365d: z.number(),
  p_order_30d: ratio,
  p_order_90d: ratio,
  p_order_365d: ratio,
  expected_order_value: minorUnits.nullable(),
  clv_12m: minorUnits.nullable(),
  next_order_on: day.nullable(),
  churn_risk: churnRisk,
  scored_at: timestamp,
}));

const bin = z.strictObject({ from: z.number(), to: z.number().nullable().meta({ description: 'null: the open bin of the largest values' }), customers: count });

export const distributionSchema = z.strictObject({
  customers: count,
  scored_at: timestamp.nullable(),
  p_alive: z.strictObject({ bins: z.array(bin), mean: ratio.nullable(), median: ratio.nullable() }),
  clv: z.strictObject({
    bins: z.array(bin), customers: count, without_clv: count, total: minorUnits, mean: minorUnits.nullable(), median: minorUnits.nullable(), percentile_99: minorUnits.nullable(),
  }),
  churn_risk: z.strictObject({ low: count, medium: count, high: count }),
});

export const atRiskSchema = z.strictObject({
  risk: churnRisk,
  customers: count,
  clv_total: minorUnits,
  rows: z.array(z.strictObject({
    id: z.number().int(),
    external_id: z.string().nullable(),
    name: z.string(),
    email: z.string().nullable(),
    country: z.string().nullable(),
    p_alive: ratio,
    p_order_365d: ratio,
    clv_12m: minorUnits.nullable(),
    expected_order_value: minorUnits.nullable(),
    orders: count,
    spent: minorUnits,
    last_order_at: timestamp.nullable(),
  })),
});

export type ChurnRisk = z.infer<typeof churnRisk>;
export type CountModelKind = z.infer<typeof countModel>;
export type ModelFit = z.input<typeof modelFitSchema>;
export type Backtest = z.input<typeof backtestSchema>;
export type FitReport = z.input<typeof fitReportSchema>;
export type CurrentModel = z.input<typeof currentModelSchema>;
export type RefitJob = z.input<typeof refitJobSchema>;
export type CustomerPrediction = z.input<typeof customerPredictionSchema>;
export type PredictionDistribution = z.input<typeof distributionSchema>;
export type AtRisk = z.input<typeof atRiskSchema>;
