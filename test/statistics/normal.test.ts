/** The normal distribution against tabulated values (Abramowitz & Stegun, Table 26.1 and 26.5). */
import { describe, expect, it } from 'vitest';
import { effectiveDegrees, normalCdf, normalQuantile, studentQuantile } from '../../src/lib/statistics/index.js';

describe('the standard normal distribution', () => {
  it('gives the tabulated cumulative probabilities, into the far tail', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145705, 14);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(normalCdf(2.5)).toBeCloseTo(0.99379033467422384, 14);
    // Relative accuracy in the tail, where 1 − Φ would lose every digit.
    expect(normalCdf(-5) / 2.866515718791939e-7).toBeCloseTo(1, 10);
    expect(normalCdf(-8) / 6.22096057427178e-16).toBeCloseTo(1, 10);
  });

  it('inverts it: the quantiles of two-sided tests and of power', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.8)).toBeCloseTo(0.8416212335729143, 12);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489004, 12);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 9);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 14);
    for (const p of [1e-6, 0.01, 0.2, 0.6, 0.93, 0.999999]) expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 11);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(Number.isNaN(normalQuantile(1.5))).toBe(true);
  });
});

describe("Student's t for Welch's interval", () => {
  it('gives the tabulated 97.5 % quantiles (Abramowitz & Stegun, Table 26.10)', () => {
    const z = normalQuantile(0.975);
    expect(studentQuantile(z, 30)).toBeCloseTo(2.042272, 5);
    expect(studentQuantile(z, 10)).toBeCloseTo(2.228139, 4);
    expect(studentQuantile(z, 5)).toBeCloseTo(2.570582, 2);
    expect(studentQuantile(z, Infinity)).toBe(z);
  });

  it('counts a heavy-tailed group as worth fewer degrees of freedom than its size', () => {
    const moments = (values: number[]) => ({
      n: values.length, sum: values.reduce((a, v) => a + v, 0), sumSquares: values.reduce((a, v) => a + v * v, 0),
      sumCubes: values.reduce((a, v) => a + v ** 3, 0), sumFourths: values.reduce((a, v) => a + v ** 4, 0),
    });
    // Evenly spread values (kurtosis 1.8, lighter than normal): n − 1.
    expect(effectiveDegrees(moments(Array.from({ length: 100 }, (_, i) => i)))).toBe(99);
    // 5 spenders among 100: kurtosis (1 − 3pq) / pq with pq = 0.0475, i.e. 18.05, so 2 · 99 / 17.05 = 11.6.
    const spenders = Array.from({ length: 100 }, (_, i) => (i < 5 ? 50 : 0));
    expect(effectiveDegrees(moments(spenders))).toBeCloseTo(11.61, 2);
  });
});
