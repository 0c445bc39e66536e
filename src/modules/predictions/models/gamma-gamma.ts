/**
 * Gamma-Gamma spend model: Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for
 * Customer Base Analysis", Journal of Marketing Research 42(4), 415–430, with expressions as in
 * Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value".
 * A customer's order values are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers. Fitted on
 * repeat customers only (x > 0), on their mean repeat order value z̄:
 *   f(z̄ | x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q z̄^{px−1} x^{px} / (γ + x z̄)^{px+q},
 *   E[M | x, z̄] = p (γ + x z̄) / (px + q − 1)   (a weighted mean of the population mean pγ/(q−1)
 *   and the customer's own mean).
 * The model assumes spend is independent of purchase frequency; `spendFrequencyCorrelation`
 * reports the evidence for that.
 */
import { bfgs, minimizeFromStarts, standardErrorsFromGradient, type Objective } from './optimize.js';
import { digamma, gammaln } from './special.js';
import { namedErrors, type ModelFit } from './fit-result.js';

export interface GammaGammaParams { p: number; q: number; gamma: number }

export interface SpendData {
  /** Repeat purchases (x > 0). */
  x: Float64Array;
  /** Mean value of the repeat purchases, in major currency units (z̄ > 0). */
  zbar: Float64Array;
}

interface SpendConstants {
  /** Distinct x values with how many customers have each. */
  xs: number[];
  counts: number[];
  /** Σ ln z̄, Σ x ln z̄ and Σ x ln x: the parts of the likelihood that do not move with the parameters. */
  sumLnZ: number;
  sumXLnZ: number;
  sumXLnX: number;
}

const constantsCache = new WeakMap<SpendData, SpendConstants>();

function constantsOf(data: SpendData): SpendConstants {
  const cached = constantsCache.get(data);
  if (cached) return cached;
  const byX = new Map<number, number>();
  let sumLnZ = 0;
  let sumXLnZ = 0;
  let sumXLnX = 0;
  for (let i = 0; i < data.x.length; i += 1) {
    const x = data.x[i]!;
    const lnZ = Math.log(data.zbar[i]!);
    byX.set(x, (byX.get(x) ?? 0) + 1);
    sumLnZ += lnZ;
    sumXLnZ += x * lnZ;
    sumXLnX += x * Math.log(x);
  }
  const constants = { xs: [...byX.keys()], counts: [...byX.values()], sumLnZ, sumXLnZ, sumXLnX };
  constantsCache.set(data, constants);
  return constants;
}

/**
 * Σ ln f(z̄ | x) and its gradient in (p, q, γ). Only ln(γ + x z̄) needs a pass over the customers;
 * the gamma-function terms are per distinct x and the rest are fixed sums.
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, data: SpendData, withGradient = false): { value: number; gradient: number[] } {
  const { p, q, gamma } = params;
  const c = constantsOf(data);
  const n = data.x.length;
  const lnG = Math.log(gamma);
  let value = n * (-gammaln(q) + q * lnG) + p * c.sumXLnZ - c.sumLnZ + p * c.sumXLnX;
  let gp = c.sumXLnZ + c.sumXLnX;
  let gq = withGradient ? n * (-digamma(q) + lnG) : 0;
  let gg = (n * q) / gamma;
  for (let k = 0; k < c.xs.length; k += 1) {
    const px = p * c.xs[k]!;
    value += c.counts[k]! * (gammaln(px + q) - gammaln(px));
    if (withGradient) {
      const psiSum = digamma(px + q);
      gp += c.counts[k]! * c.xs[k]! * (psiSum - digamma(px));
      gq += c.counts[k]! * psiSum;
    }
  }
  // Σ (px + q) ln(γ + x z̄), and for the gradient Σ x ln(…), Σ ln(…), Σ (px + q)/(γ + x z̄).
  let sumL = 0;
  let sumXL = 0;
  let sumRatio = 0;
  for (let i = 0; i < n; i += 1) {
    const x = data.x[i]!;
    const sum = gamma + x * data.zbar[i]!;
    const l = Math.log(sum);
    sumL += l;
    sumXL += x * l;
    if (withGradient) sumRatio += (p * x + q) / sum;
  }
  value -= p * sumXL + q * sumL;
  gp -= sumXL;
  gq -= sumL;
  gg -= sumRatio;
  return { value, gradient: [gp, gq, gg] };
}

const toParams = (theta: readonly number[]): GammaGammaParams => ({ p: Math.exp(theta[0]!), q: Math.exp(theta[1]!), gamma: Math.exp(theta[2]!) });

const objectiveOf = (data: SpendData): Objective => {
  const n = data.x.length;
  return (theta) => {
    const params = toParams(theta);
    const { value, gradient } = gammaGammaLogLikelihood(params, data, true);
    if (!Number.isFinite(value)) return { value: Infinity, gradient: [0, 0, 0] };
    return { value: -value / n, gradient: [-gradient[0]! * params.p / n, -gradient[1]! * params.q / n, -gradient[2]! * params.gamma / n] };
  };
};

/** Every k-th customer, at most `max`: the multi-start search runs on this sample. */
function sample(data: SpendData, max: number): SpendData {
  if (data.x.length <= max) return data;
  const every = Math.ceil(data.x.length / max);
  const pick = (v: Float64Array) => Float64Array.from({ length: Math.ceil(v.length / every) }, (_, i) => v[i * every]!);
  return { x: pick(data.x), zbar: pick(data.zbar) };
}

export function fitGammaGamma(data: SpendData): ModelFit<GammaGammaParams> {
  const n = data.x.length;
  const objective = objectiveOf(data);
  let mean = 0;
  for (let i = 0; i < n; i += 1) mean += data.zbar[i]! / n;
  const starts = [
    [0, Math.log(2), Math.log(Math.max(mean, 1e-6))],
    [Math.log(5), Math.log(4), Math.log(Math.max(mean * 2, 1e-6))],
    [Math.log(0.5), Math.log(1.5), Math.log(Math.max(mean / 4, 1e-6))],
  ];
  const searched = minimizeFromStarts(objectiveOf(sample(data, 20_000)), starts, { gradientTolerance: 1e-8 });
  const polished = bfgs(objective, searched.theta, { gradientTolerance: 1e-7, initialInverseHessian: searched.inverseHessian });
  const best = { ...polished, iterations: searched.iterations + polished.iterations, evaluations: searched.evaluations + polished.evaluations, starts: searched.starts };
  const params = toParams(best.theta);
  const errors = standardErrorsFromGradient(
    (v) => gammaGammaLogLikelihood({ p: v[0]!, q: v[1]!, gamma: v[2]! }, data, true).gradient.map((g) => -g),
    [params.p, params.q, params.gamma],
  );
  return {
    params,
    standardErrors: namedErrors<GammaGammaParams>(['p', 'q', 'gamma'], errors),
    logLikelihood: -polished.value * n,
    customers: n,
    rows: n,
    converged: best.converged,
    iterations: best.iterations,
    evaluations: best.evaluations,
    starts: best.starts,
  };
}

/** E[M | x, z̄]; for a customer with no repeat purchase, the population mean pγ/(q−1). */
export function gammaGammaExpectedSpend(params: GammaGammaParams, x: number, zbar: number): number {
  const { p, q, gamma } = params;
  if (x <= 0 || !(zbar > 0)) return q > 1 ? (p * gamma) / (q - 1) : NaN;
  return (p * (gamma + x * zbar)) / (p * x + q - 1);
}

/** Pearson correlation of x and z̄ among repeat customers (the model assumes it is near 0). */
export function spendFrequencyCorrelation(data: SpendData): number {
  const n = data.x.length;
  let mx = 0;
  let mz = 0;
  for (let i = 0; i < n; i += 1) { mx += data.x[i]! / n; mz += data.zbar[i]! / n; }
  let sxz = 0;
  let sxx = 0;
  let szz = 0;
  for (let i = 0; i < n; i += 1) {
    const dx = data.x[i]! - mx;
    const dz = data.zbar[i]! - mz;
    sxz += dx * dz; sxx += dx * dx; szz += dz * dz;
  }
  return sxx > 0 && szz > 0 ? sxz / Math.sqrt(sxx * szz) : NaN;
}
