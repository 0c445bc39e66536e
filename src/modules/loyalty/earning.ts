/**
 * The arithmetic of points, in integers only (BigInt where a product could pass 2^53). Every
 * rounding is stated here and in docs/loyalty.md:
 * - an order earns floor(net × rate) + points per order, then × the tier multiplier, floored;
 * - a refund takes back round-half-up(points × refunded ÷ total) counted over all the order's
 *   refunds so far, so partial refunds add up to exactly the order's points on a full refund;
 * - the liability is rounded half up to a minor unit.
 */
import { minorExponent } from '../../lib/money.js';
import type { LoyaltySettings } from './loyalty.settings.js';

export interface OrderAmounts {
  currency: string;
  subtotal: number;
  discount: number;
  shipping: number;
  tax: number;
}

/** The amount points are earned on: goods after discounts, with shipping and tax as the settings say. */
export function earningBase(order: OrderAmounts, earning: LoyaltySettings['earning']): number {
  const base = order.subtotal - order.discount + (earning.include_shipping ? order.shipping : 0) + (earning.include_tax ? order.tax : 0);
  return Math.max(0, base);
}

/** Hundredths, exactly (the settings allow two decimals). */
const hundredths = (value: number): bigint => BigInt(Math.round(value * 100));

/**
 * Points an order earns: floor(base in whole currency units × rate) + points per order, times the
 * tier multiplier, floored. 24.99 EUR at 1 point per euro earns 24.
 */
export function orderPoints(order: OrderAmounts, earning: LoyaltySettings['earning'], multiplier = 1): number {
  const base = BigInt(earningBase(order, earning));
  const unit = 10n ** BigInt(minorExponent(order.currency));
  const spend = (base * hundredths(earning.points_per_currency_unit)) / (100n * unit);
  const before = spend + BigInt(earning.points_per_order);
  return Number((before * hundredths(multiplier)) / 100n);
}

/** round-half-up(points × part ÷ whole), the part capped at the whole. */
export function proportion(points: number, part: number, whole: number): number {
  if (whole <= 0 || points <= 0 || part <= 0) return 0;
  const capped = BigInt(Math.min(part, whole));
  return Number((2n * BigInt(points) * capped + BigInt(whole)) / (2n * BigInt(whole)));
}

/** Minor units the points are worth at `pointValue` minor units each (four decimals), rounded half up. */
export function pointsValue(points: number, pointValue: number): number {
  const tenThousandths = BigInt(Math.round(pointValue * 10_000));
  const value = BigInt(points) * tenThousandths;
  const sign = value < 0n ? -1n : 1n;
  return Number(sign * ((sign * value + 5_000n) / 10_000n));
}

/** The same time of day `months` calendar months later (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: Date, months: number): Date {
  const result = new Date(date.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const last = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, last));
  return result;
}

export const addDays = (date: Date, days: number): Date => new Date(date.getTime() + days * 86_400_000);
