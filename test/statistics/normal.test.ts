/** The normal distribution against tabulated values (Abramowitz & Stegun, Table 26.1 and 26.5). */
import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile } from '../../src/lib/statistics/index.js';

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
