/**
 * The Pareto/NBD likelihood without the Gauss hypergeometric function, with its analytic gradient.
 *
 * Given λ and μ, a customer with (x, t_x, T) either is still active at T or dropped out at some
 * τ in (t_x, T] (Schmittlein, Morrison & Colombo 1987, eq. 8; Fader & Hardie 2005, "A Note on
 * Deriving the Pareto/NBD Model and Related Expressions", §3):
 *   L(λ, μ) = λ^x e^{−(λ+μ)T} + λ^x μ ∫_{t_x}^{T} e^{−(λ+μ)τ} dτ.
 * Taking the expectation over λ ~ Gamma(r, α) and μ ~ Gamma(s, β) under the integral gives
 *   L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^{−(r+x)} (β+T)^{−s} + s · I ],
 *   I = ∫_{t_x}^{T} (α+τ)^{−(r+x)} (β+τ)^{−(s+1)} dτ,
 * which is the note's s/(r+s+x)·A0 written as the integral that its 2F1 expressions evaluate.
 * The integrand is smooth, positive and decreasing, so I is computed by adaptive Gauss–Kronrod
 * quadrature; its derivatives in r, α, s and β are integrals of the same integrand times
 * ln(α+τ), 1/(α+τ), ln(β+τ) and 1/(β+τ), taken on the same nodes. Unlike the 2F1 series, whose
 * cost grows without bound as s and β grow and |z| → 1, this costs a few dozen exp/log per row.
 */
import { digamma, gammaln, logAddExp } from './special.js';
import type { RecencyFrequency } from './rf-data.js';

export interface ParetoNbdParams { r: number; alpha: number; s: number; beta: number }

// Gauss–Kronrod 7–15 nodes and weights on [−1, 1] (Piessens et al., QUADPACK, qk15).
const xgk = [0.9914553711208126, 0.9491079123427585, 0.8648644233597691, 0.7415311855993945, 0.5860872354676911, 0.4058451513773972, 0.20778495500789848, 0];
const wgk = [0.022935322010529224, 0.06309209262997856, 0.10479001032225019, 0.14065325971552592, 0.1690047266392679, 0.19035057806478542, 0.20443294007529889, 0.20948214108472782];
const wg = [0.1294849661688697, 0.27970539148927664, 0.3818300505051189, 0.4179591836734694];

/** ∫ of the integrand and of its four derivative weights, relative to the integrand at t_x. */
interface Moments { f: number; lnA: number; invA: number; lnB: number; invB: number }

/**
 * I relative to its integrand at t_x, with the weighted integrals the gradient needs. The
 * variable is y = ln((c+τ)/(c+t_x)) with c matched to the integrand's log-slope at t_x, so the
 * integrand is close to an exponential in y; Gauss–Kronrod bisects where it is not.
 */
function integrate(k1: number, alpha: number, k2: number, beta: number, tx: number, T: number, out: Moments): void {
  out.f = out.lnA = out.invA = out.lnB = out.invB = 0;
  if (!(T > tx)) return;
  const ax = alpha + tx;
  const bx = beta + tx;
  const q = (k1 + k2) / (k1 / ax + k2 / bx);
  const c = q - tx;
  const end = Math.log((c + T) / q);
  const lnAx = Math.log(ax);
  const lnBx = Math.log(bx);
  // Integrand of dτ = (c+τ) dy, relative to f(t_x): (α+τ)^{−k1} (β+τ)^{−k2} (c+τ) / (f(t_x) q).
  const segment = (a: number, b: number, sum: Moments): number => {
    const half = (b - a) / 2;
    const mid = (a + b) / 2;
    let gauss = 0;
    for (let j = 0; j < 15; j += 1) {
      const k = j < 8 ? j : 14 - j;
      const y = j < 8 ? mid - half * xgk[k]! : mid + half * xgk[k]!;
      const tau = q * Math.exp(y) - c;
      const la = Math.log1p((tau - tx) / ax);
      const lb = Math.log1p((tau - tx) / bx);
      const g = Math.exp(y - k1 * la - k2 * lb);
      const w = wgk[k]! * half * g;
      sum.f += w;
      sum.lnA += w * (lnAx + la);
      sum.invA += w / (alpha + tau);
      sum.lnB += w * (lnBx + lb);
      sum.invB += w / (beta + tau);
      // The embedded 7-point Gauss rule uses the odd Kronrod nodes (1, 3, 5, 7 from the edge).
      if (k % 2 === 1) gauss += wg[(k - 1) / 2]! * half * g;
    }
    return gauss;
  };
  // Start from pieces of 6, 18, 54, … decay lengths of the integrand, then bisect any piece whose
  // Gauss and Kronrod estimates differ by more than 1e-7 of the integral: by QUADPACK's error
  // heuristic ((200·|K−G|/I)^1.5 · |K−G|) the Kronrod value is then good to about 1e-14.
  const scale = 1 / Math.max(k1 + k2 - 1, 1e-3);
  const stack: [number, number, number][] = [];
  let from = 0;
  for (let width = 6 * scale; from < end; width *= 3) {
    const to = Math.min(end, from + width);
    stack.push([from, to, 0]);
    from = to;
  }
  // Nearest piece first: it carries most of the integral, which sets the tolerance of the rest.
  stack.reverse();
  const piece: Moments = { f: 0, lnA: 0, invA: 0, lnB: 0, invB: 0 };
  while (stack.length) {
    const [a, b, depth] = stack.pop()!;
    piece.f = piece.lnA = piece.invA = piece.lnB = piece.invB = 0;
    const gauss = segment(a, b, piece);
    const error = Math.abs(piece.f - gauss);
    if (depth < 12 && error > 1e-7 * (out.f + piece.f)) {
      const m = (a + b) / 2;
      stack.push([m, b, depth + 1], [a, m, depth + 1]);
      continue;
    }
    out.f += piece.f; out.lnA += piece.lnA; out.invA += piece.invA; out.lnB += piece.lnB; out.invB += piece.invB;
  }
}

/** ln of the bracket [alive through T + dropped out in (t_x, T]], its two parts, and its gradient. */
export interface RowTerms { alive: number; total: number }

const scratch: Moments = { f: 0, lnA: 0, invA: 0, lnB: 0, invB: 0 };

/**
 * ln[(α+T)^{−(r+x)} (β+T)^{−s}] (alive) and ln of the whole bracket (total); with `gradient`, adds
 * w · ∂ln(bracket)/∂(r, α, s, β) to it.
 */
export function bracket(p: ParetoNbdParams, x: number, tx: number, T: number, gradient?: number[], w = 1): RowTerms {
  const { r, alpha, s, beta } = p;
  const k1 = r + x;
  const k2 = s + 1;
  const lnAT = Math.log(alpha + T);
  const lnBT = Math.log(beta + T);
  const alive = -k1 * lnAT - s * lnBT;
  integrate(k1, alpha, k2, beta, tx, T, scratch);
  if (!(scratch.f > 0)) {
    if (gradient) {
      gradient[0]! -= w * lnAT;
      gradient[1]! -= (w * k1) / (alpha + T);
      gradient[2]! -= w * lnBT;
      gradient[3]! -= (w * s) / (beta + T);
    }
    return { alive, total: alive };
  }
  // `integrate` gives ∫ g dy with I = f(t_x) · q · ∫ g dy (q = c + t_x), so ln(s·I) is a sum of logs.
  const lnFx = -k1 * Math.log(alpha + tx) - k2 * Math.log(beta + tx);
  const q = (k1 + k2) / (k1 / (alpha + tx) + k2 / (beta + tx));
  const dropped = Math.log(s) + lnFx + Math.log(q) + Math.log(scratch.f);
  const total = logAddExp(alive, dropped);
  if (gradient) {
    const pAlive = Math.exp(alive - total);
    const pDropped = 1 - pAlive;
    const f = scratch.f;
    gradient[0]! += w * (pAlive * -lnAT + pDropped * (-scratch.lnA / f));
    gradient[1]! += w * (pAlive * (-k1 / (alpha + T)) + pDropped * (-k1 * scratch.invA / f));
    gradient[2]! += w * (pAlive * -lnBT + pDropped * (1 / s - scratch.lnB / f));
    gradient[3]! += w * (pAlive * (-s / (beta + T)) + pDropped * (-k2 * scratch.invB / f));
  }
  return { alive, total };
}

/**
 * Total log-likelihood (weighted over the rows) and, with `withGradient`, its gradient in
 * (r, α, s, β). Terms in x only are computed once per distinct x.
 */
export function paretoNbdLogLikelihood(p: ParetoNbdParams, data: RecencyFrequency, withGradient = false): { value: number; gradient: number[] } {
  const base = -gammaln(p.r) + p.r * Math.log(p.alpha) + p.s * Math.log(p.beta);
  const psiR = withGradient ? digamma(p.r) : 0;
  const perX = new Map<number, [number, number]>();
  const gradient = [0, 0, 0, 0];
  let value = 0;
  let weight = 0;
  let weightedPsi = 0;
  for (let i = 0; i < data.length; i += 1) {
    const x = data.x[i]!;
    const w = data.weight[i]!;
    let gx = perX.get(x);
    if (gx === undefined) {
      gx = [gammaln(p.r + x), withGradient ? digamma(p.r + x) : 0];
      perX.set(x, gx);
    }
    value += w * (gx[0] + base + bracket(p, x, data.tx[i]!, data.T[i]!, withGradient ? gradient : undefined, w).total);
    weight += w;
    weightedPsi += w * gx[1];
  }
  if (withGradient) {
    gradient[0]! += weightedPsi - weight * psiR + weight * Math.log(p.alpha);
    gradient[1]! += (weight * p.r) / p.alpha;
    gradient[2]! += weight * Math.log(p.beta);
    gradient[3]! += (weight * p.s) / p.beta;
  }
  return { value, gradient };
}
