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
  // At x = 0 (x = n) the bound is exactly 0 (1); rounding could leave it a hair inside.
  return { low: x <= 0 ? 0 : Math.max(0, centre - half), high: x >= n ? 1 : Math.min(1, centre + half) };
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

/** Count, sum, sum of squares and (optionally) sums of cubes and fourth powers of a per-person value (zeros included). */
export interface Moments {
  n: number;
  sum: number;
  sumSquares: number;
  sumCubes?: number;
  sumFourths?: number;
}

export interface MeanDifference extends Interval {
  difference: number;
  standardError: number;
  /** Skewness of the estimated difference that the interval was corrected for (0 without sums of cubes). */
  skewness: number;
  /** The quantile the interval used: Student's for the effective degrees of freedom (normal's without sums of fourth powers). */
  quantile: number;
  degreesOfFreedom: number;
}

const meanOf = (m: Moments) => (m.n > 0 ? m.sum / m.n : 0);
const varianceOf = (m: Moments) => (m.n > 1 ? Math.max(0, (m.sumSquares - (m.sum * m.sum) / m.n) / (m.n - 1)) : 0);
/** The third central moment E(y − ȳ)³ of the sample. */
const thirdMoment = (m: Moments) => {
  const mean = meanOf(m);
  return m.n > 0 && m.sumCubes !== undefined ? (m.sumCubes - 3 * mean * m.sumSquares + 2 * m.n * mean ** 3) / m.n : 0;
};

/** The largest skewness of the estimate corrected for; beyond it the one-term expansion is not to be trusted. */
const MAX_SKEWNESS = 0.5;

/**
 * The skewness of a difference of two means, (μ₃,₁/n₁² − μ₃,₀/n₀²) / SE³ — the third cumulant of a
 * mean is μ₃/n² — for the correction below; 0 when a group lacks its sum of cubes.
 */
export function differenceSkewness(treated: Moments, control: Moments, standardError: number): number {
  if (treated.sumCubes === undefined || control.sumCubes === undefined || !(standardError > 0) || treated.n < 2 || control.n < 2) return 0;
  const cumulant = thirdMoment(treated) / treated.n ** 2 - thirdMoment(control) / control.n ** 2;
  return Math.max(-MAX_SKEWNESS, Math.min(MAX_SKEWNESS, cumulant / standardError ** 3));
}

/**
 * A symmetric interval d ± z·SE bent for skewness γ of the estimate: the one-term Edgeworth
 * expansion of a studentized mean, P(T ≤ x) ≈ Φ(x) + γ(2x² + 1)φ(x)/6 (P. Hall, "The Bootstrap and
 * Edgeworth Expansion", Springer 1992, §2.6), gives the quantiles t_q ≈ z_q − γ(2z_q² + 1)/6, so
 * the interval is [d − SE·t₁₋α/₂, d − SE·t_α/₂]. Revenue per person is right-skewed (most spend
 * nothing, a few a lot): without this the interval of a small holdout misses on one side more often.
 */
export function skewedInterval(difference: number, standardError: number, skewness: number, z: number): Interval {
  const bend = (skewness * (2 * z * z + 1)) / 6;
  return { low: difference - standardError * (z - bend), high: difference + standardError * (z + bend) };
}

/**
 * Degrees of freedom a group's variance estimate is worth. For a normal sample it is n − 1; a
 * heavy-tailed one (most people spend nothing, a few a lot) estimates its variance far less surely:
 * Var(s²) ≈ σ⁴ (κ − 1) / n for kurtosis κ, against 2σ⁴ / (n − 1) for a χ² with ν degrees of freedom,
 * so ν = 2(n − 1) / (κ − 1) — at most n − 1. Without the sum of fourth powers: n − 1.
 */
export function effectiveDegrees(m: Moments): number {
  if (m.n < 2) return 1;
  if (m.sumCubes === undefined || m.sumFourths === undefined) return m.n - 1;
  const mean = meanOf(m);
  const second = m.sumSquares / m.n - mean * mean;
  if (!(second > 0)) return m.n - 1;
  const fourth = (m.sumFourths - 4 * mean * m.sumCubes + 6 * mean * mean * m.sumSquares - 3 * m.n * mean ** 4) / m.n;
  const kurtosis = fourth / (second * second);
  return kurtosis > 3 ? Math.max(1, (2 * (m.n - 1)) / (kurtosis - 1)) : m.n - 1;
}

/**
 * Student's t quantile by the Cornish–Fisher expansion in 1/ν of Abramowitz & Stegun 26.7.5, from
 * the normal quantile z; ν below 4 is read as 4, where the expansion is still within 1 %.
 */
export function studentQuantile(z: number, degrees: number): number {
  if (!Number.isFinite(degrees) || degrees > 1e7) return z;
  const v = Math.max(4, degrees);
  const z2 = z * z;
  const g1 = (z2 * z + z) / 4;
  const g2 = (5 * z2 * z2 * z + 16 * z2 * z + 3 * z) / 96;
  const g3 = (3 * z2 ** 3 * z + 19 * z2 * z2 * z + 17 * z2 * z - 15 * z) / 384;
  const g4 = (79 * z2 ** 4 * z + 776 * z2 ** 3 * z + 1482 * z2 * z2 * z - 1920 * z2 * z - 945 * z) / 92160;
  return z + g1 / v + g2 / v ** 2 + g3 / v ** 3 + g4 / v ** 4;
}

/**
 * mean1 − mean0 with Welch's standard error. Given the sums of cubes and fourth powers, the interval
 * is corrected for skewness (above) and uses Student's quantile for the Welch–Satterthwaite degrees
 * of freedom ν = SE⁴ / Σ (s²ᵢ/nᵢ)² / νᵢ, each νᵢ the group's effective degrees (F. E. Satterthwaite,
 * Biometrics Bulletin 2 (1946) 110–114) — the small holdout of a store decides the width.
 */
export function meanDifference(treated: Moments, control: Moments, z = Z95): MeanDifference {
  const difference = meanOf(treated) - meanOf(control);
  const vt = treated.n > 0 ? varianceOf(treated) / treated.n : 0;
  const vc = control.n > 0 ? varianceOf(control) / control.n : 0;
  const standardError = Math.sqrt(vt + vc);
  const skewness = differenceSkewness(treated, control, standardError);
  const denominator = (vt * vt) / effectiveDegrees(treated) + (vc * vc) / effectiveDegrees(control);
  const degreesOfFreedom = denominator > 0 ? (vt + vc) ** 2 / denominator : Infinity;
  const quantile = treated.sumFourths === undefined || control.sumFourths === undefined ? z : studentQuantile(z, degreesOfFreedom);
  return { difference, standardError, skewness, quantile, degreesOfFreedom, ...skewedInterval(difference, standardError, skewness, quantile) };
}
