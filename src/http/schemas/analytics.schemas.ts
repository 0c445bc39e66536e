/**
 * Answers of the analytics reports. Every report carries the store context (currency, time zone,
 * churn threshold, last day with data) and the query as it was understood. Money is in minor
 * units of `store.currency`; per-customer and per-order averages are rounded to whole minor units.
 */
import { z } from 'zod';
import { segments as rfmSegments } from '../../modules/analytics/rfm-segments.js';
import { component, count, day, minorUnits, ratio } from './common.schemas.js';

const period = z.enum(['week', 'month', 'quarter']);
const breakdown = z.enum(['channel', 'country', 'first_product', 'first_category', 'first_discount']);
const range = z.strictObject({ from: day, to: day });

export const reportStoreSchema = component('ReportStore', z.strictObject({
  currency: z.string(),
  timezone: z.string(),
  inactivityDays: z.number().int().meta({ description: 'Days without an order after which a customer counts as churned' }),
  inactivitySource: z.enum(['store', 'derived', 'default']),
  lastDay: day.nullable().meta({ description: "The store's last day with data (local); the default end of every range" }),
}));

export const reportQuerySchema = component('ReportQuery', z.strictObject({
  from: day,
  to: day,
  compare: z.enum(['previous', 'year', 'none']),
  compareRange: range.optional(),
  period,
  breakdown: breakdown.optional(),
  by: z.enum(['cohort', 'channel', 'country', 'first_product', 'first_category', 'first_discount']),
  filters: z.strictObject({
    channel: z.string().optional(),
    country: z.string().optional(),
    firstProduct: z.string().optional(),
    firstCategory: z.string().optional(),
    firstDiscount: z.boolean().optional(),
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
  newCustomers: count,
  returningCustomers: count,
  orders: count,
  guestOrders: count,
  revenue: minorUnits.meta({ description: 'Minor units, net of returns' }),
  aov: minorUnits.nullable().meta({ description: 'Average order value, rounded to whole minor units' }),
  ordersPerCustomer: z.number().nullable(),
  repeatPurchaseRate: ratio.nullable(),
  secondOrderRate: z.array(z.strictObject({ days: z.number().int(), eligible: count, customers: count, rate: ratio.nullable() })),
  timeBetweenOrders: z.strictObject({
    repeatOrders: count,
    medianDays: z.number().nullable(),
    distribution: z.array(z.strictObject({ label: z.string(), orders: count })),
  }),
  medianDaysToSecondOrder: z.number().nullable(),
  retentionRate: ratio.nullable(),
  retention: z.strictObject({ previousCustomers: count, retainedCustomers: count }),
  churnRate: ratio.nullable(),
  churn: z.strictObject({ activeAtStart: count, churnedCustomers: count }),
  returnsRate: ratio.nullable(),
  orderReturnRate: ratio.nullable(),
  repeatRateAfterReturn: ratio.nullable(),
  repeatRateWithoutReturn: ratio.nullable(),
}));

export const kpisReportSchema = z.strictObject({
  ...meta,
  current: kpiBlockSchema,
  comparison: kpiBlockSchema.optional(),
  series: z.array(z.strictObject({ periodStart: day, orders: count, revenue: minorUnits, customers: count, newCustomers: count })),
});

export const cohortsReportSchema = z.strictObject({
  ...meta,
  cohorts: z.array(z.strictObject({
    cohort: day,
    segment: z.string().nullable().optional(),
    size: count,
    periods: z.array(z.strictObject({
      offset: z.number().int(),
      periodStart: day,
      customers: count,
      retention: ratio,
      orders: count,
      revenue: minorUnits,
      cumulativeRevenuePerCustomer: minorUnits.meta({ description: 'Revenue of periods 0…offset ÷ cohort size, rounded' }),
    })),
  })),
  average: z.array(z.strictObject({ offset: z.number().int(), cohorts: count, retention: ratio.nullable(), cumulativeRevenuePerCustomer: minorUnits.nullable() })),
});

const rfmSegment = z.enum(rfmSegments);
export const rfmReportSchema = z.strictObject({
  ...meta,
  asOf: day,
  customers: count,
  segments: z.array(z.strictObject({
    segment: rfmSegment,
    customers: count,
    share: ratio.nullable(),
    revenue: minorUnits,
    revenueShare: ratio.nullable(),
    avgRecencyDays: z.number().nullable(),
    avgOrders: z.number().nullable(),
    avgRevenue: minorUnits.nullable(),
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
    repeatRate: ratio.nullable(),
    medianDaysToSecondOrder: z.number().nullable(),
    matureCustomers: count,
    revenue12mPerCustomer: minorUnits.nullable(),
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
    revenuePerCustomer: minorUnits.nullable(),
    ordersPerCustomer: z.number().nullable(),
    repeatRate: ratio.nullable(),
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

const returningRevenue = z.strictObject({ from: day, to: day, revenue: minorUnits, returningRevenue: minorUnits });
export const returningRevenueSchema = z.strictObject({
  current: returningRevenue,
  comparison: returningRevenue.nullable(),
  series: z.array(z.strictObject({ periodStart: day, revenue: minorUnits, returningRevenue: minorUnits })),
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
