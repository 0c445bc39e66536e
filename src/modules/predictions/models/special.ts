/**
 * Special functions used by the customer-base models. The well-kept stdlib.io implementations
 * (ports of Cephes / Boost) are used as they are; this file only gives them one import site and
 * adds the small helpers the likelihoods need. `special.test.ts` checks them against published
 * values (Abramowitz & Stegun tables and closed forms of 2F1).
 */
import betalnImpl from '@stdlib/math-base-special-betaln';
import digammaImpl from '@stdlib/math-base-special-digamma';
import gammalnImpl from '@stdlib/math-base-special-gammaln';
import hyp2f1Impl from '@stdlib/math-base-special-hyp2f1';

/** ln Γ(x) for x > 0. */
export const gammaln: (x: number) => number = gammalnImpl;
/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). */
export const betaln: (a: number, b: number) => number = betalnImpl;
/** ψ(x) = d/dx ln Γ(x). */
export const digamma: (x: number) => number = digammaImpl;
/** Gauss hypergeometric function 2F1(a, b; c; z), for z < 1. */
export const hyp2f1: (a: number, b: number, c: number, z: number) => number = hyp2f1Impl;

/** ln(e^u + e^v) without overflow. */
export function logAddExp(u: number, v: number): number {
  if (u === -Infinity) return v;
  if (v === -Infinity) return u;
  return u > v ? u + Math.log1p(Math.exp(v - u)) : v + Math.log1p(Math.exp(u - v));
}

/** ln(e^u − e^v) for u ≥ v; −Infinity when they are equal. */
export function logSubExp(u: number, v: number): number {
  if (v === -Infinity) return u;
  if (u <= v) return -Infinity;
  return u + Math.log1p(-Math.exp(v - u));
}

/**
 * Nodes and weights of n-point Gauss–Legendre quadrature on [−1, 1] (Golub–Welsch is not needed
 * for small n: Newton's method on P_n from the Chebyshev guess converges in a few steps).
 */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration += 1) {
      let p0 = 1;
      let p1 = z;
      for (let k = 2; k <= n; k += 1) {
        const p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      derivative = (n * (z * p1 - p0)) / (z * z - 1);
      const step = p1 / derivative;
      z -= step;
      if (Math.abs(step) < 1e-15) break;
    }
    nodes[i] = z;
    weights[i] = 2 / ((1 - z * z) * derivative * derivative);
  }
  return { nodes, weights };
}
