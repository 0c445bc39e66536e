/**
 * Answers of the customer-journey reports (funnels, paths, exit pages before a lapse, lifecycle
 * stages). Each carries the store context and the query as it was understood. Definitions:
 * docs/metrics.md ("The customer journey").
 */
import { z } from 'zod';
import { exitTouchpoints as touchpoints, reactivationCauses, REACTIVATION_LOOKBACK_DAYS, funnelBreakdowns, funnelUnits, lifecycleStages, pageGroupings, periods, readyFunnels } from '../../modules/analytics/index.js';
import { count, day, minorUnits, ratio } from './common.schemas.js';
import { reportStoreSchema } from './analytics.schemas.js';

const stage = z.enum(lifecycleStages);
const positive = z.number().min(0);

export const funnelsReportSchema = z.strictObject({
  store: reportStoreSchema,
  query: z.strictObject({
    from: day, to: day, funnel: z.enum([...readyFunnels, 'custom']), count: z.enum(funnelUnits),
    window_days: z.number().int().nullable().meta({ description: 'Days from the first step within which later steps count; null: the session' }),
    period: z.enum(periods),
    breakdown: z.enum(funnelBreakdowns),
    segment: z.strictObject({ id: z.string(), name: z.string() }).nullable().meta({ description: 'The segment whose members and non-members breakdown=segment compares' }),
  }),
  steps: z.array(z.strictObject({
    label: z.string(),
    units: count.meta({ description: 'Sessions, people or customers that reached the step (in order)' }),
    conversion_from_start: ratio.nullable(),
    conversion_from_previous: ratio.nullable(),
    drop_off: count.meta({ description: 'Reached the previous step but not this one' }),
    next: z.array(z.strictObject({ label: z.string(), units: count, share: ratio.nullable() }))
      .meta({ description: 'Of those that reached this step and not the next: what they did next (page group or event; "(left)": nothing)' }),
  })),
  conversion: ratio.nullable(),
  time_to_convert: z.strictObject({
    unit: z.enum(['seconds', 'days']),
    median: positive.nullable(), lower_quartile: positive.nullable(), upper_quartile: positive.nullable(),
    distribution: z.array(z.strictObject({ label: z.string(), units: count })),
  }),
  breakdown: z.strictObject({
    dimension: z.enum(funnelBreakdowns),
    rows: z.array(z.strictObject({ value: z.string(), entered: count, converted: count, conversion: ratio.nullable() })),
  }),
  trend: z.array(z.strictObject({ period_start: day, entered: count, converted: count, conversion: ratio.nullable() })),
});

export const pathsReportSchema = z.strictObject({
  store: reportStoreSchema,
  query: z.strictObject({ from: day, to: day, direction: z.enum(['after', 'before']), anchor: z.string(), steps: z.number().int(), group: z.enum(pageGroupings) }),
  sessions: count.meta({ description: 'Sessions that reached the anchor' }),
  paths: z.array(z.strictObject({ steps: z.array(z.string()).meta({ description: 'In time order; empty: the session ended at the anchor (or began there)' }), sessions: count, share: ratio.nullable() })),
  links: z.array(z.strictObject({ depth: z.number().int().min(1), source: z.string(), target: z.string(), sessions: count }))
    .meta({ description: 'Sankey links; depth counts steps away from the anchor' }),
});

const comparison = {
  customers: count.meta({ description: 'Customers with the page (in their last sessions) or the touchpoint' }),
  lapsed: count, lapse_rate: ratio.nullable(),
  other_customers: count, other_lapsed: count, other_lapse_rate: ratio.nullable(),
  lift: positive.nullable().meta({ description: 'Lapse rate of those customers ÷ that of the others (relative risk)' }),
  lift_low: positive.nullable().meta({ description: '95 % interval, log scale (Katz et al. 1978)' }),
  lift_high: positive.nullable(),
};

export const exitsReportSchema = z.strictObject({
  store: reportStoreSchema,
  query: z.strictObject({ from: day, to: day, sessions: z.number().int(), min_customers: z.number().int(), group: z.enum(pageGroupings) }),
  exit_pages: z.strictObject({
    sessions: count.meta({ description: 'Sessions without a purchase' }),
    rows: z.array(z.strictObject({ page: z.string(), sessions: count, exits: count, exit_rate: ratio.nullable() })),
  }),
  churn: z.strictObject({
    customers: count, lapsed: count, lapse_rate: ratio.nullable(),
    rows: z.array(z.strictObject({ page: z.string(), ...comparison })),
  }),
  touchpoints: z.strictObject({
    days: z.number().int().meta({ description: 'The touchpoint counts when it came this many days before the lapse (or the end of the range)' }),
    customers: count, lapsed: count, lapse_rate: ratio.nullable(),
    rows: z.array(z.strictObject({ touchpoint: z.enum(touchpoints), ...comparison })),
  }),
});

export const lifecycleReportSchema = z.strictObject({
  store: reportStoreSchema,
  query: z.strictObject({ from: day, to: day }),
  months: z.array(z.strictObject({ month: day, stages: z.array(z.strictObject({ stage, customers: count, revenue: minorUnits })) })),
  transitions: z.array(z.strictObject({ from: stage.nullable().meta({ description: 'null: not yet known the month before' }), to: stage, customers: count })),
  reactivations: z.array(z.strictObject({
    by: z.enum(reactivationCauses).meta({ description: `offer: its code was on the reactivating order; campaign or flow: the latest marketing message sent in the ${REACTIVATION_LOOKBACK_DAYS} days before it; none: nothing recorded` }),
    source_id: z.string().nullable(), name: z.string().nullable(), customers: count, revenue: minorUnits.meta({ description: 'The reactivating orders\' totals' }),
  })).meta({ description: 'What preceded the reactivations in the range (an association: they might have come back anyway)' }),
});

export const journeySchemas = { funnels: funnelsReportSchema, paths: pathsReportSchema, exits: exitsReportSchema, lifecycle: lifecycleReportSchema } as const;

export type FunnelsReport = z.input<typeof funnelsReportSchema>;
export type PathsReport = z.input<typeof pathsReportSchema>;
export type ExitsReport = z.input<typeof exitsReportSchema>;
export type LifecycleReport = z.input<typeof lifecycleReportSchema>;
