/**
 * Time in the demo store: the period it covers, when customers arrive (growth with a November /
 * December peak) and when they buy (the same seasonal swing), and the promotions' windows.
 */
import { DAY_MS } from '../../lib/time.js';

export const DEMO_STORE = {
  name: 'Hearth Demo Outfitters',
  slug: 'demo',
  timezone: 'America/New_York',
  currency: 'USD',
  site: 'https://demo-outfitters.example',
} as const;

/**
 * Relative demand by calendar month (Jan … Dec). Outdoor retail peaks at the holidays, with a
 * smaller summer camping season; the shape follows US e-commerce monthly sales (Census MRTS).
 */
const MONTH_DEMAND = [0.82, 0.78, 0.9, 0.95, 1.02, 1.1, 1.08, 0.98, 0.92, 1.0, 1.5, 1.75];
/** Acquisition grows about 3× over the period: a young store finding its audience. */
const GROWTH = Math.log(3);

export interface Period {
  start: number;
  end: number;
  days: number;
  /** Per day of the period: demand (see `demandAt`) and promotions (1 = BFCM, 2 = summer sale). */
  demand: Float64Array;
  promo: Uint8Array;
}

export const PROMO_BFCM = 1;
export const PROMO_SUMMER = 2;

/** `months` calendar months ending at `end` (ms, UTC), with its days' demand precomputed. */
export function periodEnding(end: Date, months: number): Period {
  const start = new Date(end);
  start.setUTCMonth(start.getUTCMonth() - months);
  const days = Math.round((end.getTime() - start.getTime()) / DAY_MS);
  const demand = new Float64Array(days + 1);
  const promo = new Uint8Array(days + 1);
  for (let d = 0; d <= days; d += 1) {
    const noon = start.getTime() + d * DAY_MS + DAY_MS / 2;
    demand[d] = demandAt(noon);
    promo[d] = (inBfcm(noon) ? PROMO_BFCM : 0) | (inSummerSale(noon) ? PROMO_SUMMER : 0);
  }
  return { start: start.getTime(), end: end.getTime(), days, demand, promo };
}

function dayOf(period: Period, time: number): number {
  return Math.min(period.days, Math.max(0, Math.floor((time - period.start) / DAY_MS)));
}

/** Demand on the day of `time` (a table lookup; the simulation asks millions of times). */
export function demandOn(period: Period, time: number): number {
  return period.demand[dayOf(period, time)]!;
}

export function promoOn(period: Period, time: number): number {
  return period.promo[dayOf(period, time)]!;
}

/** Black Friday (fourth Thursday of November + 1) to Cyber Monday, as [start, end) in ms. */
export function bfcmWindow(year: number): [number, number] {
  const nov1 = new Date(Date.UTC(year, 10, 1)).getUTCDay();
  const thanksgiving = 1 + ((4 - nov1 + 7) % 7) + 21;
  const friday = Date.UTC(year, 10, thanksgiving + 1);
  return [friday, friday + 4 * DAY_MS];
}

const bfcmCache = new Map<number, [number, number]>();

export function inBfcm(time: number): boolean {
  const year = new Date(time).getUTCFullYear();
  let window = bfcmCache.get(year);
  if (!window) bfcmCache.set(year, (window = bfcmWindow(year)));
  return time >= window[0] && time < window[1];
}

/** The summer sale: 15 June to 31 August. */
export function inSummerSale(time: number): boolean {
  const date = new Date(time);
  const month = date.getUTCMonth();
  return (month === 5 && date.getUTCDate() >= 15) || month === 6 || month === 7;
}

/** Purchase demand at a time, relative to an average day (≤ MAX_DEMAND). */
export function demandAt(time: number): number {
  const month = new Date(time).getUTCMonth();
  return MONTH_DEMAND[month]! * (inBfcm(time) ? 2.2 : 1);
}

export const MAX_DEMAND = Math.max(...MONTH_DEMAND) * 2.2;

/**
 * Cumulative acquisition weight per day of the period: growth × seasonal demand. Customer i of N
 * arrives at the (i + u) / N quantile, so customer ids follow sign-up order.
 */
export function acquisitionCurve(period: Period): Float64Array {
  const weights = new Float64Array(period.days);
  let sum = 0;
  for (let d = 0; d < period.days; d += 1) {
    sum += Math.exp((GROWTH * d) / period.days) * period.demand[d]!;
    weights[d] = sum;
  }
  return weights;
}

/** The day index whose cumulative weight first reaches `quantile` of the total. */
export function dayAtQuantile(curve: Float64Array, quantile: number): number {
  const target = quantile * curve[curve.length - 1]!;
  let lo = 0;
  let hi = curve.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (curve[mid]! >= target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Shoppers browse and buy mostly in the evening, store time; weights per local hour 0–23. */
export const HOUR_WEIGHTS = [0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 1, 1.2, 1.3, 1.4, 1.6, 1.5, 1.4, 1.3, 1.3, 1.4, 1.6, 1.9, 2.2, 2.2, 1.7, 0.9];

/**
 * UTC offset of US Eastern time in hours. DST is approximated by whole months (April–October);
 * the exact switch dates do not matter for simulated shopping hours.
 */
export function easternOffsetHours(time: number): number {
  const month = new Date(time).getUTCMonth();
  return month >= 3 && month <= 9 ? 4 : 5;
}
