/**
 * Spearman's rank correlation against the textbook example in Myers & Well, "Research Design and
 * Statistical Analysis" (and Wikipedia's "Spearman's rank correlation coefficient": IQ against
 * hours of TV a week, ρ = −29/165 ≈ −0.1758), ties given mean ranks; and Wilson's interval at the
 * ends of its range, where it must reach 0 and 1 exactly.
 */
import { describe, expect, it } from 'vitest';
import { ranks, spearman, wilson } from '../../src/lib/statistics/index.js';

describe('Spearman\'s ρ', () => {
  it('gives the published value of the IQ and television example', () => {
    const iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110];
    const tv = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17];
    const r = spearman(iq, tv)!;
    expect(r.rho).toBeCloseTo(-29 / 165, 12);
    expect(r.n).toBe(10);
    // Fisher's z with the variance 1.06 / (n − 3).
    const half = 1.959963984540054 * Math.sqrt(1.06 / 7);
    expect(r.low).toBeCloseTo(Math.tanh(Math.atanh(-29 / 165) - half), 12);
    expect(r.high).toBeCloseTo(Math.tanh(Math.atanh(-29 / 165) + half), 12);
  });

  it('gives ties their mean rank and refuses what it cannot compute', () => {
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])!.rho).toBeCloseTo(-1, 12);
    expect(spearman([1, 2, 3], [1, 2, 3])).toBeNull();
    expect(spearman([1, 2, 3, 4], [5, 5, 5, 5])).toBeNull();
  });
});

describe('Wilson\'s interval', () => {
  it('reaches 0 with no successes and 1 with all, exactly', () => {
    for (const n of [1, 3, 12, 58, 1000]) {
      expect(wilson(0, n).low).toBe(0);
      expect(wilson(n, n).high).toBe(1);
      expect(wilson(0, n).high).toBeGreaterThan(0);
    }
  });
});
