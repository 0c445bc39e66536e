/**
 * Pareto/NBD: Schmittlein, Morrison & Colombo (1987), "Counting Your Customers: Who Are They and
 * What Will They Do Next?", Management Science 33(1), 1–24; expressions as derived in Fader &
 * Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related Expressions":
 * - likelihood: the note's §3 (with A0 written through 2F1, choosing the form with |z| < 1 by
 *   comparing α and β);
 * - P(alive | x, t_x, T): §5; conditional expectation E[Y(t) | x, t_x, T]: §6;
 * - E[X(t)] for a new customer: §4.
 * While active a customer buys at rate λ ~ Gamma(r, α); lifetimes are exponential with rate
 * μ ~ Gamma(s, β).
 */
import { gaussLegendre, gammaln, hyp2f1, logAddExp, logSubExp } from './special.js';
import { minimizeFromStarts, standardErrors, withNumericGradient } from './optimize.js';
import type { RecencyFrequency } from './rf-data.js';
import { namedErrors, type ModelFit } from './fit-result.js';
import { weightedMean } from './bgnbd.js';

export interface ParetoNbdParams { r: number; alpha: number; s: number; beta: number }

/** ln A0 of the note's §3, for one customer. */
function logA0(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = p;
  const rsx = r + s + x;
  if (alpha >= beta) {
    const f = (t: number): number => Math.log(hyp2f1(rsx, s + 1, rsx + 1, (alpha - beta) / (alpha + t))) - rsx * Math.log(alpha + t);
    return logSubExp(f(tx), f(T));
  }
  const f = (t: number): number => Math.log(hyp2f1(rsx, r + x, rsx + 1, (beta - alpha) / (beta + t))) - rsx * Math.log(beta + t);
  return logSubExp(f(tx), f(T));
}

/** The two log-terms of the likelihood's bracket: alive through T, and dropped out in (t_x, T]. */
function logTerms(p: ParetoNbdParams, x: number, tx: number, T: number): { alive: number; total: number } {
  const alive = -(p.r + x) * Math.log(p.alpha + T) - p.s * Math.log(p.beta + T);
  const dropped = Math.log(p.s / (p.r + p.s + x)) + logA0(p, x, tx, T);
  return { alive, total: logAddExp(alive, dropped) };
}

export function paretoNbdLogLikelihood(p: ParetoNbdParams, data: RecencyFrequency): number {
  const base = -gammaln(p.r) + p.r * Math.log(p.alpha) + p.s * Math.log(p.beta);
  const perX = new Map<number, number>();
  let value = 0;
  for (let i = 0; i < data.length; i += 1) {
    const x = data.x[i]!;
    let gx = perX.get(x);
    if (gx === undefined) {
      gx = gammaln(p.r + x);
      perX.set(x, gx);
    }
    value += data.weight[i]! * (gx + base + logTerms(p, x, data.tx[i]!, data.T[i]!).total);
  }
  return value;
}

const toParams = (theta: readonly number[]): ParetoNbdParams => ({
  r: Math.exp(theta[0]!), alpha: Math.exp(theta[1]!), s: Math.exp(theta[2]!), beta: Math.exp(theta[3]!),
});

/**
 * Maximum likelihood on log-parameters. The gradient is numeric (2F1 has no cheap derivative in
 * its parameters), so large stores fit this model on a sample: see `sampleForFit`.
 */
export function fitParetoNbd(data: RecencyFrequency): ModelFit<ParetoNbdParams> {
  const f = (theta: readonly number[]): number => {
    const v = -paretoNbdLogLikelihood(toParams(theta), data) / data.customers;
    return Number.isFinite(v) ? v : Infinity;
  };
  const objective = withNumericGradient(f, 1e-6);
  const meanT = Math.max(weightedMean(data.T, data.weight), 1e-3);
  const starts = [
    [0, Math.log(meanT), 0, Math.log(meanT)],
    [Math.log(0.5), Math.log(meanT / 4), Math.log(0.5), Math.log(meanT / 4)],
    [Math.log(2), Math.log(meanT * 2), Math.log(2), Math.log(meanT * 4)],
  ];
  const best = minimizeFromStarts(objective, starts, { gradientTolerance: 1e-7 });
  const params = toParams(best.theta);
  const names: (keyof ParetoNbdParams)[] = ['r', 'alpha', 's', 'beta'];
  const errors = standardErrors((v) => -paretoNbdLogLikelihood({ r: v[0]!, alpha: v[1]!, s: v[2]!, beta: v[3]! }, data), [params.r, params.alpha, params.s, params.beta]);
  return {
    params,
    standardErrors: namedErrors(names, errors),
    logLikelihood: paretoNbdLogLikelihood(params, data),
    customers: data.customers,
    rows: data.length,
    converged: best.converged,
    iterations: best.iterations,
    evaluations: best.evaluations,
    starts: best.starts,
  };
}

/** §5: P(alive | x, t_x, T). */
export function paretoNbdPAlive(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { alive, total } = logTerms(p, x, tx, T);
  return Math.exp(alive - total);
}

/** §6, the factor that depends on (x, T) only: E[Y(t) | x, t_x, T] = P(alive) · G(x, T, t). */
export function paretoNbdAliveExpectation(p: ParetoNbdParams, x: number, T: number, t: number): number {
  if (t <= 0) return 0;
  const lead = ((p.r + x) * (p.beta + T)) / (p.alpha + T);
  const ratio = (p.beta + T) / (p.beta + T + t);
  // s → 1 is a removable singularity: (1 − ρ^{s−1})/(s−1) → −ln ρ.
  if (Math.abs(p.s - 1) < 1e-8) return lead * -Math.log(ratio);
  return (lead / (p.s - 1)) * (1 - Math.exp((p.s - 1) * Math.log(ratio)));
}

export function paretoNbdConditionalExpectation(p: ParetoNbdParams, x: number, tx: number, T: number, t: number): number {
  return paretoNbdPAlive(p, x, tx, T) * paretoNbdAliveExpectation(p, x, T, t);
}

/** §4: E[X(t)] = rβ/(α(s−1)) · (1 − (β/(β+t))^{s−1}) for a customer just acquired. */
export function paretoNbdExpectation(p: ParetoNbdParams, t: number): number {
  if (t <= 0) return 0;
  const ratio = p.beta / (p.beta + t);
  if (Math.abs(p.s - 1) < 1e-8) return ((p.r * p.beta) / p.alpha) * -Math.log(ratio);
  return ((p.r * p.beta) / (p.alpha * (p.s - 1))) * (1 - Math.exp((p.s - 1) * Math.log(ratio)));
}

const legendre = gaussLegendre(16);

/**
 * P(at least one purchase in (T, T+t] | active at T, x). Given activity, λ ~ Gamma(r+x, α+T) and
 * μ ~ Gamma(s, β+T) independently; the first event is a purchase before dropout, so
 * P = ∫₀ᵗ E[λ e^{−(λ+μ)u}] du = ∫₀ᵗ (r+x)/(α+T) · ((α+T)/(α+T+u))^{r+x+1} ((β+T)/(β+T+u))^{s} du.
 * With v = 1 − ((α+T)/(α+T+u))^{r+x} the integrand becomes ((β+T)/(β+T+u(v)))^s, smooth on
 * [0, V], which 16-point Gauss–Legendre integrates to near machine precision.
 */
export function paretoNbdAlivePurchaseProbability(p: ParetoNbdParams, x: number, T: number, t: number): number {
  if (t <= 0) return 0;
  const k = p.r + x;
  const b1 = p.alpha + T;
  const b2 = p.beta + T;
  const upper = 1 - Math.exp(k * Math.log(b1 / (b1 + t)));
  let sum = 0;
  for (let i = 0; i < legendre.nodes.length; i += 1) {
    const v = (upper / 2) * (legendre.nodes[i]! + 1);
    const u = b1 * (Math.exp(-Math.log1p(-v) / k) - 1);
    sum += legendre.weights[i]! * Math.exp(p.s * Math.log(b2 / (b2 + u)));
  }
  return (upper / 2) * sum;
}

export function paretoNbdProbabilityOfPurchase(p: ParetoNbdParams, x: number, tx: number, T: number, t: number): number {
  return paretoNbdPAlive(p, x, tx, T) * paretoNbdAlivePurchaseProbability(p, x, T, t);
}

/** Time until P(a purchase) reaches `level`, searched up to `horizon`; undefined if not reached. */
export function paretoNbdTimeToNextPurchase(p: ParetoNbdParams, x: number, tx: number, T: number, horizon: number, level = 0.5): number | undefined {
  const alive = paretoNbdPAlive(p, x, tx, T);
  const target = level / alive;
  if (!(target < 1) || paretoNbdAlivePurchaseProbability(p, x, T, horizon) < target) return undefined;
  let lo = 0;
  let hi = horizon;
  for (let i = 0; i < 40 && hi - lo > horizon * 1e-6; i += 1) {
    const mid = (lo + hi) / 2;
    if (paretoNbdAlivePurchaseProbability(p, x, T, mid) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}
