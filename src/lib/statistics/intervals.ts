/**
 * Interval estimates for the difference between a treated group and its holdout. Both groups are
 * counted as assigned (intent to treat), so a bounce or an unopened message does not flatter the
 * result.
 *
 * - Proportions (share who ordered in a window): difference of two proportions with Newcombe's
 *   hybrid score interval, method 10 of R. G. Newcombe, "Interval estimation for the difference
 *   between independent proportions: comparison of eleven methods", Statistics in Medicine 17
 *   (1998) 873–890 — built from the Wilson score interval of each proportion (E. B. Wilson, JASA
 *   22 (1927) 209–212). It keeps its coverage for the small rates of retail conversion, where the
 *   simple Wald interval does not.
 * - Means (revenue or orders per person): difference of means with Welch's standard error
 *   (B. L. Welch, Biometrika 34 (1947) 28–35) and a normal quantile: the groups compared are a
 *   hundred people or more, where Student's and the normal quantile differ by under 1 %.
 */

/** The normal quantile of a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/** Wilson's score interval for a proportion x / n. */
export function wilson(x: number, n: number, z = Z95): Interval {
  if (n <= 0) return { low: 0, high: 1 };
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface ProportionDifference extends Interval {
  /** p1 − p0. */
  difference: number;
}

/** p1 − p0 with Newcombe's hybrid score interval (method 10). */
export function proportionDifference(x1: number, n1: number, x0: number, n0: number, z = Z95): ProportionDifference {
  const p1 = n1 > 0 ? x1 / n1 : 0;
  const p0 = n0 > 0 ? x0 / n0 : 0;
  const a = wilson(x1, n1, z);
  const b = wilson(x0, n0, z);
  const difference = p1 - p0;
  return {
    difference,
    low: difference - Math.sqrt((p1 - a.low) ** 2 + (b.high - p0) ** 2),
    high: difference + Math.sqrt((a.high - p1) ** 2 + (p0 - b.low) ** 2),
  };
}

/** Count, sum and sum of squares of a per-person value (zeros included). */
export interface Moments {
  n: number;
  sum: number;
  sumSquares: number;
}

export interface MeanDifference extends Interval {
  difference: number;
  standardError: number;
}

/** mean1 − mean0 with Welch's standard error. */
export function meanDifference(treated: Moments, control: Moments, z = Z95): MeanDifference {
  const mean = (m: Moments) => (m.n > 0 ? m.sum / m.n : 0);
  const variance = (m: Moments) => (m.n > 1 ? Math.max(0, (m.sumSquares - (m.sum * m.sum) / m.n) / (m.n - 1)) : 0);
  const difference = mean(treated) - mean(control);
  const standardError = Math.sqrt((treated.n > 0 ? variance(treated) / treated.n : 0) + (control.n > 0 ? variance(control) / control.n : 0));
  return { difference, standardError, low: difference - z * standardError, high: difference + z * standardError };
}
