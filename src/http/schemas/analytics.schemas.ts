/**
 * Answers of the analytics reports. Every report carries the store context (currency, time zone,
 * churn threshold, last day with data) and the query as it was understood. Money is in minor
 * units of `store.currency`; per-customer and per-order averages are rounded to whole minor units.
 */
import { z } from 'zod';
import { breakdowns, clvDimensions, compares, periods } from '../../modules/analytics/index.js';
import { segments as rfmSegments } from '../../modules/analytics/index.js';
import { component, count, day, minorUnits, ratio } from './common.schemas.js';

const period = z.enum(periods);
const breakdown = z.enum(breakdowns);
const range = z.strictObject({ from: day, to: day });

export const reportStoreSchema = component('ReportStore', z.strictObject({
  currency: z.string(),
  timezone: z.string(),
  inactivity_days: z.number().int().meta({ description: 'Days without an order after which a customer counts as churned' }),
  inactivity_source: z.enum(['store', 'derived', 'default']),
  last_day: day.nullable().meta({ description: "The store's last day with data (local); the default end of every range" }),
}));

export const reportQuerySchema = component('ReportQuery', z.strictObject({
  from: day,
  to: day,
  compare: z.enum(compares),
  compare_range: range.optional(),
  period,
  breakdown: breakdown.optional(),
  by: z.enum(clvDimensions),
  filters: z.strictObject({
    channel: z.string().optional(),
    country: z.string().optional(),
    first_product: z.string().optional(),
    first_category: z.string().optional(),
    first_discount: z.boolean().optional(),
  }),
  retained: z.enum(['period', 'any_later']),
  since: day.optional(),
  limit: z.number().int(),
}));

const meta = { store: reportStoreSchema, query: reportQuerySchema };

export const kpiBlockSchema = component('KpiBlock', z.strictObject({
  from: day,
  to: day,
  customers: count,
  new_customers: count,
  returning_customers: count,
  orders: count,
  guest_orders: count,
  revenue: minorUnits.meta({ description: 'Minor units, net of returns' }),
  aov: minorUnits.nullable().meta({ description: 'Average order value, rounded to whole minor units' }),
  orders_per_customer: z.number().nullable(),
  repeat_purchase_rate: ratio.nullable(),
  second_order_rate: z.array(z.strictObject({ days: z.number().int(), eligible: count, customers: count, rate: ratio.nullable() })),
  time_between_orders: z.strictObject({
    repeat_orders: count,
    median_days: z.number().nullable(),
    distribution: z.array(z.strictObject({ label: z.string(), orders: count })),
  }),
  median_days_to_second_order: z.number().nullable(),
  retention_rate: ratio.nullable(),
  retention: z.strictObject({ previous_customers: count, retained_customers: count }),
  churn_rate: ratio.nullable(),
  churn: z.strictObject({ active_at_start: count, churned_customers: count }),
  returns_rate: ratio.nullable(),
  order_return_rate: ratio.nullable(),
  repeat_rate_after_return: ratio.nullable(),
  repeat_rate_without_return: ratio.nullable(),
}));

export const kpisReportSchema = z.strictObject({
  ...meta,
  current: kpiBlockSchema,
  comparison: kpiBlockSchema.optional(),
  series: z.array(z.strictObject({
    period_start: day, orders: count, revenue: minorUnits, customers: count, new_customers: count,
    repeat_purchase_rate: ratio.nullable().meta({ description: "The period's own repeat purchase rate (the KPI's definition over the period)" }),
    retention_rate: ratio.nullable().meta({ description: "The period's retention: of the customers of the period of the same length before it, the share who ordered in it" }),
    churn_rate: ratio.nullable().meta({ description: "The period's churn: of the customers active at its start, the share who reached the inactivity threshold within it" }),
    complete: z.boolean().meta({ description: 'The whole period lies in the range and has ended by the store\'s last day (trends should use complete periods only)' }),
  })),
});

export const cohortsReportSchema = z.strictObject({
  ...meta,
  cohorts: z.array(z.strictObject({
    cohort: day,
    segment: z.string().nullable().optional(),
    size: count,
    periods: z.array(z.strictObject({
      offset: z.number().int(),
      period_start: day,
      customers: count,
      retention: ratio,
      orders: count,
      revenue: minorUnits,
      cumulative_revenue_per_customer: minorUnits.meta({ description: 'Revenue of periods 0…offset ÷ cohort size, rounded' }),
    })),
    value_at: z.array(z.strictObject({
      age: z.number().int().meta({ description: 'Periods since the first-order period: 3, 6, 12 months (1, 2, 4 quarters; 13, 26, 52 weeks)' }),
      customers: count.meta({ description: 'The cohort size the value is per' }),
      value: minorUnits.nullable().meta({ description: 'Revenue of periods 0…age ÷ cohort size, rounded; null until the period `age` has ended' }),
    })),
  })),
  average: z.array(z.strictObject({ offset: z.number().int(), cohorts: count, retention: ratio.nullable(), cumulative_revenue_per_customer: minorUnits.nullable() })),
  value_average: z.array(z.strictObject({ age: z.number().int(), cohorts: count, customers: count, value: minorUnits.nullable() }))
    .meta({ description: 'Per age, over the cohorts old enough to have it complete: their revenue of periods 0…age ÷ their size' }),
  best_retention: z.strictObject({
    age: z.number().int().meta({ description: 'The age compared at (periods since the first-order period)' }),
    min_customers: count,
    min_cohorts: count,
    mature: z.strictObject({ cohorts: count, first: day.nullable(), last: day.nullable() })
      .meta({ description: 'The cohorts old enough to have the age complete, of any size' }),
    compared: z.strictObject({
      cohorts: count,
      first: day.nullable(),
      last: day.nullable(),
      customers: count,
      retained: count,
      retention: ratio.nullable(),
      too_small: count.meta({ description: 'Cohorts old enough but smaller than min_customers, left out' }),
    }),
    best: z.strictObject({
      cohort: day, size: count, retained: count, retention: ratio,
      lower_bound: ratio.meta({ description: 'Lower bound of the 95 % Wilson interval of the retention: what the cohorts are ranked by' }),
    }).nullable().meta({ description: 'Null when fewer than min_cohorts cohorts could be compared' }),
  }).meta({ description: 'The cohort that kept its customers best at one age, among the cohorts old and large enough' }),
});

const rfmSegment = z.enum(rfmSegments);
export const rfmReportSchema = z.strictObject({
  ...meta,
  as_of: day,
  customers: count,
  segments: z.array(z.strictObject({
    segment: rfmSegment,
    definition: z.string().describe('What the segment means, with its R and FM scores'),
    customers: count,
    share: ratio.nullable(),
    revenue: minorUnits,
    revenue_share: ratio.nullable(),
    avg_recency_days: z.number().nullable(),
    avg_orders: z.number().nullable(),
    avg_revenue: minorUnits.nullable(),
  })),
  grid: z.array(z.strictObject({ r: z.number().int(), fm: z.number().int(), customers: count })),
  movement: z.array(z.strictObject({ from: rfmSegment.nullable(), to: rfmSegment.nullable(), customers: count })).optional(),
});

export const productsReportSchema = z.strictObject({
  ...meta,
  level: z.enum(['product', 'category']),
  rows: z.array(z.strictObject({
    key: z.string(),
    title: z.string().nullable(),
    customers: count,
    repeat_rate: ratio.nullable(),
    median_days_to_second_order: z.number().nullable(),
    mature_customers: count,
    revenue_12m_per_customer: minorUnits.nullable(),
    next: z.array(z.strictObject({ key: z.string(), title: z.string().nullable(), customers: count, share: ratio.nullable() })),
  })),
});

export const clvReportSchema = z.strictObject({
  ...meta,
  rows: z.array(z.strictObject({
    key: z.string().nullable(),
    title: z.string().nullable(),
    customers: count,
    orders: count,
    revenue: minorUnits,
    revenue_per_customer: minorUnits.nullable(),
    orders_per_customer: z.number().nullable(),
    repeat_rate: ratio.nullable(),
  })),
});

/** Each report's answer, by report name. */
export const reportSchemas = {
  kpis: kpisReportSchema,
  cohorts: cohortsReportSchema,
  rfm: rfmReportSchema,
  products: productsReportSchema,
  clv: clvReportSchema,
};

const returningRevenue = z.strictObject({ from: day, to: day, revenue: minorUnits, returning_revenue: minorUnits });
export const returningRevenueSchema = z.strictObject({
  current: returningRevenue,
  comparison: returningRevenue.nullable(),
  series: z.array(z.strictObject({ period_start: day, revenue: minorUnits, returning_revenue: minorUnits })),
});

export type ReportStore = z.input<typeof reportStoreSchema>;
export type ReportQuery = z.input<typeof reportQuerySchema>;
export type KpiBlock = z.input<typeof kpiBlockSchema>;
export type KpisReport = z.input<typeof kpisReportSchema>;
export type CohortsReport = z.input<typeof cohortsReportSchema>;
export type RfmReport = z.input<typeof rfmReportSchema>;
export type ProductsReport = z.input<typeof productsReportSchema>;
export type ClvReport = z.input<typeof clvReportSchema>;
export type ReturningRevenueReport = z.input<typeof returningRevenueSchema>;
