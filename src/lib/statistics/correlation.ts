/**
 * Spearman's rank correlation: Pearson's correlation of the ranks, ties given their mean rank.
 * Its 95 % interval uses Fisher's z transform with the variance 1.06 / (n − 3) that Fieller,
 * Hartley and Pearson found for rank correlations ("Tests for rank correlation coefficients. I",
 * Biometrika 44 (1957) 470–481); it needs at least four pairs.
 */
import { Z95, type Interval } from './intervals.js';

export interface RankCorrelation extends Interval {
  rho: number;
  /** Pairs counted. */
  n: number;
}

/** Ranks from 1, ties sharing the mean of the ranks they span. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const out = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.value === order[start]!.value) end += 1;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k += 1) out[order[k]!.index] = rank;
    start = end + 1;
  }
  return out;
}

function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i += 1) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

/** Spearman's ρ of paired values with its 95 % interval; null under four pairs or when either side is constant. */
export function spearman(x: readonly number[], y: readonly number[]): RankCorrelation | null {
  if (x.length !== y.length) throw new Error('spearman: x and y differ in length');
  const n = x.length;
  if (n < 4) return null;
  const rho = pearson(ranks(x), ranks(y));
  if (rho === null) return null;
  const clipped = Math.max(-0.999999, Math.min(0.999999, rho));
  const z = Math.atanh(clipped);
  const half = Z95 * Math.sqrt(1.06 / (n - 3));
  return { rho, n, low: Math.tanh(z - half), high: Math.tanh(z + half) };
}
