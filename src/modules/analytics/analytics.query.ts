/**
 * An analytics request (from the API's query string or the CLI's flags) parsed into one query
 * value: date range in the store's time zone, comparison range, period, breakdown and filters.
 * Every report is computed from this value only.
 */
import { z } from 'zod';
import { isCalendarDay } from '../../lib/time.js';
import { AppError, type ErrorDetail } from '../../lib/errors.js';

export const periods = ['week', 'month', 'quarter'] as const;
export type Period = (typeof periods)[number];
export const compares = ['previous', 'year', 'none'] as const;
export type Compare = (typeof compares)[number];
/** Customer attributes a report can be broken down by or filtered on (all fixed at the first order). */
export const breakdowns = ['channel', 'country', 'first_product', 'first_category', 'first_discount', 'payment_method'] as const;
export type Breakdown = (typeof breakdowns)[number];
export const clvDimensions = ['cohort', ...breakdowns] as const;
export type ClvDimension = (typeof clvDimensions)[number];

export interface Filters {
  channel?: string;
  country?: string;
  /** The product's external id as the store knows it. */
  firstProduct?: string;
  firstCategory?: string;
  firstDiscount?: boolean;
  /** The first order's payment method. */
  paymentMethod?: string;
}

export interface AnalyticsQuery {
  /** Inclusive local dates, YYYY-MM-DD. */
  from: string;
  to: string;
  compare: Compare;
  /** The comparison range, when compare is not 'none'. */
  compareRange: { from: string; to: string } | undefined;
  period: Period;
  breakdown: Breakdown | undefined;
  /** For CLV: the dimension rows are grouped by (default cohort). */
  by: ClvDimension;
  filters: Filters;
  /** Cohorts: a customer counts as retained at an offset if they ordered in it, or at it or any later. */
  retained: 'period' | 'any_later';
  /** RFM: the earlier date segments are compared with (movement). */
  since: string | undefined;
  limit: number;
}

/** The raw, string-valued input both adapters accept (query string or flags). */
export const rawQuerySchema = z.object({
  from: z.string().optional(),
  to: z.string().optional(),
  compare: z.enum(compares).optional(),
  period: z.enum(periods).optional(),
  breakdown: z.enum(breakdowns).optional(),
  by: z.enum(clvDimensions).optional(),
  channel: z.string().min(1).optional(),
  country: z.string().min(1).optional(),
  first_product: z.string().min(1).optional(),
  first_category: z.string().min(1).optional(),
  first_discount: z.enum(['true', 'false']).optional(),
  payment_method: z.string().min(1).optional(),
  retained: z.enum(['period', 'any_later']).optional(),
  since: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
export type RawQuery = z.infer<typeof rawQuerySchema>;

const DAY = 86_400_000;
const MAX_RANGE_DAYS = 20 * 366;

export const isDate = isCalendarDay;

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
}

function minusYears(date: string, years: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  const target = new Date(Date.UTC(d.getUTCFullYear() - years, d.getUTCMonth(), d.getUTCDate()));
  // 29 February a year earlier is 28 February.
  if (target.getUTCMonth() !== d.getUTCMonth()) target.setUTCDate(0);
  return target.toISOString().slice(0, 10);
}

export interface QueryDefaults {
  /** The store's last day with data (local); the default end of the range. */
  lastDay: string;
  /** How field names are written in error details: 'query.' for the API, '--' for the CLI. */
  fieldPrefix?: string;
}

/** Validates the raw input and fills defaults; throws validation_failed naming each bad field. */
export function parseAnalyticsQuery(input: unknown, defaults: QueryDefaults): AnalyticsQuery {
  const prefix = defaults.fieldPrefix ?? '';
  const field = (name: string) => `${prefix}${prefix === '--' ? name.replace(/_/g, '-') : name}`;
  const parsed = rawQuerySchema.strict().safeParse(input ?? {});
  if (!parsed.success) {
    throw new AppError('validation_failed', 'Invalid analytics query', parsed.error.issues.map((issue) => ({
      path: issue.path.length ? field(issue.path.map(String).join('.')) : `${prefix}(query)`,
      reason: issue.code === 'unrecognized_keys' ? `unknown parameter(s) ${issue.keys.join(', ')}` : issue.message,
    })));
  }
  const raw = parsed.data;
  const problems: ErrorDetail[] = [];
  for (const name of ['from', 'to', 'since'] as const) {
    const value = raw[name];
    if (value !== undefined && !isDate(value)) problems.push({ path: field(name), reason: `"${value}" is not a date (YYYY-MM-DD)` });
  }
  if (problems.length) throw new AppError('validation_failed', 'Invalid analytics query', problems);
  const to = raw.to ?? defaults.lastDay;
  const from = raw.from ?? addDays(minusYears(to, 1), 1);
  if (from > to) problems.push({ path: field('from'), reason: `must not be after to (${to})` });
  else if (daysBetween(from, to) > MAX_RANGE_DAYS) problems.push({ path: field('from'), reason: 'the range may span at most 20 years' });
  if (raw.since !== undefined && raw.since >= to) problems.push({ path: field('since'), reason: `must be before to (${to})` });
  if (problems.length) throw new AppError('validation_failed', 'Invalid analytics query', problems);

  const compare = raw.compare ?? 'previous';
  const length = daysBetween(from, to) + 1;
  const compareRange = compare === 'previous' ? { from: addDays(from, -length), to: addDays(from, -1) }
    : compare === 'year' ? { from: minusYears(from, 1), to: minusYears(to, 1) } : undefined;
  const filters: Filters = {
    ...(raw.channel !== undefined && { channel: raw.channel }),
    ...(raw.country !== undefined && { country: raw.country }),
    ...(raw.first_product !== undefined && { firstProduct: raw.first_product }),
    ...(raw.first_category !== undefined && { firstCategory: raw.first_category }),
    ...(raw.first_discount !== undefined && { firstDiscount: raw.first_discount === 'true' }),
    ...(raw.payment_method !== undefined && { paymentMethod: raw.payment_method }),
  };
  return {
    from, to, compare, compareRange,
    period: raw.period ?? 'month',
    breakdown: raw.breakdown,
    by: raw.by ?? 'cohort',
    filters,
    retained: raw.retained ?? 'period',
    since: raw.since,
    limit: raw.limit ?? 100,
  };
}
