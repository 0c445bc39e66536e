import { describe, expect, it } from 'vitest';
import { betaln, digamma, gammaln, gaussLegendre, hyp2f1, logAddExp, logSubExp } from './special.js';

describe('special functions against published values', () => {
  it('log-gamma and log-beta (Abramowitz & Stegun 6.1.8, 6.1.6)', () => {
    expect(gammaln(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(gammaln(10)).toBeCloseTo(Math.log(362880), 12);
    expect(gammaln(1)).toBe(0);
    expect(betaln(2, 3)).toBeCloseTo(Math.log(1 / 12), 14);
  });

  it('digamma at 1 and 1/2 (A&S 6.3.2, 6.3.3)', () => {
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 14);
    expect(digamma(0.5)).toBeCloseTo(-0.5772156649015329 - 2 * Math.log(2), 14);
  });

  it('2F1 against its closed forms (A&S 15.1.3, 15.1.8, 15.1.4)', () => {
    for (const z of [-0.9, -0.3, 0.1, 0.5, 0.9, 0.99]) {
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(-Math.log(1 - z) / z, 12);
      expect(hyp2f1(2.7, 1.3, 1.3, z)).toBeCloseTo((1 - z) ** -2.7, 9);
    }
    for (const x of [0.2, 0.6, 0.95]) expect(hyp2f1(0.5, 1, 1.5, x * x)).toBeCloseTo(Math.atanh(x) / x, 12);
  });

  it('log-space sums', () => {
    expect(logAddExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 14);
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logSubExp(Math.log(5), Math.log(3))).toBeCloseTo(Math.log(2), 14);
    expect(logSubExp(1, 1)).toBe(-Infinity);
  });

  it('Gauss–Legendre integrates polynomials of degree 2n − 1 exactly', () => {
    const { nodes, weights } = gaussLegendre(6);
    const integrate = (f: (x: number) => number): number => nodes.reduce((sum, x, i) => sum + weights[i]! * f(x), 0);
    expect(integrate((x) => x ** 10)).toBeCloseTo(2 / 11, 14);
    expect(integrate((x) => x ** 11 + 3 * x ** 2)).toBeCloseTo(2, 14);
    const sixteen = gaussLegendre(16);
    expect(sixteen.nodes.reduce((sum, x, i) => sum + sixteen.weights[i]! * Math.exp(x), 0)).toBeCloseTo(Math.E - 1 / Math.E, 13);
  });
});
