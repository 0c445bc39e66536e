import { describe, expect, it } from 'vitest';
import { bfgs, invertSymmetric, minimizeFromStarts, standardErrors, withNumericGradient } from './optimize.js';

describe('optimiser', () => {
  it('finds the Rosenbrock minimum at (1, 1) with an analytic gradient', () => {
    const rosenbrock = (t: readonly number[]) => {
      const [x, y] = [t[0]!, t[1]!];
      return { value: (1 - x) ** 2 + 100 * (y - x * x) ** 2, gradient: [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)] };
    };
    const result = bfgs(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.theta[0]).toBeCloseTo(1, 6);
    expect(result.theta[1]).toBeCloseTo(1, 6);
  });

  it('keeps the best of several starts and works with a numeric gradient', () => {
    // Two wells; the deeper one is at x = 2.
    const f = (t: readonly number[]) => Math.min((t[0]! + 2) ** 2 + 1, (t[0]! - 2) ** 2) + (t[1]! - 0.5) ** 2;
    const result = minimizeFromStarts(withNumericGradient(f), [[-3, 0], [3, 0]]);
    expect(result.theta[0]).toBeCloseTo(2, 5);
    expect(result.theta[1]).toBeCloseTo(0.5, 5);
    expect(result.value).toBeCloseTo(0, 8);
  });

  it('standard errors of a normal mean equal σ/√n', () => {
    const data = Array.from({ length: 400 }, (_, i) => Math.sin(i) * 3 + 10);
    const nll = (p: readonly number[]) => data.reduce((s, v) => s + ((v - p[0]!) ** 2) / (2 * 9), 0);
    const [se] = standardErrors(nll, [10]);
    expect(se).toBeCloseTo(3 / Math.sqrt(400), 6);
  });

  it('inverts a matrix and reports a singular one', () => {
    const inverse = invertSymmetric([[4, 1], [1, 3]])!;
    expect(inverse[0]![0]).toBeCloseTo(3 / 11, 12);
    expect(inverse[0]![1]).toBeCloseTo(-1 / 11, 12);
    expect(invertSymmetric([[1, 2], [2, 4]])).toBeUndefined();
  });
});
