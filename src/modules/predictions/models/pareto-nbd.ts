/**
 * Pareto/NBD: Schmittlein, Morrison & Colombo (1987), "Counting Your Customers: Who Are They and
 * What Will They Do Next?", Management Science 33(1), 1–24; expressions as derived in Fader &
 * Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related Expressions":
 * - likelihood: the note's §3, computed as an integral with its analytic gradient (see
 *   `pareto-nbd-likelihood.ts`; the tests check it against the note's 2F1 form);
 * - P(alive | x, t_x, T): §5; conditional expectation E[Y(t) | x, t_x, T]: §6;
 * - E[X(t)] for a new customer: §4.
 * While active a customer buys at rate λ ~ Gamma(r, α); lifetimes are exponential with rate
 * μ ~ Gamma(s, β).
 */
import { gaussLegendre } from './special.js';
import { bfgs, boxed, minimizeFromStarts, standardErrorsFromGradient, type Objective } from './optimize.js';
import { thin, type RecencyFrequency } from './rf-data.js';
import { describeStop, namedErrors, type ModelFit } from './fit-result.js';
import { weightedMean } from './bgnbd.js';
import { bracket, paretoNbdLogLikelihood, type ParetoNbdParams } from './pareto-nbd-likelihood.js';

export { paretoNbdLogLikelihood, type ParetoNbdParams } from './pareto-nbd-likelihood.js';

const names: (keyof ParetoNbdParams)[] = ['r', 'alpha', 's', 'beta'];

/**
 * The optimiser's coordinates: ln r, ln(r/α), ln s, ln(s/β) — each shape with the mean rate it
 * shapes (purchases and dropouts per time unit). When a shape runs off to its limit the mean
 * stays put, so the ridge of the likelihood runs along one coordinate instead of two.
 */
const toParams = (theta: readonly number[]): ParetoNbdParams => ({
  r: Math.exp(theta[0]!), alpha: Math.exp(theta[0]! - theta[1]!), s: Math.exp(theta[2]!), beta: Math.exp(theta[2]! - theta[3]!),
});
const fromParams = (p: ParetoNbdParams): number[] => [Math.log(p.r), Math.log(p.r / p.alpha), Math.log(p.s), Math.log(p.s / p.beta)];

/** Mean negative log-likelihood per customer in the optimiser's coordinates, with its analytic gradient. */
function objectiveOf(data: RecencyFrequency): Objective {
  return (theta) => {
    const p = toParams(theta);
    const { value, gradient: g } = paretoNbdLogLikelihood(p, data, true);
    if (!Number.isFinite(value)) return { value: Infinity, gradient: [0, 0, 0, 0] };
    const scale = -1 / data.customers;
    const dAlpha = g[1]! * p.alpha;
    const dBeta = g[3]! * p.beta;
    return { value: value * scale, gradient: [(g[0]! * p.r + dAlpha) * scale, -dAlpha * scale, (g[2]! * p.s + dBeta) * scale, -dBeta * scale] };
  };
}

/** The objective over the coordinates not in `fixed`, the others held at `at`. */
function holding(objective: Objective, at: readonly number[], fixed: readonly number[]): { objective: Objective; full: (free: readonly number[]) => number[] } {
  const free = at.map((_, i) => i).filter((i) => !fixed.includes(i));
  const full = (values: readonly number[]): number[] => {
    const theta = [...at];
    free.forEach((i, k) => { theta[i] = values[k]!; });
    return theta;
  };
  return {
    full,
    objective: (values) => {
      const { value, gradient } = objective(full(values));
      return { value, gradient: free.map((i) => gradient[i]!) };
    },
  };
}

/**
 * The search range. Shapes r and s stop at 100: at that size the rates they describe vary by
 * under 10 % between customers (coefficient of variation 1/√s), which no store's data can tell
 * from no variation at all, while the likelihood may keep creeping up towards that limit (s, β →
 * ∞ with s/β fixed: one dropout rate for everybody). Mean rates stay within 10⁻⁶ … 10⁴ per mean
 * customer age.
 */
export function paretoNbdBounds(data: RecencyFrequency): { lower: number[]; upper: number[] } {
  const meanT = Math.max(weightedMean(data.T, data.weight), 1e-3);
  const shape = [Math.log(1e-3), Math.log(100)] as const;
  const rate = [Math.log(1e-6 / meanT), Math.log(1e4 / meanT)] as const;
  return { lower: [shape[0], rate[0], shape[0], rate[0]], upper: [shape[1], rate[1], shape[1], rate[1]] };
}

export interface FitLimits {
  /** Stop the fit at this `performance.now()` time and report it as not converged. */
  deadline?: number;
  /** Likelihood evaluations allowed to each optimiser run. */
  maxEvaluations?: number;
}

/**
 * Maximum likelihood within `paretoNbdBounds`. The starts are searched on at most 2,000 rows; a
 * coordinate that ends there on a bound is held on it, and the rest are polished on all rows. A
 * fit that ends on a bound, or runs out of evaluations or time, is reported as not converged
 * with the reason.
 */
export function fitParetoNbd(data: RecencyFrequency, limits: FitLimits = {}): ModelFit<ParetoNbdParams> {
  const { lower, upper } = paretoNbdBounds(data);
  const meanT = Math.max(weightedMean(data.T, data.weight), 1e-3);
  const budget = { maxEvaluations: limits.maxEvaluations ?? 400, ...(limits.deadline !== undefined && { deadline: limits.deadline }) };
  const search = boxed(objectiveOf(thin(data, 2_000)), lower, upper);
  const starts = [
    { r: 1, alpha: meanT, s: 1, beta: meanT },
    { r: 0.5, alpha: meanT / 4, s: 0.5, beta: meanT / 4 },
    { r: 2, alpha: meanT * 2, s: 2, beta: meanT * 4 },
  ].map((start) => search.toPhi(fromParams(start)));
  const best = minimizeFromStarts(search.objective, starts, { gradientTolerance: 1e-7, ...budget });
  const found = search.toTheta(best.theta);
  // Hold what reached a bound exactly on it; polish the rest.
  const bound = search.atBound(found, 1e-2);
  const held = found.map((v, i) => (bound.includes(i) ? (v - lower[i]! < upper[i]! - v ? lower[i]! : upper[i]!) : v));
  const free = held.map((_, i) => i).filter((i) => !bound.includes(i));
  const freeBox = boxed(holding(objectiveOf(data), held, bound).objective, free.map((i) => lower[i]!), free.map((i) => upper[i]!));
  const polished = bfgs(freeBox.objective, freeBox.toPhi(free.map((i) => held[i]!)), {
    gradientTolerance: 1e-7, ...budget,
    ...(bound.length === 0 && best.inverseHessian.length === 4 && { initialInverseHessian: best.inverseHessian }),
  });
  const theta = holding(objectiveOf(data), held, bound).full(freeBox.toTheta(polished.theta));
  const params = toParams(theta);
  const atBound = [...new Set([...bound, ...search.atBound(theta)])].sort();
  const natural = [params.r, params.alpha, params.s, params.beta];
  const errors = standardErrorsFromGradient(
    (v) => paretoNbdLogLikelihood({ r: v[0]!, alpha: v[1]!, s: v[2]!, beta: v[3]! }, data, true).gradient.map((g) => -g),
    natural,
  // A shape on its bound takes its scale with it: neither has a standard error.
  ).map((e, i) => (atBound.some((b) => b === i || (b === i - 1 && i % 2 === 1)) ? NaN : e));
  const converged = polished.converged && atBound.length === 0;
  return {
    params,
    standardErrors: namedErrors(names, errors),
    logLikelihood: paretoNbdLogLikelihood(params, data).value,
    customers: data.customers,
    rows: data.length,
    converged,
    iterations: best.iterations + polished.iterations,
    evaluations: best.evaluations + polished.evaluations,
    starts: best.starts,
    ...(!converged && { note: atBound.length ? boundNote(atBound, params, upper, theta) : describeStop(polished) }),
  };
}

const coordinates = ['r', 'the mean purchase rate r/α', 's', 'the mean dropout rate s/β'];

function boundNote(bound: number[], p: ParetoNbdParams, upper: number[], theta: number[]): string {
  const top = (i: number): boolean => upper[i]! - theta[i]! < 1e-2;
  const parts: string[] = [];
  if (bound.includes(2) && top(2)) parts.push(`s reached ${p.s.toFixed(0)}, the top of its range: customers' dropout rates show no variation the data can detect, so s and β are not identified separately (their ratio, the mean dropout rate s/β = ${(p.s / p.beta).toPrecision(3)} per time unit, is)`);
  if (bound.includes(0) && top(0)) parts.push(`r reached ${p.r.toFixed(0)}, the top of its range: customers' purchase rates show no variation the data can detect (mean rate r/α = ${(p.r / p.alpha).toPrecision(3)} per time unit)`);
  const other = bound.filter((i) => !((i === 2 || i === 0) && top(i)));
  if (other.length) parts.push(`${other.map((i) => coordinates[i]).join(', ')} reached the edge of the search range`);
  return `The estimates stopped on a bound of the search range: ${parts.join('; ')}.`;
}

/** §5: P(alive | x, t_x, T). */
export function paretoNbdPAlive(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { alive, total } = bracket(p, x, tx, T);
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
