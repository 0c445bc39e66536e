import { describe, expect, it } from 'vitest';
import { Random } from './random.js';

function moments(draw: () => number, n = 200_000): { mean: number; variance: number } {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i += 1) {
    const x = draw();
    sum += x;
    squares += x * x;
  }
  const mean = sum / n;
  return { mean, variance: squares / n - mean * mean };
}

describe('seeded random streams', () => {
  it('repeats a stream for the same (seed, stream, index) and differs otherwise', () => {
    const take = (r: Random) => Array.from({ length: 8 }, () => r.next());
    expect(take(new Random(1, 2, 3))).toEqual(take(new Random(1, 2, 3)));
    expect(take(new Random(1, 2, 3))).not.toEqual(take(new Random(1, 2, 4)));
    expect(take(new Random(1, 2, 3))).not.toEqual(take(new Random(2, 2, 3)));
    expect(take(new Random(1, 1, 3))).not.toEqual(take(new Random(1, 2, 3)));
  });

  it('draws uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = new Random(9);
    const { mean, variance } = moments(() => r.next());
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 2);
  });

  // Gamma(k, rate θ): mean k/θ, variance k/θ²; Beta(a, b): mean a/(a+b), variance ab/((a+b)²(a+b+1)).
  it.each([[0.75, 150], [6, 2], [4, 30]])('draws Gamma(%d, rate %d) with the right mean and variance', (shape, rate) => {
    const r = new Random(5);
    const { mean, variance } = moments(() => r.gamma(shape, rate));
    expect(mean / (shape / rate)).toBeCloseTo(1, 1);
    expect(variance / (shape / rate ** 2)).toBeGreaterThan(0.95);
    expect(variance / (shape / rate ** 2)).toBeLessThan(1.05);
  });

  it('draws Beta(a, b) with the right mean and variance', () => {
    const r = new Random(6);
    const [a, b] = [1, 1.6];
    const { mean, variance } = moments(() => r.beta(a, b));
    expect(mean).toBeCloseTo(a / (a + b), 2);
    expect(variance).toBeCloseTo((a * b) / ((a + b) ** 2 * (a + b + 1)), 2);
  });

  it('draws Poisson counts with mean = variance', () => {
    const r = new Random(7);
    const { mean, variance } = moments(() => r.poisson(2.3), 100_000);
    expect(mean).toBeCloseTo(2.3, 1);
    expect(variance).toBeCloseTo(2.3, 1);
  });
});
