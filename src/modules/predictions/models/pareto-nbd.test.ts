/**
 * The Pareto/NBD likelihood as an integral against Fader & Hardie's 2F1 form (computed here with
 * stdlib's hyp2f1, split by α ≥ β as in their note), its gradient against central differences,
 * and the fit's behaviour where the maximum lies on the edge of the parameter space: customers
 * who all share one dropout rate, so s and β run off towards infinity.
 */
import hyp2f1 from '@stdlib/math-base-special-hyp2f1';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../lib/random.js';
import { bracket, paretoNbdLogLikelihood, type ParetoNbdParams } from './pareto-nbd-likelihood.js';
import { fitParetoNbd } from './pareto-nbd.js';
import { compressCounts } from './rf-data.js';

/** ln of the bracket of the note's eq. for L, with A0 from 2F1 (the note's §3). */
function noteBracket(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = p;
  const rsx = r + s + x;
  const term = (t: number): number => (alpha >= beta
    ? hyp2f1(rsx, s + 1, rsx + 1, (alpha - beta) / (alpha + t)) / (alpha + t) ** rsx
    : hyp2f1(rsx, r + x, rsx + 1, (beta - alpha) / (beta + t)) / (beta + t) ** rsx);
  const a0 = term(tx) - term(T);
  return Math.log(1 / ((alpha + T) ** (r + x) * (beta + T) ** s) + (s / rsx) * a0);
}

const seeded = seededRandom;

describe('Pareto/NBD likelihood', () => {
  // Parameters from CDNOW's optimum to the far corners the optimiser can visit (s and β large).
  const cases: ParetoNbdParams[] = [
    { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 },
    { r: 0.2, alpha: 3, s: 2.5, beta: 40 },
    { r: 3, alpha: 60, s: 0.1, beta: 0.5 },
    { r: 0.57, alpha: 8.1, s: 30, beta: 700 },
  ];
  const rows = [[0, 0, 38.86], [2, 30.43, 38.86], [7, 35, 38.86], [1, 2, 60], [25, 70, 78]] as const;

  it('equals the note\'s 2F1 form to 1e-9 on every row', () => {
    for (const p of cases) {
      for (const [x, tx, T] of rows) {
        // Large s makes the 2F1 terms underflow in plain powers: compare only where they are finite.
        const expected = noteBracket(p, x, tx, T);
        if (!Number.isFinite(expected)) continue;
        expect(bracket(p, x, tx, T).total, JSON.stringify({ p, x, tx, T })).toBeCloseTo(expected, 9);
      }
    }
  });

  it('has the gradient of its value (central differences)', () => {
    const data = { x: Float64Array.from([0, 2, 7, 1]), tx: Float64Array.from([0, 30.43, 35, 2]), T: Float64Array.from([38.86, 38.86, 38.86, 60]), weight: Float64Array.from([5, 2, 1, 3]), length: 4, customers: 11 };
    for (const p of cases) {
      const { gradient } = paretoNbdLogLikelihood(p, data, true);
      (['r', 'alpha', 's', 'beta'] as const).forEach((key, i) => {
        const h = 1e-6 * p[key];
        const up = paretoNbdLogLikelihood({ ...p, [key]: p[key] + h }, data).value;
        const down = paretoNbdLogLikelihood({ ...p, [key]: p[key] - h }, data).value;
        // Compared on the log-parameter scale the optimiser uses.
        expect(gradient[i]! * p[key], `${key} at ${JSON.stringify(p)}`).toBeCloseTo(((up - down) / (2 * h)) * p[key], 5);
      });
    }
  });
});

describe('Pareto/NBD fit at the edge of the parameter space', () => {
  // 1,500 customers over 52 weeks, gamma-distributed purchase rates (r = 0.8, α = 8) but ONE
  // dropout rate μ = 0.04 a week for all: the likelihood keeps rising as s, β → ∞ with s/β = μ.
  const random = seeded(7);
  const gamma = (shape: number): number => {
    // Marsaglia–Tsang with the shape < 1 boost.
    if (shape < 1) return gamma(shape + 1) * random() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      const v = (1 + c * z) ** 3;
      if (v > 0 && Math.log(1 - random()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  const n = 1500;
  const mu = 0.04;
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    T[i] = Math.ceil(random() * 52 * 7);
    const lambda = gamma(0.8) / 8 / 7;
    const death = -Math.log(1 - random()) / (mu / 7);
    let t = 0;
    for (;;) {
      t += -Math.log(1 - random()) / lambda;
      if (t > Math.min(death, T[i]!)) break;
      x[i]! += 1;
      tx[i] = Math.floor(t);
    }
  }
  const data = compressCounts(x, tx, T);
  for (let i = 0; i < data.length; i += 1) { data.tx[i]! /= 7; data.T[i]! /= 7; }

  it('stops on the bound of s quickly, says so, and still finds the common dropout rate', () => {
    const started = performance.now();
    const fit = fitParetoNbd(data);
    const seconds = (performance.now() - started) / 1000;
    expect(fit.converged).toBe(false);
    expect(fit.note).toMatch(/s reached 100/);
    expect(fit.params.s).toBeCloseTo(100, 3);
    expect(Number.isNaN(fit.standardErrors.s)).toBe(true);
    // s/β is the mean dropout rate per week: the simulated 0.04, within sampling error.
    expect(fit.params.s / fit.params.beta).toBeGreaterThan(0.025);
    expect(fit.params.s / fit.params.beta).toBeLessThan(0.06);
    expect(fit.evaluations).toBeLessThan(1000);
    expect(seconds).toBeLessThan(10);
  });

  it('stops at an evaluation cap or a time limit with converged: false and the reason', () => {
    const capped = fitParetoNbd(data, { maxEvaluations: 3 });
    expect(capped.converged).toBe(false);
    expect(capped.note).toMatch(/cap of likelihood evaluations/);
    const late = fitParetoNbd(data, { deadline: performance.now() - 1 });
    expect(late.converged).toBe(false);
    expect(late.note).toMatch(/time limit/);
  });
});
