/**
 * BG/NBD: Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way: An Alternative to
 * the Pareto/NBD Model", Marketing Science 24(2), 275–284.
 * While active, a customer buys at rate λ ~ Gamma(r, α); after each purchase she drops out with
 * probability p ~ Beta(a, b).
 * - Likelihood: eq. (6), written with B(a+1, b+x−1)/B(a, b+x) = a/(b+x−1) so that it is one
 *   log-sum (as in Fader & Hardie 2013, "Overcoming the BG/NBD Model's #NUM! Error Problem").
 * - E[X(t)] for a new customer: eq. (9). Conditional expectation E[Y(t) | x, t_x, T]: eq. (10).
 * - P(alive | x, t_x, T): Fader, Hardie & Lee (2008), "Computing P(alive) Using the BG/NBD Model".
 */
import { bfgs, minimizeFromStarts, standardErrorsFromGradient, type Objective } from './optimize.js';
import { distinctFrequencies, thin, type RecencyFrequency } from './rf-data.js';
import { betaln, digamma, gammaln, hyp2f1 } from './special.js';
import { describeStop, namedErrors, type ModelFit } from './fit-result.js';

export interface BgNbdParams { r: number; alpha: number; a: number; b: number }

const sigmoid = (v: number): number => (v > 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

/** ln(α + t) for t = 0, 1, …, max age when every age is a whole number (day units), else undefined. */
function ageLogTable(data: RecencyFrequency, alpha: number): Float64Array | undefined {
  let max = 0;
  for (let i = 0; i < data.length; i += 1) {
    const T = data.T[i]!;
    if (!Number.isInteger(T) || !Number.isInteger(data.tx[i]!)) return undefined;
    if (T > max) max = T;
  }
  if (max > 100_000) return undefined;
  return Float64Array.from({ length: max + 1 }, (_, t) => Math.log(alpha + t));
}

/**
 * Total log-likelihood (eq. 6 summed with weights) and its gradient with respect to the natural
 * parameters. Terms that depend on x only are computed once per distinct x.
 */
export function bgnbdLogLikelihood(params: BgNbdParams, data: RecencyFrequency, withGradient = false): { value: number; gradient: number[] } {
  const { r, alpha, a, b } = params;
  const { values, position } = distinctFrequencies(data);
  const k = values.length;
  const constX = new Float64Array(k);
  const dr = new Float64Array(k);
  const da = new Float64Array(k);
  const db = new Float64Array(k);
  const lnAOverB = new Float64Array(k);
  const baseR = gammaln(r);
  const baseB = betaln(a, b);
  const psiR = withGradient ? digamma(r) : 0;
  const psiAB = withGradient ? digamma(a + b) : 0;
  const psiB = withGradient ? digamma(b) : 0;
  for (let j = 0; j < k; j += 1) {
    const x = values[j]!;
    constX[j] = gammaln(r + x) - baseR + r * Math.log(alpha) + betaln(a, b + x) - baseB;
    lnAOverB[j] = x > 0 ? Math.log(a) - Math.log(b + x - 1) : -Infinity;
    if (withGradient) {
      const psiABX = digamma(a + b + x);
      dr[j] = digamma(r + x) - psiR + Math.log(alpha);
      da[j] = psiAB - psiABX;
      db[j] = digamma(b + x) - psiABX - psiB + psiAB;
    }
  }
  // Day-unit data has few distinct ages: ln(α + t) from a table instead of a log per row.
  const table = ageLogTable(data, alpha);
  let value = 0;
  let gr = 0;
  let gAlpha = 0;
  let ga = 0;
  let gb = 0;
  for (let i = 0; i < data.length; i += 1) {
    const j = position[i]!;
    const x = data.x[i]!;
    const w = data.weight[i]!;
    const T = data.T[i]!;
    const tx = data.tx[i]!;
    const lnT = table && T < table.length ? table[T]! : Math.log(alpha + T);
    const lnTx = x === 0 ? 0 : table && tx < table.length ? table[tx]! : Math.log(alpha + tx);
    const rx = r + x;
    const lnD = x > 0 ? lnAOverB[j]! + rx * (lnT - lnTx) : -Infinity;
    // One exp serves both softplus(lnD) and sigmoid(lnD).
    const e = x > 0 ? Math.exp(-Math.abs(lnD)) : 0;
    value += w * (constX[j]! - rx * lnT + (x > 0 ? Math.max(lnD, 0) + Math.log1p(e) : 0));
    if (withGradient) {
      const g = x > 0 ? (lnD > 0 ? 1 / (1 + e) : e / (1 + e)) : 0;
      gr += w * (dr[j]! - lnT + g * (lnT - lnTx));
      const inverseT = 1 / (alpha + T);
      gAlpha += w * (r / alpha - rx * inverseT + (x > 0 ? g * rx * (inverseT - 1 / (alpha + tx)) : 0));
      ga += w * (da[j]! + g / a);
      gb += w * (db[j]! - (x > 0 ? g / (b + x - 1) : 0));
    }
  }
  return { value, gradient: [gr, gAlpha, ga, gb] };
}

const toParams = (theta: readonly number[]): BgNbdParams => ({
  r: Math.exp(theta[0]!), alpha: Math.exp(theta[1]!), a: Math.exp(theta[2]!), b: Math.exp(theta[3]!),
});

/** Mean negative log-likelihood over customers, on log-parameters (every θ is admissible). */
export function bgnbdObjective(data: RecencyFrequency): Objective {
  return (theta) => {
    const p = toParams(theta);
    const { value, gradient } = bgnbdLogLikelihood(p, data, true);
    if (!Number.isFinite(value)) return { value: Infinity, gradient: [0, 0, 0, 0] };
    const scale = -1 / data.customers;
    return { value: value * scale, gradient: [gradient[0]! * p.r * scale, gradient[1]! * p.alpha * scale, gradient[2]! * p.a * scale, gradient[3]! * p.b * scale] };
  };
}

export function fitBgNbd(data: RecencyFrequency): ModelFit<BgNbdParams> {
  const objective = bgnbdObjective(data);
  const meanT = weightedMean(data.T, data.weight);
  // Starts spread over the plausible range; α is a time scale, so it starts at the data's scale.
  const starts = [
    [0, Math.log(Math.max(meanT, 1e-3)), 0, 0],
    [Math.log(0.3), Math.log(Math.max(meanT / 10, 1e-3)), Math.log(0.5), Math.log(2)],
    [Math.log(3), Math.log(Math.max(meanT * 3, 1e-3)), Math.log(2), Math.log(5)],
  ];
  // Starts are compared on at most 20,000 rows; the best is then polished on all of them.
  const best = minimizeFromStarts(bgnbdObjective(thin(data, 20_000)), starts, { gradientTolerance: 1e-8 });
  // 1e-7 on the mean log-likelihood is near the floor that rounding in a sum over a million customers allows.
  const polished = bfgs(objective, best.theta, { gradientTolerance: 1e-7, initialInverseHessian: best.inverseHessian });
  const result = { ...polished, starts: best.starts, iterations: best.iterations + polished.iterations, evaluations: best.evaluations + polished.evaluations };
  const params = toParams(result.theta);
  const names: (keyof BgNbdParams)[] = ['r', 'alpha', 'a', 'b'];
  const errors = standardErrorsFromGradient(
    (v) => bgnbdLogLikelihood({ r: v[0]!, alpha: v[1]!, a: v[2]!, b: v[3]! }, data, true).gradient.map((g) => -g),
    [params.r, params.alpha, params.a, params.b],
  );
  return {
    params,
    standardErrors: namedErrors(names, errors),
    logLikelihood: -polished.value * data.customers,
    customers: data.customers,
    rows: data.length,
    converged: polished.converged,
    ...(!polished.converged && { note: bgnbdNote(params, polished) }),
    iterations: result.iterations,
    evaluations: result.evaluations,
    starts: result.starts,
  };
}

/**
 * Why a BG/NBD fit did not converge. The usual case on small stores: a and b grow together
 * without bound, the beta mixing distribution collapsing to one dropout probability a/(a+b) for
 * everybody; the likelihood rises ever more slowly along that ridge.
 */
function bgnbdNote(p: BgNbdParams, result: Parameters<typeof describeStop>[0]): string {
  if (p.a > 1e4 && p.b > 1e4) {
    return `a and b grew without bound (a = ${p.a.toExponential(1)}, b = ${p.b.toExponential(1)}): customers' dropout probabilities show no variation the data can detect, so only a/(a+b) = ${(p.a / (p.a + p.b)).toPrecision(3)} is identified.`;
  }
  return describeStop(result);
}

export function weightedMean(values: Float64Array, weights: Float64Array): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < values.length; i += 1) {
    sum += values[i]! * weights[i]!;
    total += weights[i]!;
  }
  return total > 0 ? sum / total : 0;
}

/** P(alive | x, t_x, T) = 1 / (1 + δ_{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^{r+x}). */
export function bgnbdPAlive(p: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const lnD = Math.log(p.a) - Math.log(p.b + x - 1) + (p.r + x) * (Math.log(p.alpha + T) - Math.log(p.alpha + tx));
  return 1 - sigmoid(lnD);
}

/**
 * The factor of eq. (10) that depends on (x, T) only: E[Y(t) | x, t_x, T] = P(alive) · G(x, T, t).
 * Splitting it this way lets scoring evaluate 2F1 once per distinct (x, T), not per customer.
 */
export function bgnbdAliveExpectation(p: BgNbdParams, x: number, T: number, t: number): number {
  if (t <= 0) return 0;
  // At a = 1 the factor is 0/0; the limit is continuous, so step off the singular point.
  const a = Math.abs(p.a - 1) < 1e-7 ? 1 + 1e-7 : p.a;
  const z = t / (p.alpha + T + t);
  const ratio = Math.exp((p.r + x) * Math.log((p.alpha + T) / (p.alpha + T + t)));
  return ((a + p.b + x - 1) / (a - 1)) * (1 - ratio * hyp2f1(p.r + x, p.b + x, a + p.b + x - 1, z));
}

/** Eq. (10): expected repeat purchases in (T, T + t] for a customer with history (x, t_x, T). */
export function bgnbdConditionalExpectation(p: BgNbdParams, x: number, tx: number, T: number, t: number): number {
  return bgnbdPAlive(p, x, tx, T) * bgnbdAliveExpectation(p, x, T, t);
}

/** Eq. (9): expected repeat purchases in (0, t] for a customer just acquired. */
export function bgnbdExpectation(p: BgNbdParams, t: number): number {
  if (t <= 0) return 0;
  const a = Math.abs(p.a - 1) < 1e-7 ? 1 + 1e-7 : p.a;
  const ratio = Math.exp(p.r * Math.log(p.alpha / (p.alpha + t)));
  return ((a + p.b - 1) / (a - 1)) * (1 - ratio * hyp2f1(p.r, p.b, a + p.b - 1, t / (p.alpha + t)));
}

/**
 * P(at least one purchase in (T, T + t] | x, t_x, T). A BG/NBD customer can only drop out right
 * after a purchase, so an active customer's next purchase comes at rate λ, whose posterior given
 * activity is Gamma(r + x, α + T): P = P(alive) · (1 − ((α+T)/(α+T+t))^{r+x}).
 */
export function bgnbdProbabilityOfPurchase(p: BgNbdParams, x: number, tx: number, T: number, t: number): number {
  return bgnbdPAlive(p, x, tx, T) * (1 - Math.exp((p.r + x) * Math.log((p.alpha + T) / (p.alpha + T + t))));
}

/**
 * Time until the probability of a next purchase reaches `level` (the median with 0.5), by
 * inverting the expression above; undefined when it never does (P(alive) ≤ level).
 */
export function bgnbdTimeToNextPurchase(p: BgNbdParams, x: number, tx: number, T: number, level = 0.5): number | undefined {
  const alive = bgnbdPAlive(p, x, tx, T);
  if (alive <= level) return undefined;
  const q = 1 - level / alive;
  return (p.alpha + T) * (Math.exp(-Math.log(q) / (p.r + x)) - 1);
}
