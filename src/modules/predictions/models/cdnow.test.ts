/**
 * The published CDNOW figures (39-week calibration ending 1997-09-30, weeks), from the
 * per-customer summary file: Fader, Hardie & Lee (2005) for BG/NBD and Gamma-Gamma, Fader &
 * Hardie's Pareto/NBD note for Pareto/NBD.
 */
import { describe, expect, it } from 'vitest';
import { readCdnowSummary } from '../../../../test/predictions/cdnow.js';
import { bgnbdConditionalExpectation, fitBgNbd } from './bgnbd.js';
import { fitGammaGamma, spendFrequencyCorrelation } from './gamma-gamma.js';
import { fitParetoNbd } from './pareto-nbd.js';
import { compress, uncompressed } from './rf-data.js';

const rows = readCdnowSummary();
const data = compress(rows.map((r) => r.x), rows.map((r) => r.tx), rows.map((r) => r.T));

describe('CDNOW summary file', () => {
  it('has the 2,357 customers and 946 repeat buyers of the papers', () => {
    expect(rows).toHaveLength(2357);
    expect(rows.filter((r) => r.x > 0)).toHaveLength(946);
  });

  const bg = fitBgNbd(data);
  it('BG/NBD: r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4', () => {
    expect(bg.converged).toBe(true);
    expect(bg.params.r).toBeCloseTo(0.243, 3);
    expect(bg.params.alpha).toBeCloseTo(4.414, 2);
    expect(bg.params.a).toBeCloseTo(0.793, 3);
    expect(bg.params.b).toBeCloseTo(2.426, 2);
    expect(bg.logLikelihood).toBeCloseTo(-9582.4, 1);
    expect(bg.customers).toBe(2357);
    expect(bg.rows).toBeLessThan(2357);
  });

  it('BG/NBD conditional expectation for x = 2, t_x = 30.43, T = 38.86 over 39 weeks is 1.226', () => {
    expect(bgnbdConditionalExpectation(bg.params, 2, 30.43, 38.86, 39)).toBeCloseTo(1.226, 3);
  });

  it('fitting the unique triples gives the same optimum as fitting every customer', () => {
    const full = fitBgNbd(uncompressed(rows.map((r) => r.x), rows.map((r) => r.tx), rows.map((r) => r.T)));
    expect(full.logLikelihood).toBeCloseTo(bg.logLikelihood, 6);
    expect(full.params.r).toBeCloseTo(bg.params.r, 5);
  });

  it('Pareto/NBD: r = 0.553, α = 10.578, s = 0.606, β = 11.669, LL = −9595.0', () => {
    const pn = fitParetoNbd(data);
    expect(pn.converged).toBe(true);
    expect(pn.params.r).toBeCloseTo(0.553, 3);
    expect(pn.params.alpha).toBeCloseTo(10.578, 1);
    expect(pn.params.s).toBeCloseTo(0.606, 2);
    expect(Math.abs(pn.params.beta - 11.669)).toBeLessThan(0.05);
    expect(pn.logLikelihood).toBeCloseTo(-9595.0, 1);
  });

  it('Gamma-Gamma on the 946 repeat buyers: p = 6.25, q = 3.74, γ = 15.44', () => {
    const repeat = rows.filter((r) => r.x > 0);
    const spend = { x: Float64Array.from(repeat.map((r) => r.x)), zbar: Float64Array.from(repeat.map((r) => r.zbar)) };
    const gg = fitGammaGamma(spend);
    expect(gg.converged).toBe(true);
    expect(gg.params.p).toBeCloseTo(6.25, 2);
    expect(gg.params.q).toBeCloseTo(3.74, 2);
    expect(gg.params.gamma).toBeCloseTo(15.44, 1);
    // FHL (2005b) report a weak correlation (0.11) between spend and frequency in this sample.
    expect(spendFrequencyCorrelation(spend)).toBeCloseTo(0.11, 2);
  });
});
