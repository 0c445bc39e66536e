/**
 * One demo customer's life: who they are, when they arrive, and their orders, returns and
 * reviews. Purchasing follows the MBG/NBD story (Batislam, Denizel & Filiztekin 2007, a BG/NBD
 * variant of Fader, Hardie & Lee 2005 that lets a customer drop out right after the first
 * purchase): while alive, a customer buys as a Poisson process with rate λ ~ Gamma(r, α)
 * (modulated by the season), and after each purchase drops out with probability p ~ Beta(a, b).
 * Order values follow the Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"):
 * z ~ Gamma(p_s, ν) with ν ~ Gamma(q, γ) per customer. Acquisition channel, first category,
 * a first-order discount, returns and bad reviews shift λ and p, so retention differs by segment.
 */
import { DAY_MS } from '../../lib/time.js';
import { dayAtQuantile, demandOn, easternOffsetHours, HOUR_WEIGHTS, MAX_DEMAND, PROMO_BFCM, PROMO_SUMMER, promoOn, type Period } from './calendar.js';
import { categories, type Catalogue, type DemoProduct, type DemoVariant } from './catalogue.js';
import { FIRST_NAMES, LAST_NAMES, PLACES } from './people.js';
import { cumulative, Random } from './random.js';

export const CHANNELS = ['organic', 'paid_search', 'social', 'email', 'referral'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Parameters of the purchase and spend processes (time in days, money in dollars). */
export const MODEL = {
  r: 0.9, alpha: 110,
  a: 1.0, b: 1.6,
  spendShape: 6, spendQ: 4, spendGamma: 30,
  newsletterOnly: 0.06,
  maxOrders: 400,
} as const;

const CHANNEL_SHARE = cumulative([0.34, 0.24, 0.16, 0.12, 0.14]);
/** Email subscribers and referred friends stay; social and paid-search shoppers drift away. */
const CHANNEL_RATE: Record<Channel, number> = { organic: 1, paid_search: 0.85, social: 0.8, email: 1.3, referral: 1.2 };
const CHANNEL_DROPOUT: Record<Channel, number> = { organic: 1, paid_search: 1.15, social: 1.3, email: 0.7, referral: 0.8 };
const FIRST_CODE_CHANCE: Record<Channel, number> = { organic: 0.22, paid_search: 0.38, social: 0.45, email: 0.5, referral: 0.55 };
/** Customers won by a discount buy less often and leave sooner (deal seekers). */
const DISCOUNT_RATE = 0.8;
const DISCOUNT_DROPOUT = 1.4;

export const CODES: Record<string, number> = { WELCOME10: 0.1, SUMMER20: 0.2, BFCM25: 0.25, FRIEND15: 0.15, VIP15: 0.15 };
export const RETURN_REASONS = ['wrong size', 'damaged', 'not as described', 'changed mind'] as const;
const SIZED_REASONS = cumulative([0.5, 0.1, 0.2, 0.2]);
const OTHER_REASONS = cumulative([0, 0.35, 0.3, 0.35]);
const BASE_RETURN_RATE = 0.075;
const HAPPY_RATINGS = cumulative([0.03, 0.04, 0.1, 0.25, 0.58]);
const UNHAPPY_RATINGS = cumulative([0.45, 0.3, 0.2, 0.05, 0]);
const COUNTRY_SHARE = cumulative(PLACES.map((p) => p.share));
const HOUR_CUMULATIVE = cumulative(HOUR_WEIGHTS);

export interface DemoContext {
  seed: number;
  period: Period;
  curve: Float64Array;
  customers: number;
  catalogue: Catalogue;
  /** Multiplies purchase rates (and, above 1, divides drop-out by its square root); 1 except for an orders-per-customer target. */
  rateScale: number;
}

export interface SimLine { product: DemoProduct; variant: DemoVariant; quantity: number; unitPrice: number; total: number }
export interface SimReturn { at: number; amount: number; reason: string; line: number }
export interface SimOrder {
  seq: number;
  placedAt: number;
  channel: Channel;
  codes: string[];
  subtotal: number;
  discount: number;
  shipping: number;
  tax: number;
  total: number;
  status: 'paid' | 'fulfilled' | 'refunded' | 'partially_refunded';
  lines: SimLine[];
  returned: SimReturn | undefined;
}
export interface SimReview { at: number; product: DemoProduct; rating: number; orderSeq: number }

export interface SimCustomer {
  index: number;
  externalId: string;
  firstName: string;
  lastName: string;
  email: string;
  country: string;
  city: string;
  acceptsMarketing: boolean;
  channel: Channel;
  firstCategory: number;
  firstDiscount: boolean;
  createdAt: number;
  orders: SimOrder[];
  reviews: SimReview[];
}

/** A time on the given UTC day at an evening-weighted local shopping hour. */
export function shoppingTime(rng: Random, time: number): number {
  const localDay = Math.floor((time - easternOffsetHours(time) * 3_600_000) / DAY_MS) * DAY_MS;
  const hour = rng.weighted(HOUR_CUMULATIVE);
  return localDay + (hour + easternOffsetHours(time)) * 3_600_000 + Math.floor(rng.next() * 3_600_000);
}

export function simulateCustomer(ctx: DemoContext, index: number): SimCustomer {
  const rng = new Random(ctx.seed, 1, index);
  const { period, catalogue } = ctx;
  const day = dayAtQuantile(ctx.curve, (index + rng.next()) / ctx.customers);
  let createdAt = shoppingTime(rng, period.start + day * DAY_MS);
  if (createdAt >= period.end) createdAt = period.end - 60_000;
  if (createdAt < period.start) createdAt = period.start;
  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  const place = PLACES[rng.weighted(COUNTRY_SHARE)]!;
  const channel = CHANNELS[rng.weighted(CHANNEL_SHARE)]!;
  const firstCategory = rng.weighted(catalogue.categoryCumulative);
  const customer: SimCustomer = {
    index, externalId: `C${100001 + index}`, firstName, lastName,
    email: `${firstName}.${lastName}.${index + 1}@example.com`.toLowerCase(),
    country: place.country, city: rng.pick(place.cities),
    acceptsMarketing: channel === 'email' || rng.chance(0.55),
    channel, firstCategory, firstDiscount: false, createdAt, orders: [], reviews: [],
  };
  if (rng.chance(MODEL.newsletterOnly)) {
    customer.acceptsMarketing = true;
    return customer;
  }

  const category = categories[firstCategory]!;
  customer.firstDiscount = rng.chance(FIRST_CODE_CHANCE[channel]);
  const rate = (rng.gamma(MODEL.r, MODEL.alpha) * ctx.rateScale * CHANNEL_RATE[channel] * category.rate * (customer.firstDiscount ? DISCOUNT_RATE : 1));
  // A higher rate scale (benchmark data sets) also lowers drop-out, or orders per customer would
  // saturate at E[1/p] however fast customers buy.
  const loyalty = ctx.rateScale > 1 ? 1 / Math.sqrt(ctx.rateScale) : 1;
  let dropout = Math.min(0.97, rng.beta(MODEL.a, MODEL.b) * loyalty * CHANNEL_DROPOUT[channel] * category.dropout * (customer.firstDiscount ? DISCOUNT_DROPOUT : 1));
  const spendRate = rng.gamma(MODEL.spendQ, MODEL.spendGamma);
  const favourite = rng.chance(0.6) ? firstCategory : rng.weighted(catalogue.categoryCumulative);

  let time = createdAt;
  for (let seq = 1; seq <= MODEL.maxOrders; seq += 1) {
    const order = buildOrder(ctx, rng, customer, seq, time, spendRate, seq === 1 ? firstCategory : favourite);
    customer.orders.push(order);
    if (order.returned) dropout = Math.min(0.97, dropout * (order.returned.reason === 'changed mind' ? 1.1 : 1.5));
    const review = maybeReview(rng, order, period.end);
    if (review) {
      customer.reviews.push(review);
      if (review.rating <= 2) dropout = Math.min(0.97, dropout * 1.4);
    }
    if (rng.chance(dropout)) break;
    // Thinning (Lewis & Shedler 1979) turns the constant-rate process into a seasonal one.
    let next = time;
    do next += (rng.exponential(rate * MAX_DEMAND) * DAY_MS) + 3_600_000;
    while (next < period.end && !rng.chance(demandOn(period, next) / MAX_DEMAND));
    if (next >= period.end) break;
    time = shoppingTime(rng, next);
    // Moving to a shopping hour may land before the last order on the same day; keep the raw time then.
    if (time <= order.placedAt) time = next;
    if (time >= period.end) break;
  }
  return customer;
}

function orderChannel(rng: Random, customer: SimCustomer, seq: number): Channel {
  if (seq === 1) return customer.channel;
  // Returning customers mostly come back through email and direct/organic visits.
  const u = rng.next();
  return u < 0.4 ? 'email' : u < 0.75 ? 'organic' : u < 0.85 ? customer.channel : u < 0.95 ? 'paid_search' : 'social';
}

function orderCode(rng: Random, customer: SimCustomer, seq: number, promo: number): string | undefined {
  const bfcm = (promo & PROMO_BFCM) !== 0;
  const summer = (promo & PROMO_SUMMER) !== 0;
  if (seq === 1) {
    if (!customer.firstDiscount) return undefined;
    if (bfcm) return 'BFCM25';
    if (summer && rng.chance(0.6)) return 'SUMMER20';
    return customer.channel === 'referral' && rng.chance(0.7) ? 'FRIEND15' : 'WELCOME10';
  }
  if (bfcm && rng.chance(0.45)) return 'BFCM25';
  if (summer && rng.chance(0.18)) return 'SUMMER20';
  if (seq >= 3 && rng.chance(0.08)) return 'VIP15';
  return undefined;
}

function pickProduct(rng: Random, catalogue: Catalogue, categoryIndex: number, budget: number): DemoProduct {
  const { products, cumulative: weights } = catalogue.byCategory[categoryIndex]!;
  let product = products[rng.weighted(weights)]!;
  // A shopper with a small budget looks again for something cheaper (up to three times).
  for (let tries = 0; tries < 3 && product.price > budget * 1.2; tries += 1) product = products[rng.weighted(weights)]!;
  return product;
}

function buildOrder(ctx: DemoContext, rng: Random, customer: SimCustomer, seq: number, placedAt: number, spendRate: number, mainCategory: number): SimOrder {
  const target = Math.round(rng.gamma(MODEL.spendShape, spendRate) * 100);
  const lines: SimLine[] = [];
  let subtotal = 0;
  for (let attempt = 0; attempt < 8 && lines.length < 5; attempt += 1) {
    const categoryIndex = lines.length === 0 ? mainCategory : rng.chance(0.5) ? mainCategory : rng.weighted(ctx.catalogue.categoryCumulative);
    const product = pickProduct(rng, ctx.catalogue, categoryIndex, target - subtotal);
    if (lines.some((line) => line.product === product)) continue;
    const quantity = product.price < 3000 && rng.chance(0.3) ? rng.int(2, 3) : 1;
    const line = { product, variant: rng.pick(product.variants), quantity, unitPrice: product.price, total: product.price * quantity };
    lines.push(line);
    subtotal += line.total;
    if (subtotal >= target * 0.8) break;
  }
  const code = orderCode(rng, customer, seq, promoOn(ctx.period, placedAt));
  const discount = code ? Math.round(subtotal * CODES[code]!) : 0;
  const shipping = subtotal - discount >= 7500 ? 0 : 695;
  // A flat 6 % sales tax stands in for the US patchwork of state rates.
  const tax = Math.round((subtotal - discount) * 0.06);
  const order: SimOrder = {
    seq, placedAt, channel: orderChannel(rng, customer, seq), codes: code ? [code] : [], subtotal, discount, shipping, tax,
    total: subtotal - discount + shipping + tax, status: placedAt < ctx.period.end - 3 * DAY_MS ? 'fulfilled' : 'paid', lines, returned: undefined,
  };
  const lineNo = rng.int(0, lines.length - 1);
  const line = lines[lineNo]!;
  const category = categories[line.product.category]!;
  if (rng.chance(BASE_RETURN_RATE * category.returns * (code ? 1.2 : 1))) {
    const at = placedAt + rng.int(4, 25) * DAY_MS + rng.int(0, 86_399) * 1000;
    if (at < ctx.period.end) {
      const sized = category.variants.length > 3;
      const reason = RETURN_REASONS[rng.weighted(sized ? SIZED_REASONS : OTHER_REASONS)]!;
      // Returning an order's only line refunds the whole order (its tax and shipping too), which is
      // what makes it `refunded` to the writer; otherwise the line's share after the discount.
      const amount = lines.length === 1 ? order.total : Math.round(line.total * (1 - discount / subtotal));
      order.returned = { at, amount, reason, line: lineNo };
      order.status = lines.length === 1 ? 'refunded' : 'partially_refunded';
    }
  }
  return order;
}

function maybeReview(rng: Random, order: SimOrder, end: number): SimReview | undefined {
  if (!rng.chance(order.returned ? 0.25 : 0.1)) return undefined;
  const at = order.placedAt + rng.int(7, 30) * DAY_MS + rng.int(0, 86_399) * 1000;
  if (at >= end) return undefined;
  const line = order.returned ? order.lines[order.returned.line]! : rng.pick(order.lines);
  const rating = 1 + rng.weighted(order.returned ? UNHAPPY_RATINGS : HAPPY_RATINGS);
  return { at, product: line.product, rating, orderSeq: order.seq };
}
