/**
 * One outcome of an experiment, treated against control: the difference with its 95 % interval,
 * the relative lift, the CUPED-adjusted difference, the always-valid interval for monitoring, and
 * a verdict that says "too early to tell", with the reason, whenever the interval includes zero.
 */
import { mean, variance, type ArmSums } from './arm-sums.js';
import { cupedDifference } from './cuped.js';
import { differenceSkewness, meanDifference, proportionDifference, skewedInterval, type Interval } from './intervals.js';
import { normalQuantile } from './normal.js';
import { alwaysValid } from './sequential.js';

/** `proportion`: each person's y is 0 or 1. */
export type OutcomeKind = 'proportion' | 'mean';

export interface Comparison {
  treated_mean: number;
  control_mean: number;
  /** treated − control, with its interval: Newcombe (proportions) or Welch (means, corrected for skewness and heavy tails given Σy³ and Σy⁴). */
  difference: number;
  interval: Interval;
  /** treated ÷ control − 1, with a delta-method interval on the log ratio; null when control is 0. */
  relative_lift: number | null;
  relative_interval: Interval | null;
  /** Adjusted for the pre-period covariates (its interval bent for skewness like the plain one); null without usable covariates. */
  cuped: { difference: number; standard_error: number; interval: Interval; variance_reduction: number } | null;
  /** Valid however often one looks while the experiment runs. */
  always_valid: { interval: Interval; p_value: number };
  verdict: 'increase' | 'decrease' | 'too_early';
  reason: string;
}

export interface CompareOptions {
  /** 1 − confidence; 0.05 by default. */
  alpha?: number;
  /** The outcome windows are still open: the verdict uses the always-valid interval. */
  monitoring?: boolean;
  /** How a difference reads in the reason (by default: points for proportions, 3 digits for means). */
  format?: (difference: number) => string;
}

/** Below this many people in a group no verdict is given. */
export const MINIMUM_GROUP = 30;

const signed = (text: string, value: number) => (value > 0 ? `+${text}` : text.replace('-', '−'));
const defaultFormat = (kind: OutcomeKind) => (value: number) => kind === 'proportion'
  ? `${signed((value * 100).toFixed(2), value)} points`
  : signed(Number(value.toPrecision(3)).toString(), value);

const moments = (s: ArmSums) => ({ n: s.n, sum: s.y, sumSquares: s.yy, sumCubes: s.yyy, sumFourths: s.yyyy });

export function compare(kind: OutcomeKind, treated: ArmSums, control: ArmSums, options: CompareOptions = {}): Comparison {
  const alpha = options.alpha ?? 0.05;
  const z = normalQuantile(1 - alpha / 2);
  const format = options.format ?? defaultFormat(kind);
  const treatedMean = mean(treated);
  const controlMean = mean(control);

  const means = kind === 'mean' ? meanDifference(moments(treated), moments(control), z) : null;
  const plain = means ?? proportionDifference(treated.y, treated.n, control.y, control.n, z);
  const vt = variance(treated);
  const vc = variance(control);

  let relativeLift: number | null = null;
  let relativeInterval: Interval | null = null;
  if (controlMean > 0 && treatedMean > 0 && treated.n > 1 && control.n > 1) {
    relativeLift = treatedMean / controlMean - 1;
    // Delta method: Var(ln m̄) ≈ Var(m̄) / m̄².
    const se = Math.sqrt(vt / treated.n / treatedMean ** 2 + vc / control.n / controlMean ** 2);
    const log = Math.log(treatedMean / controlMean);
    relativeInterval = { low: Math.exp(log - z * se) - 1, high: Math.exp(log + z * se) - 1 };
  }

  const adjusted = cupedDifference(treated, control);
  // The adjustment barely changes how skewed revenue is: the unadjusted skewness, rescaled to the
  // adjusted standard error, bends CUPED's interval too.
  // So do the degrees of freedom of the plain interval.
  const skewness = means && adjusted ? differenceSkewness(moments(treated), moments(control), adjusted.standardError) : 0;
  const cuped = adjusted && {
    difference: adjusted.difference,
    standard_error: adjusted.standardError,
    interval: skewedInterval(adjusted.difference, adjusted.standardError, skewness, means ? means.quantile : z),
    variance_reduction: adjusted.varianceReduction,
  };

  // Monitoring rests on the most precise estimate there is: CUPED's when there is one.
  const inverseSizes = treated.n > 0 && control.n > 0 ? 1 / treated.n + 1 / control.n : 0;
  const se = adjusted ? adjusted.standardError : Math.sqrt((treated.n > 0 ? vt / treated.n : 0) + (control.n > 0 ? vc / control.n : 0));
  const perPerson = inverseSizes > 0 ? (se * se) / inverseSizes : 0;
  const sequential = alwaysValid(adjusted ? adjusted.difference : plain.difference, perPerson, inverseSizes, alpha);

  const shown = options.monitoring ? sequential.interval : cuped ? cuped.interval : { low: plain.low, high: plain.high };
  const sizes = `${treated.n.toLocaleString('en-US')} treated and ${control.n.toLocaleString('en-US')} in the holdout`;
  const range = `${format(shown.low)} to ${format(shown.high)}`;
  let verdict: Comparison['verdict'] = 'too_early';
  let reason: string;
  if (treated.n < MINIMUM_GROUP || control.n < MINIMUM_GROUP) {
    reason = `Too early to tell: ${sizes}; a verdict needs at least ${MINIMUM_GROUP} people in each group.`;
  } else if (shown.low > 0 || shown.high < 0) {
    verdict = shown.low > 0 ? 'increase' : 'decrease';
    reason = `The ${options.monitoring ? 'always-valid ' : ''}95 % interval (${range}) is ${shown.low > 0 ? 'above' : 'below'} zero, with ${sizes}.`;
  } else {
    // The smallest true difference found 80 % of the time at these sizes (z for 80 % power is 0.8416).
    const detectable = (z + normalQuantile(0.8)) * se;
    reason = `Too early to tell: the ${options.monitoring ? 'always-valid ' : ''}95 % interval (${range}) includes zero, with ${sizes}; `
      + `at these sizes only a difference of about ${format(detectable).replace(/^\+/, '')} or more would show.`;
    if (options.monitoring) reason += ' The outcome windows are still open.';
  }
  return {
    treated_mean: treatedMean, control_mean: controlMean,
    difference: plain.difference, interval: { low: plain.low, high: plain.high },
    relative_lift: relativeLift, relative_interval: relativeInterval, cuped,
    always_valid: { interval: sequential.interval, p_value: sequential.pValue },
    verdict, reason,
  };
}

export interface Incremental {
  value: number;
  low: number;
  high: number;
}

/** What the treatment added over everyone treated: the difference × treated people (CUPED when there is one). */
export function incremental(c: Comparison, treatedPeople: number): Incremental {
  const difference = c.cuped ? c.cuped.difference : c.difference;
  const interval = c.cuped ? c.cuped.interval : c.interval;
  return { value: difference * treatedPeople, low: interval.low * treatedPeople, high: interval.high * treatedPeople };
}

/**
 * The total of independent incremental figures: each side of each interval is read as 1.96 standard
 * errors and the variances add (a normal approximation; programmes that reach the same people are
 * not independent, so the total's interval is a guide).
 */
export function sumIncrementals(items: Incremental[], alpha = 0.05): Incremental {
  const z = normalQuantile(1 - alpha / 2);
  let value = 0;
  let below = 0;
  let above = 0;
  for (const item of items) {
    value += item.value;
    below += ((item.value - item.low) / z) ** 2;
    above += ((item.high - item.value) / z) ** 2;
  }
  return { value, low: value - z * Math.sqrt(below), high: value + z * Math.sqrt(above) };
}
