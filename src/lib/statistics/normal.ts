/**
 * The standard normal distribution: its cumulative distribution function and its quantile, exact
 * to about 1e-14 without tables of fitted coefficients.
 *
 * - Φ(x) = (1 + erf(x/√2)) / 2 for |x| ≤ 2√2, with erf from its series of positive terms
 *   erf(z) = (2/√π) e^(−z²) Σ 2ⁿ z^(2n+1) / (1·3·…·(2n+1)) (Abramowitz & Stegun 7.1.6), which has no
 *   cancellation; beyond, the upper tail comes from the continued fraction of erfc
 *   (A&S 7.1.14), evaluated with Lentz's method.
 * - The quantile solves Φ(x) = p by Halley's method from a logistic first guess; Φ′ is the density.
 */

const SQRT2 = Math.SQRT2;
const SQRT_PI = Math.sqrt(Math.PI);

function erfSeries(z: number): number {
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n += 1) {
    term *= (2 * z * z) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return (2 / SQRT_PI) * Math.exp(-z * z) * sum;
}

/** erfc(z) for z > 0 by the continued fraction erfc z = e^(−z²)/√π · 1/(z + 1/2/(z + 1/(z + 3/2/(z + …)))). */
function erfcFraction(z: number): number {
  const tiny = 1e-300;
  let f = z;
  let c = z;
  let d = 0;
  for (let k = 1; k < 5000; k += 1) {
    const a = k / 2;
    d = z + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = z + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-z * z) / SQRT_PI / f;
}

/** P(Z ≤ x) for a standard normal Z. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const z = Math.abs(x) / SQRT2;
  const upper = z > 2 ? erfcFraction(z) / 2 : (1 - erfSeries(z)) / 2;
  return x >= 0 ? 1 - upper : upper;
}

export function normalDensity(x: number): number {
  return Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
}

/** The x with Φ(x) = p. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  // Solve in the lower half for accuracy in the tail; the other half by symmetry.
  if (p > 0.5) return -normalQuantile(1 - p);
  // Logistic first guess: Φ(x) ≈ 1 / (1 + e^(−1.702x)).
  let x = Math.log(p / (1 - p)) / 1.702;
  for (let i = 0; i < 50; i += 1) {
    const error = normalCdf(x) - p;
    const density = normalDensity(x);
    if (density === 0) break;
    const step = error / density;
    // Halley: Φ″/Φ′ = −x.
    const next = x - step / (1 + (x * step) / 2);
    if (Math.abs(next - x) < 1e-15 * Math.max(1, Math.abs(x))) return next;
    x = next;
  }
  return x;
}
