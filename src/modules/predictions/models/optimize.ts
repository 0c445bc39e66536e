/**
 * Unconstrained minimisation for the model fits: BFGS (Nocedal & Wright 2006, Algorithm 6.1)
 * with a line search satisfying the strong Wolfe conditions (Algorithms 3.5–3.6), run from
 * several starts. The models pass parameters on a log scale, so every point is admissible.
 * A gradient is analytic where the model provides one, else central differences.
 */

export interface Objective {
  /** Value and gradient at θ; the value may be +Infinity where the model is undefined. */
  (theta: readonly number[]): { value: number; gradient: number[] };
}

/** Why a run stopped; only `gradient` means the optimum was reached. */
export type StopReason = 'gradient' | 'no-progress' | 'line-search' | 'iterations' | 'evaluations' | 'time' | 'undefined';

export interface MinimizeResult {
  theta: number[];
  value: number;
  gradientNorm: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  stop: StopReason;
  /** The final BFGS inverse-Hessian estimate. */
  inverseHessian: number[][];
}

export interface MinimizeOptions {
  maxIterations?: number;
  /** Converged when the largest gradient component is below this (in the objective's scale). */
  gradientTolerance?: number;
  /** Start from this inverse-Hessian estimate (e.g. from a fit on a sample) instead of the identity. */
  initialInverseHessian?: number[][];
  /** Stop after this many objective evaluations (each line-search trial is one). */
  maxEvaluations?: number;
  /** Stop when `performance.now()` passes this. */
  deadline?: number;
}

const dot = (u: readonly number[], v: readonly number[]): number => u.reduce((sum, ui, i) => sum + ui * v[i]!, 0);
const maxAbs = (v: readonly number[]): number => v.reduce((m, vi) => Math.max(m, Math.abs(vi)), 0);

/** Central-difference gradient for objectives without an analytic one. */
export function withNumericGradient(f: (theta: readonly number[]) => number, step = 1e-5): Objective {
  return (theta) => {
    const value = f(theta);
    const gradient = theta.map((_, i) => {
      const up = [...theta];
      const down = [...theta];
      up[i]! += step;
      down[i]! -= step;
      return (f(up) - f(down)) / (2 * step);
    });
    return { value, gradient };
  };
}

export function bfgs(objective: Objective, start: readonly number[], options: MinimizeOptions = {}): MinimizeResult {
  const n = start.length;
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.gradientTolerance ?? 1e-7;
  const maxEvaluations = options.maxEvaluations ?? Infinity;
  const deadline = options.deadline ?? Infinity;
  let evaluations = 0;
  let stop: StopReason = 'iterations';
  const evaluate = (theta: readonly number[]): { value: number; gradient: number[] } => {
    evaluations += 1;
    return objective(theta);
  };
  // The line search gives up (returns no step) once the budget is spent.
  const spent = (): boolean => evaluations >= maxEvaluations || performance.now() > deadline;
  let x = [...start];
  let current = evaluate(x);
  if (!Number.isFinite(current.value)) {
    return { theta: x, value: current.value, gradientNorm: Infinity, iterations: 0, evaluations, converged: false, stop: 'undefined', inverseHessian: [] };
  }
  // Inverse-Hessian approximation, started at the identity and rescaled after the first step.
  let h: number[][] = options.initialInverseHessian?.map((row) => [...row])
    ?? Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  let iterations = 0;
  for (; iterations < maxIterations; iterations += 1) {
    if (maxAbs(current.gradient) < tolerance) { stop = 'gradient'; break; }
    if (spent()) { stop = evaluations >= maxEvaluations ? 'evaluations' : 'time'; break; }
    let direction = h.map((row) => -dot(row, current.gradient));
    if (dot(direction, current.gradient) >= 0) {
      // Not a descent direction (curvature lost): restart from steepest descent.
      h = h.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
      direction = current.gradient.map((g) => -g);
    }
    const step = wolfeLineSearch(evaluate, x, current, direction, spent);
    if (!step) { stop = spent() ? (evaluations >= maxEvaluations ? 'evaluations' : 'time') : 'line-search'; break; }
    const s = direction.map((d) => d * step.alpha);
    const y = step.point.gradient.map((g, i) => g - current.gradient[i]!);
    const sy = dot(s, y);
    const improvement = current.value - step.point.value;
    x = x.map((xi, i) => xi + s[i]!);
    current = step.point;
    if (sy > 1e-12) {
      if (iterations === 0 && !options.initialInverseHessian) {
        const scale = sy / dot(y, y);
        h = h.map((row, i) => row.map((_, j) => (i === j ? scale : 0)));
      }
      const rho = 1 / sy;
      const hy = h.map((row) => dot(row, y));
      const yhy = dot(y, hy);
      h = h.map((row, i) => row.map((hij, j) => hij - rho * (hy[i]! * s[j]! + s[i]! * hy[j]!) + (rho * rho * yhy + rho) * s[i]! * s[j]!));
    }
    if (Math.abs(improvement) <= 1e-15 * Math.max(1, Math.abs(current.value)) && maxAbs(s) < 1e-10) { stop = 'no-progress'; break; }
  }
  const gradientNorm = maxAbs(current.gradient);
  const converged = gradientNorm < tolerance * 10;
  return { theta: x, value: current.value, gradientNorm, iterations, evaluations, converged, stop: converged ? 'gradient' : stop, inverseHessian: h };
}

interface Point { value: number; gradient: number[] }
interface Trial { alpha: number; point: Point; slope: number }

/** Strong-Wolfe line search along `direction` (Nocedal & Wright, Algorithms 3.5 and 3.6). */
function wolfeLineSearch(
  evaluate: (theta: readonly number[]) => Point,
  x: readonly number[],
  at: Point,
  direction: readonly number[],
  spent: () => boolean = () => false,
): { alpha: number; point: Point } | undefined {
  const c1 = 1e-4;
  const c2 = 0.9;
  const slope0 = dot(at.gradient, direction);
  const trial = (alpha: number): Trial => {
    const point = evaluate(x.map((xi, i) => xi + alpha * direction[i]!));
    return { alpha, point, slope: Number.isFinite(point.value) ? dot(point.gradient, direction) : NaN };
  };
  const sufficient = (t: Trial): boolean => Number.isFinite(t.point.value) && t.point.value <= at.value + c1 * t.alpha * slope0;
  const curvature = (t: Trial): boolean => Math.abs(t.slope) <= -c2 * slope0;
  // Log-parameters: a step of more than ~5 e-folds at once is never useful and can overflow.
  const maxAlpha = 5 / Math.max(maxAbs(direction), 1e-12);
  const zoom = (lo: Trial, hi: Trial): Trial | undefined => {
    // A few halvings suffice; more only chase rounding noise near the optimum.
    for (let i = 0; i < 16 && !spent(); i += 1) {
      const t = trial((lo.alpha + hi.alpha) / 2);
      if (!sufficient(t) || t.point.value >= lo.point.value) hi = t;
      else {
        if (curvature(t)) return t;
        if (t.slope * (hi.alpha - lo.alpha) >= 0) hi = lo;
        lo = t;
      }
      if (Math.abs(hi.alpha - lo.alpha) < 1e-14 * Math.max(1, lo.alpha)) break;
    }
    return lo.alpha > 0 ? lo : undefined;
  };
  let prev: Trial = { alpha: 0, point: at, slope: slope0 };
  let alpha = Math.min(1, maxAlpha);
  for (let i = 0; i < 30 && !spent(); i += 1) {
    const t = trial(alpha);
    if (!sufficient(t) || (i > 0 && t.point.value >= prev.point.value)) return zoom(prev, t);
    if (curvature(t)) return t;
    if (t.slope >= 0) return zoom(t, prev);
    prev = t;
    if (alpha >= maxAlpha) return t;
    alpha = Math.min(alpha * 2, maxAlpha);
  }
  return prev.alpha > 0 ? prev : undefined;
}

/**
 * Keeps parameters inside a box [lower, upper] by a smooth map θ = lower + (upper − lower)·σ(φ),
 * so the unconstrained BFGS above can be used. Where the likelihood keeps rising towards a limit
 * (e.g. a mixing distribution degenerating to a point), φ runs out to where the mapped gradient
 * vanishes and the run ends at the bound instead of wandering along the ridge; `atBound` tells.
 */
export function boxed(objective: Objective, lower: readonly number[], upper: readonly number[]) {
  const sigmoid = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
  const toTheta = (phi: readonly number[]): number[] => phi.map((v, i) => lower[i]! + (upper[i]! - lower[i]!) * sigmoid(v));
  const toPhi = (theta: readonly number[]): number[] => theta.map((v, i) => {
    const u = Math.min(Math.max((v - lower[i]!) / (upper[i]! - lower[i]!), 1e-9), 1 - 1e-9);
    return Math.log(u / (1 - u));
  });
  const inner: Objective = (phi) => {
    const { value, gradient } = objective(toTheta(phi));
    return { value, gradient: gradient.map((g, i) => { const e = sigmoid(phi[i]!); return g * (upper[i]! - lower[i]!) * e * (1 - e); }) };
  };
  /** Indices of parameters within `margin` (in θ units) of a bound. */
  const atBound = (theta: readonly number[], margin = 1e-3): number[] =>
    theta.flatMap((v, i) => (v - lower[i]! < margin || upper[i]! - v < margin ? [i] : []));
  return { objective: inner, toTheta, toPhi, atBound };
}

/**
 * Runs BFGS from each start and keeps the lowest value: the likelihood surfaces of these models
 * have long flat ridges (e.g. BG/NBD's a and b), where one start can stop early.
 */
export function minimizeFromStarts(objective: Objective, starts: readonly (readonly number[])[], options: MinimizeOptions = {}): MinimizeResult & { starts: number } {
  let best: MinimizeResult | undefined;
  let evaluations = 0;
  for (const start of starts) {
    const result = bfgs(objective, start, options);
    evaluations += result.evaluations;
    if (!Number.isFinite(result.value)) continue;
    if (!best || result.value < best.value - 1e-9 || (Math.abs(result.value - best.value) <= 1e-9 && result.converged && !best.converged)) best = result;
  }
  if (!best) return { theta: [...(starts[0] ?? [])], value: Infinity, gradientNorm: Infinity, iterations: 0, evaluations: 0, converged: false, stop: 'undefined', inverseHessian: [], starts: starts.length };
  // Iterations are the best run's; evaluations count every run, which is what the search cost.
  return { ...best, evaluations, starts: starts.length };
}

/**
 * Standard errors from the inverse of the observed information (the numeric Hessian of the
 * negative log-likelihood in natural parameters). NaN when the Hessian is not positive definite.
 */
export function standardErrors(negLogLik: (params: readonly number[]) => number, at: readonly number[]): number[] {
  const n = at.length;
  const steps = at.map((v) => 1e-4 * Math.max(Math.abs(v), 1e-3));
  const f0 = negLogLik(at);
  const shifted = (moves: [number, number][]): number => {
    const p = [...at];
    for (const [i, m] of moves) p[i]! += m * steps[i]!;
    return negLogLik(p);
  };
  const hessian = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i += 1) {
    hessian[i]![i] = (shifted([[i, 1]]) - 2 * f0 + shifted([[i, -1]])) / (steps[i]! * steps[i]!);
    for (let j = 0; j < i; j += 1) {
      const value = (shifted([[i, 1], [j, 1]]) - shifted([[i, 1], [j, -1]]) - shifted([[i, -1], [j, 1]]) + shifted([[i, -1], [j, -1]])) / (4 * steps[i]! * steps[j]!);
      hessian[i]![j] = value;
      hessian[j]![i] = value;
    }
  }
  const inverse = invertSymmetric(hessian);
  return at.map((_, i) => {
    const v = inverse?.[i]?.[i];
    return v !== undefined && v > 0 ? Math.sqrt(v) : NaN;
  });
}

/**
 * Standard errors from an analytic gradient of the negative log-likelihood (natural parameters):
 * the Hessian by differences of the gradient.
 */
export function standardErrorsFromGradient(gradient: (params: readonly number[]) => number[], at: readonly number[]): number[] {
  const n = at.length;
  const hessian = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  // Forward differences (n + 1 gradients): at the optimum the gradient is ~0, so the first-order
  // error is far below the sampling error these standard errors describe.
  const g0 = gradient(at);
  for (let j = 0; j < n; j += 1) {
    const h = 1e-6 * Math.max(Math.abs(at[j]!), 1e-3);
    const up = [...at];
    up[j]! += h;
    const gu = gradient(up);
    for (let i = 0; i < n; i += 1) hessian[i]![j] = (gu[i]! - g0[i]!) / h;
  }
  // Symmetrise: the two halves differ only by rounding.
  for (let i = 0; i < n; i += 1) for (let j = 0; j < i; j += 1) hessian[i]![j] = hessian[j]![i] = (hessian[i]![j]! + hessian[j]![i]!) / 2;
  const inverse = invertSymmetric(hessian);
  return at.map((_, i) => {
    const v = inverse?.[i]?.[i];
    return v !== undefined && v > 0 ? Math.sqrt(v) : NaN;
  });
}

/** Gauss–Jordan inverse with partial pivoting; undefined when singular. */
export function invertSymmetric(matrix: readonly (readonly number[])[]): number[][] | undefined {
  const n = matrix.length;
  const a = matrix.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col += 1) {
    let pivot = col;
    for (let r = col + 1; r < n; r += 1) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    if (Math.abs(a[pivot]![col]!) < 1e-300) return undefined;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const p = a[col]![col]!;
    for (let j = 0; j < 2 * n; j += 1) a[col]![j]! /= p;
    for (let r = 0; r < n; r += 1) {
      if (r === col) continue;
      const factor = a[r]![col]!;
      if (factor === 0) continue;
      for (let j = 0; j < 2 * n; j += 1) a[r]![j]! -= factor * a[col]![j]!;
    }
  }
  return a.map((row) => row.slice(n));
}
