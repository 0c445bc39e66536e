/**
 * CUPED: the difference between two groups adjusted for what each person did before the experiment
 * (A. Deng, Y. Xu, R. Kohavi, T. Walker, "Improving the Sensitivity of Online Controlled Experiments
 * by Utilizing Pre-Experiment Data", WSDM 2013, eq. 3–4). Each outcome y becomes
 * y − θᵀ(x − x̄), with θ the regression of y on the covariates x; random assignment makes x̄ the same
 * in expectation in both groups, so the difference stays unbiased while the variance shrinks by the
 * share of y that x explains.
 *
 * θ is fitted on the within-group (pooled) covariances, i.e. the regression with a group indicator —
 * W. Lin, "Agnostic notes on regression adjustments to experimental data: reexamining Freedman's
 * critique", Annals of Applied Statistics 7 (2013) 295–318 — so a treatment effect on y does not
 * leak into θ. The standard error is Welch's, from each group's variance of the adjusted outcome.
 */
import type { ArmSums } from './arm-sums.js';

export interface CupedDifference {
  difference: number;
  standardError: number;
  /** Standard error without adjustment, for the variance reduction. */
  plainStandardError: number;
  /** 1 − (adjusted variance of the difference ÷ unadjusted). */
  varianceReduction: number;
  theta: number[];
}

/** Centred second moments of one group: Sxx (k×k), Sxy (k), Syy. */
function centred(s: ArmSums, keep: number[]) {
  const n = s.n;
  const sxx = keep.map((j) => keep.map((k) => s.xx[j]![k]! - (s.x[j]! * s.x[k]!) / n));
  const sxy = keep.map((j) => s.xy[j]! - (s.x[j]! * s.y) / n);
  const syy = s.yy - (s.y * s.y) / n;
  return { sxx, sxy, syy };
}

/** Solves A θ = b by Gaussian elimination with partial pivoting; null when A is (nearly) singular. */
export function solve(a: number[][], b: number[]): number[] | null {
  const size = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  const scale = Math.max(1e-300, ...a.map((row, i) => Math.abs(row[i]!)));
  for (let col = 0; col < size; col += 1) {
    let pivot = col;
    for (let r = col + 1; r < size; r += 1) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (Math.abs(m[pivot]![col]!) <= 1e-10 * scale) return null;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = 0; r < size; r += 1) {
      if (r === col) continue;
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= size; c += 1) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  return m.map((row, i) => row[size]! / row[i]!);
}

/**
 * The CUPED difference treated − control, or null when there are no usable covariates (none given,
 * or none that varies within the groups), a group has fewer than 3 people, or the adjustment does
 * not reduce the variance.
 */
export function cupedDifference(treated: ArmSums, control: ArmSums): CupedDifference | null {
  const k = Math.min(treated.x.length, control.x.length);
  if (k === 0 || treated.n < 3 || control.n < 3) return null;
  // Covariates that vary within the groups; a constant one carries no information.
  let keep = Array.from({ length: k }, (_, j) => j).filter((j) => {
    const spread = (s: ArmSums) => s.xx[j]![j]! - (s.x[j]! * s.x[j]!) / s.n;
    return spread(treated) + spread(control) > 1e-9 * (Math.abs(treated.xx[j]![j]!) + Math.abs(control.xx[j]![j]!) + 1e-300);
  });
  let theta: number[] | null = null;
  while (keep.length > 0) {
    const t = centred(treated, keep);
    const c = centred(control, keep);
    const sxx = t.sxx.map((row, i) => row.map((v, j) => v + c.sxx[i]![j]!));
    const sxy = t.sxy.map((v, i) => v + c.sxy[i]!);
    theta = solve(sxx, sxy);
    if (theta) break;
    // Collinear covariates (e.g. revenue that is a multiple of orders): keep the first alone.
    keep = keep.slice(0, keep.length - 1);
  }
  if (!theta || keep.length === 0) return null;

  const adjusted = (s: ArmSums) => {
    const { sxx, sxy, syy } = centred(s, keep);
    let quadratic = 0;
    let cross = 0;
    for (let i = 0; i < keep.length; i += 1) {
      cross += theta![i]! * sxy[i]!;
      for (let j = 0; j < keep.length; j += 1) quadratic += theta![i]! * sxx[i]![j]! * theta![j]!;
    }
    const meanX = keep.map((j) => s.x[j]! / s.n);
    return {
      mean: s.y / s.n - theta!.reduce((a, th, i) => a + th * meanX[i]!, 0),
      variance: Math.max(0, (syy - 2 * cross + quadratic) / (s.n - 1)),
      plainVariance: Math.max(0, syy / (s.n - 1)),
    };
  };
  const t = adjusted(treated);
  const c = adjusted(control);
  // The pooled covariate mean cancels in the difference: (ȳt − θᵀx̄t) − (ȳc − θᵀx̄c).
  const standardError = Math.sqrt(t.variance / treated.n + c.variance / control.n);
  const plainStandardError = Math.sqrt(t.plainVariance / treated.n + c.plainVariance / control.n);
  // When the past explains nothing here (no spread in the outcome, or a fit on few people that adds
  // noise) the adjustment would only narrow the interval falsely or widen it: no CUPED estimate then.
  if (!(plainStandardError > 0) || !(standardError < plainStandardError)) return null;
  const full = new Array<number>(k).fill(0);
  keep.forEach((j, i) => { full[j] = theta![i]!; });
  return {
    difference: t.mean - c.mean, standardError, plainStandardError,
    varianceReduction: 1 - (standardError * standardError) / (plainStandardError * plainStandardError),
    theta: full,
  };
}
