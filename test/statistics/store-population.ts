/**
 * A synthetic store for the statistics tests: each customer has their own order rate (gamma, as in
 * the NBD model), a year of pre-period orders and spend, and a 30-day outcome drawn from the same
 * rate — so the pre-period predicts the outcome as it does in a real store, and spend is heavy-tailed.
 */
import { seededRandom } from '../../src/lib/random.js';
import type { Population } from '../../src/lib/statistics/index.js';

function normal(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000), with the shape < 1 boost. */
function gamma(shape: number, next: () => number): number {
  if (shape < 1) return gamma(shape + 1, next) * next() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(next);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    if (Math.log(1 - next()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

function poisson(mean: number, next: () => number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = next(); p > limit; p *= next()) k += 1;
  return k;
}

export interface Store {
  orders: Population;
  converted: Population;
  revenue: Population;
}

/** `people` customers becoming eligible over `days` days. */
export function syntheticStore(people: number, days: number, seed: number): Store {
  const next = seededRandom(seed);
  const preOrders = new Float64Array(people);
  const preRevenue = new Float64Array(people);
  const orders = new Float64Array(people);
  const converted = new Float64Array(people);
  const revenue = new Float64Array(people);
  const day = new Int32Array(people);
  const spend = () => 40 * Math.exp(0.8 * normal(next));
  for (let i = 0; i < people; i += 1) {
    const perYear = gamma(0.6, next) * 2.5;
    preOrders[i] = poisson(perYear, next);
    for (let o = 0; o < preOrders[i]!; o += 1) preRevenue[i]! += spend();
    orders[i] = poisson((perYear * 30) / 365, next);
    converted[i] = orders[i]! > 0 ? 1 : 0;
    for (let o = 0; o < orders[i]!; o += 1) revenue[i]! += spend();
    day[i] = Math.floor(next() * days);
  }
  const x = [preOrders, preRevenue];
  return {
    orders: { kind: 'mean', y: orders, x, day },
    converted: { kind: 'proportion', y: converted, x, day },
    revenue: { kind: 'mean', y: revenue, x, day },
  };
}
