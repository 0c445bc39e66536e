/**
 * Comparing cohorts like with like: every comparison is made at one age (periods since the first
 * order), only among cohorts old enough to have that age complete, so a young cohort's partial
 * figure is never set beside an old cohort's full one.
 */
import { addDays, type Period } from './analytics.query.js';
import { addPeriods, periodStart } from './periods.js';

/** The ages customer value is read at: about 3, 6 and 12 months whatever the period. */
export const valueAges: Record<Period, readonly number[]> = { week: [13, 26, 52], month: [3, 6, 12], quarter: [1, 2, 4] };
/** The age the best-retention comparison is made at: about three months. */
export const retentionAge: Record<Period, number> = { week: 13, month: 3, quarter: 1 };
/** Cohorts smaller than this are left out of the comparison: their rates are mostly noise. */
export const MIN_COHORT_CUSTOMERS = 30;
/** Fewer comparable cohorts than this and there is no "best" to name. */
export const MIN_COMPARED_COHORTS = 6;
/** Full periods in the default cohort range: a year of months or weeks, two years of quarters. */
export const defaultCohortPeriods: Record<Period, number> = { week: 52, month: 12, quarter: 8 };

/** Whether the period `age` periods after the cohort's own has ended by the last day. */
export function ageComplete(period: Period, cohort: string, age: number, lastDay: string): boolean {
  return addPeriods(period, cohort, age + 1) <= addDays(lastDay, 1);
}

/**
 * The default cohort range: the last full periods up to the last day (the last day's period
 * counts when the last day ends it), `defaultCohortPeriods` of them.
 */
export function defaultCohortRange(period: Period, lastDay: string): { from: string; to: string } {
  const current = periodStart(period, lastDay);
  const lastFull = addPeriods(period, current, 1) === addDays(lastDay, 1) ? current : addPeriods(period, current, -1);
  return { from: addPeriods(period, lastFull, 1 - defaultCohortPeriods[period]), to: addDays(addPeriods(period, lastFull, 1), -1) };
}

/**
 * The lower bound of the Wilson score interval (95 %) of a rate: the rate a cohort can claim with
 * confidence. A cohort of 30 with 12 retained (40 %) ranks below one of 500 with 190 (38 %).
 * Wilson, "Probable inference…", JASA 22 (1927); Agresti & Coull, Am. Stat. 52 (1998), eq. 2.
 */
export function wilsonLowerBound(successes: number, trials: number, z = 1.96): number {
  if (trials <= 0) return 0;
  const p = successes / trials;
  const z2 = z * z;
  const bound = (p + z2 / (2 * trials) - z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / (1 + z2 / trials);
  return Math.max(0, bound); // 0 retained gives 0 up to rounding
}

export interface RetentionAtAge {
  cohort: string;
  size: number;
  /** Customers of the cohort who ordered in the period `age` periods after their first. */
  retained: number;
}

export interface BestRetention {
  age: number;
  minCustomers: number;
  minCohorts: number;
  /** The cohorts old enough to have the age complete, of any size. */
  mature: { cohorts: number; first: string | null; last: string | null };
  /** The cohorts compared: old enough to have the age complete and at least minCustomers strong. */
  compared: {
    cohorts: number;
    first: string | null;
    last: string | null;
    customers: number;
    retained: number;
    /** Their retained customers at the age ÷ their size. */
    retention: number | null;
    /** Old enough but left out for having fewer than minCustomers customers. */
    tooSmall: number;
  };
  /** Null when fewer than minCohorts cohorts could be compared. */
  best: { cohort: string; size: number; retained: number; retention: number; lowerBound: number } | null;
}

/**
 * The cohort that kept its customers best at one age. `mature` are the cohorts old enough to
 * have that age complete; the winner has the highest Wilson lower bound of its retention rate,
 * so a small cohort's lucky rate does not win over a large cohort's steady one.
 */
export function bestRetention(age: number, mature: readonly RetentionAtAge[], options: { minCustomers?: number; minCohorts?: number } = {}): BestRetention {
  const minCustomers = options.minCustomers ?? MIN_COHORT_CUSTOMERS;
  const minCohorts = options.minCohorts ?? MIN_COMPARED_COHORTS;
  const old = [...mature].sort((a, b) => a.cohort.localeCompare(b.cohort));
  const compared = mature.filter((c) => c.size >= minCustomers).sort((a, b) => a.cohort.localeCompare(b.cohort));
  const customers = compared.reduce((sum, c) => sum + c.size, 0);
  const retained = compared.reduce((sum, c) => sum + c.retained, 0);
  const ranked = compared.map((c) => ({ ...c, retention: c.retained / c.size, lowerBound: wilsonLowerBound(c.retained, c.size) }))
    .sort((a, b) => b.lowerBound - a.lowerBound || b.size - a.size || a.cohort.localeCompare(b.cohort));
  return {
    age, minCustomers, minCohorts,
    mature: { cohorts: old.length, first: old[0]?.cohort ?? null, last: old.at(-1)?.cohort ?? null },
    compared: {
      cohorts: compared.length, first: compared[0]?.cohort ?? null, last: compared.at(-1)?.cohort ?? null,
      customers, retained, retention: customers ? retained / customers : null, tooSmall: mature.length - compared.length,
    },
    best: compared.length >= minCohorts ? ranked[0] ?? null : null,
  };
}
