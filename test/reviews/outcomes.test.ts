/**
 * Ratings against what happened next, checked against a plain computation over the data the test
 * wrote: the repeat rate within 90 days after each customer's first review by its rating (also in
 * the support retention tables), the share of reviewed order lines sent back by rating, and per
 * product its return and repeat rates with Wilson intervals, the flags against the rest of the
 * store, and Spearman's correlation across products (ranks and interval written out here).
 * Seeded random orders, returns (some naming no lines: the whole order) and reviews; a rejected
 * review and a cancelled order count nowhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wilson } from '../helpers/wilson.js';
import { seededRandom } from '../../src/lib/random.js';
import type { OrderInput, ReturnInput } from '../../src/modules/commerce/commerce.input.js';
import { DAY, reviewsHarness, type ReviewsHarness } from './harness.js';

let h: ReviewsHarness;
const asOf = '2026-11-30';
const end = Date.parse(`${asOf}T23:59:59.999Z`);
const cutoff = end - 90 * DAY;

interface Order { ext: string; customer: string; at: number; products: string[]; cancelled: boolean }
interface Review { id: string; customer: string; order: string | null; product: string; rating: number; at: number; rejected: boolean }
const orders: Order[] = [];
const returned = new Map<string, Set<string> | 'all'>();
const reviews: Review[] = [];
// Products differ in how often they come back, and their ratings follow.
const products = Array.from({ length: 8 }, (_, i) => ({ external_id: `p${i}`, title: `Product <${i}>`, returnChance: 0.04 + i * 0.05 }));

beforeAll(async () => {
  h = await reviewsHarness();
  const rng = seededRandom(1918);
  const customers = Array.from({ length: 90 }, (_, i) => `k${i}`);
  await h.services.commerce.write(h.storeId, {
    products: products.map((p) => ({ external_id: p.external_id, title: p.title, price: 2000, currency: 'EUR' })),
    customers: customers.map((c) => ({ external_id: c, email: `${c}@example.com` })),
  });
  const batch: OrderInput[] = [];
  const returns: ReturnInput[] = [];
  for (const customer of customers) {
    let at = Date.parse('2025-09-01T10:00:00Z') + Math.floor(rng() * 200) * DAY;
    const count = 1 + Math.floor(rng() * 4);
    for (let k = 0; k < count && at < end; k += 1) {
      const chosen = products.filter(() => rng() < 0.3).map((p) => p.external_id);
      if (!chosen.length) chosen.push(products[Math.floor(rng() * products.length)]!.external_id);
      const order: Order = { ext: `${customer}-o${k}`, customer, at, products: chosen, cancelled: rng() < 0.05 };
      orders.push(order);
      batch.push({
        external_id: order.ext, customer_external_id: customer, placed_at: new Date(at), currency: 'EUR', ...(order.cancelled && { status: 'cancelled' }),
        lines: chosen.map((p) => ({ product_external_id: p, quantity: 1, unit_price: 2000 })),
      });
      const back = chosen.filter((p) => rng() < products.find((x) => x.external_id === p)!.returnChance);
      if (back.length) {
        const whole = rng() < 0.2;
        returned.set(order.ext, whole ? 'all' : new Set(back));
        returns.push({
          external_id: `${order.ext}-r`, order_external_id: order.ext, returned_at: new Date(at + 10 * DAY), currency: 'EUR', amount: 2000 * back.length,
          ...(!whole && { lines: back.map((p) => ({ product_external_id: p, quantity: 1, amount: 2000 })) }),
        });
      }
      for (const product of chosen) {
        if (rng() < 0.45) {
          const sentBack = returned.get(order.ext) === 'all' || (returned.get(order.ext) as Set<string> | undefined)?.has(product) === true;
          const rating = sentBack ? 1 + Math.floor(rng() * 3) : 3 + Math.floor(rng() * 3);
          reviews.push({ id: `rv-${reviews.length}`, customer, order: rng() < 0.9 ? order.ext : null, product, rating, at: at + (5 + Math.floor(rng() * 20)) * DAY, rejected: rng() < 0.05 });
        }
      }
      at += (10 + Math.floor(rng() * 150)) * DAY;
    }
  }
  await h.services.commerce.write(h.storeId, { orders: batch, returns });
  for (const r of reviews) {
    const answer = await h.api('POST', '/api/v1/reviews', {
      review_id: r.id, product_id: r.product, customer_id: r.customer, ...(r.order && { order_id: r.order }),
      rating: r.rating, body: `Review ${r.id}`, reviewed_at: new Date(r.at).toISOString(),
    });
    expect(answer.statusCode, answer.body).toBe(201);
    if (r.rejected) await h.api('POST', `/api/v1/reviews/${answer.json().id}/reject`);
  }
}, 180_000);
afterAll(async () => h.close());

interface Rate { count: number; of: number; rate: number | null; low: number | null; high: number | null }
function expectRate(got: Rate, count: number, of: number) {
  expect([got.count, got.of]).toEqual([count, of]);
  if (of === 0) return expect(got.rate).toBeNull();
  expect(got.rate).toBeCloseTo(count / of, 12);
  expect(got.low).toBeCloseTo(wilson(count, of).low, 12);
  expect(got.high).toBeCloseTo(wilson(count, of).high, 12);
}

const kept = () => reviews.filter((r) => !r.rejected && r.at <= end);
const live = () => orders.filter((o) => !o.cancelled && o.at <= end);
const wasReturned = (order: string, product: string) => { const r = returned.get(order); return r === 'all' || (r?.has(product) ?? false); };
const orderedWithin90 = (customer: string, from: number) => live().some((o) => o.customer === customer && o.at > from && o.at <= from + 90 * DAY);

/** Spearman's ρ from scratch: each value's rank is 1 + (values below) + (ties − 1) / 2. */
function spearman(x: number[], y: number[]) {
  const rank = (v: number[]) => v.map((a) => 1 + v.filter((b) => b < a).length + (v.filter((b) => b === a).length - 1) / 2);
  const [rx, ry] = [rank(x), rank(y)];
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const [mx, my] = [mean(rx), mean(ry)];
  const cov = rx.reduce((a, _, i) => a + (rx[i]! - mx) * (ry[i]! - my), 0);
  const rho = cov / Math.sqrt(rx.reduce((a, v) => a + (v - mx) ** 2, 0) * ry.reduce((a, v) => a + (v - my) ** 2, 0));
  const half = 1.959963984540054 * Math.sqrt(1.06 / (x.length - 3));
  return { rho, low: Math.tanh(Math.atanh(rho) - half), high: Math.tanh(Math.atanh(rho) + half), n: x.length };
}

describe('GET /api/v1/reviews/outcomes', () => {
  it('matches a plain computation by rating, per product, against the store and across products', async () => {
    const answer = await h.api('GET', `/api/v1/reviews/outcomes?as_of=${asOf}`);
    expect(answer.statusCode, answer.body).toBe(200);
    const got = answer.json();
    expect(got.window_days).toBe(90);

    // Repeat by the rating of each customer's first review (at least 90 days old).
    const firsts = new Map<string, Review>();
    for (const r of [...kept()].sort((a, b) => a.at - b.at)) if (!firsts.has(r.customer)) firsts.set(r.customer, r);
    const counted = [...firsts.values()].filter((r) => r.at <= cutoff);
    expect(got.repeat_by_rating.map((row: { group: string }) => row.group)).toEqual(['5', '4', '3', '2', '1']);
    for (const row of got.repeat_by_rating) {
      const members = counted.filter((r) => String(r.rating) === row.group);
      const x = members.filter((r) => orderedWithin90(r.customer, r.at)).length;
      expectRate({ count: row.repeaters, of: row.customers, rate: row.rate, low: row.low, high: row.high }, x, members.length);
    }
    expect(counted.length).toBeGreaterThan(40);

    // Returns by rating, over the reviews naming a (not cancelled) order that holds their product.
    for (const row of got.returns_by_rating) {
      const named = kept().filter((r) => r.rating === row.rating && r.order && live().some((o) => o.ext === r.order && o.products.includes(r.product)));
      expectRate(row, named.filter((r) => wasReturned(r.order!, r.product)).length, named.length);
    }
    const low = got.returns_by_rating.find((r: { rating: number }) => r.rating === 1);
    const high = got.returns_by_rating.find((r: { rating: number }) => r.rating === 5);
    expect(low.rate).toBeGreaterThan(high.rate);

    // Per product and the store.
    const perProduct = (id: string) => {
      const withIt = live().filter((o) => o.products.includes(id));
      const firstBuy = new Map<string, number>();
      for (const o of withIt) firstBuy.set(o.customer, Math.min(firstBuy.get(o.customer) ?? Infinity, o.at));
      const buyers = [...firstBuy].filter(([, at]) => at <= cutoff);
      return { lines: withIt.length, back: withIt.filter((o) => wasReturned(o.ext, id)).length, buyers: buyers.length, again: buyers.filter(([c, at]) => orderedWithin90(c, at)).length };
    };
    const all = products.map((p) => ({ id: p.external_id, ...perProduct(p.external_id) }));
    const sum = (key: 'lines' | 'back' | 'buyers' | 'again') => all.reduce((a, p) => a + p[key], 0);
    expectRate(got.store.returns, sum('back'), sum('lines'));
    expectRate(got.store.repeat, sum('again'), sum('buyers'));
    expect(got.products).toHaveLength(new Set(kept().map((r) => r.product)).size);
    for (const p of got.products) {
      const mine = kept().filter((r) => r.product === p.product_id);
      expect(p.reviews).toBe(mine.length);
      expect(p.average).toBeCloseTo(mine.reduce((a, r) => a + r.rating, 0) / mine.length, 2);
      expect(p.product_title).toBe(products.find((x) => x.external_id === p.product_id)!.title);
      const c = all.find((x) => x.id === p.product_id)!;
      expectRate(p.returns, c.back, c.lines);
      expectRate(p.repeat, c.again, c.buyers);
      const otherReturns = (sum('back') - c.back) / (sum('lines') - c.lines);
      const otherRepeat = (sum('again') - c.again) / (sum('buyers') - c.buyers);
      // Wholly beyond the rest of the store (a bound that touches it is not).
      expect(p.more_returns).toBe(c.back > 0 && wilson(c.back, c.lines).low > otherReturns + 1e-12);
      expect(p.less_repeat).toBe(c.buyers > 0 && c.again < c.buyers && wilson(c.again, c.buyers).high < otherRepeat - 1e-12);
    }
    // The product most often sent back is flagged, and listed before the unflagged.
    expect(got.products.some((p: { more_returns: boolean }) => p.more_returns)).toBe(true);
    const flags = got.products.map((p: { more_returns: boolean; less_repeat: boolean }) => Number(p.more_returns) + Number(p.less_repeat));
    expect(flags).toEqual([...flags].sort((a, b) => b - a));

    // Across products with 5+ reviews.
    const eligible = got.products.filter((p: { reviews: number }) => p.reviews >= 5);
    expect(eligible.length).toBeGreaterThanOrEqual(6);
    const expected = spearman(eligible.map((p: { average: number }) => p.average), eligible.map((p: { returns: Rate }) => p.returns.rate!));
    expect(got.rating_vs_returns.n).toBe(expected.n);
    expect(got.rating_vs_returns.rho).toBeCloseTo(expected.rho, 10);
    expect(got.rating_vs_returns.low).toBeCloseTo(expected.low, 10);
    expect(got.rating_vs_returns.high).toBeCloseTo(expected.high, 10);
    // Built in: products sent back more are rated lower.
    expect(got.rating_vs_returns.rho).toBeLessThan(0);
    const repeatPairs = eligible.filter((p: { repeat: Rate }) => p.repeat.rate !== null);
    const expectedRepeat = spearman(repeatPairs.map((p: { average: number }) => p.average), repeatPairs.map((p: { repeat: Rate }) => p.repeat.rate!));
    expect(got.rating_vs_repeat.rho).toBeCloseTo(expectedRepeat.rho, 10);
  });

  it('puts the rating table beside the other retention tables', async () => {
    const answer = await h.api('GET', `/api/v1/support/retention?as_of=${asOf}`);
    expect(answer.statusCode, answer.body).toBe(200);
    const own = (await h.api('GET', `/api/v1/reviews/outcomes?as_of=${asOf}`)).json();
    expect(answer.json().review_rating).toEqual(own.repeat_by_rating);
  });

  it('refuses a bad day naming the field', async () => {
    const answer = await h.api('GET', '/api/v1/reviews/outcomes?as_of=last-week');
    expect(answer.statusCode).toBe(422);
    expect(answer.json().error.details[0].path).toContain('as_of');
  });
});
