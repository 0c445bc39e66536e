/**
 * Sufficient statistics of one group for one outcome y and its pre-period covariates x_k: every
 * estimate here (means, variances, the CUPED regression) is a function of these sums, so a database
 * can aggregate a million people in one pass and hand over a few numbers.
 */
export interface ArmSums {
  /** People. */
  n: number;
  /** Σ y. */
  y: number;
  /** Σ y². */
  yy: number;
  /** Σ y³ and Σ y⁴, for the skewness and tails of means (revenue); optional. */
  yyy?: number;
  yyyy?: number;
  /** Σ x_k. */
  x: number[];
  /** Σ x_j x_k. */
  xx: number[][];
  /** Σ x_k y. */
  xy: number[];
}

export function emptyArmSums(covariates: number): ArmSums {
  return {
    n: 0, y: 0, yy: 0, x: new Array<number>(covariates).fill(0),
    xx: Array.from({ length: covariates }, () => new Array<number>(covariates).fill(0)), xy: new Array<number>(covariates).fill(0),
  };
}

/** Adds one person (in place). */
export function addPerson(sums: ArmSums, y: number, x: readonly number[]): void {
  sums.n += 1;
  sums.y += y;
  sums.yy += y * y;
  sums.yyy = (sums.yyy ?? 0) + y * y * y;
  sums.yyyy = (sums.yyyy ?? 0) + y * y * y * y;
  for (let j = 0; j < x.length; j += 1) {
    sums.x[j]! += x[j]!;
    sums.xy[j]! += x[j]! * y;
    const row = sums.xx[j]!;
    for (let k = 0; k < x.length; k += 1) row[k]! += x[j]! * x[k]!;
  }
}

export const mean = (s: ArmSums): number => (s.n > 0 ? s.y / s.n : 0);

/** Sample variance of y (n − 1 denominator). */
export function variance(s: ArmSums): number {
  return s.n > 1 ? Math.max(0, (s.yy - (s.y * s.y) / s.n) / (s.n - 1)) : 0;
}
