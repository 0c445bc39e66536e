/**
 * Review analytics against a plain computation over the data the test wrote: the review rate of
 * the orders delivered in the range, and each product's count, mean and monthly trend in the
 * store's time zone (a review just after midnight UTC on the 1st belongs to the month before in
 * New York). Random orders, deliveries and reviews from a fixed seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderInput } from '../../src/modules/commerce/commerce.input.js';
import { DAY, PRODUCTS, reviewsHarness, type ReviewsHarness } from './harness.js';

let h: ReviewsHarness;
const from = new Date('2026-01-01T00:00:00Z');
const to = new Date('2026-07-01T00:00:00Z');

interface Written { order: string; delivered: Date | null; reviews: { product: string; rating: number; at: Date; status: 'kept' | 'rejected' }[] }
const orders: Written[] = [];

/** Mulberry32: a small seeded generator, so the data is the same on every run. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  h = await reviewsHarness();
  await h.services.accounts.updateStore(h.storeId, { timezone: 'America/New_York' });
  const rng = random(18);
  const customers = ['ada', 'bob', 'cy'];
  const batch: OrderInput[] = [];
  for (let i = 0; i < 40; i += 1) {
    const placed = new Date(Date.UTC(2025, 11, 1) + Math.floor(rng() * 220) * DAY);
    const delivered = rng() < 0.85 ? new Date(placed.getTime() + (2 + Math.floor(rng() * 5)) * DAY) : null;
    const products = PRODUCTS.filter(() => rng() < 0.5).map((p) => p.external_id);
    if (products.length === 0) products.push('mug');
    const order: Written = { order: `a-${i}`, delivered, reviews: [] };
    batch.push({
      external_id: order.order, customer_external_id: customers[i % 3]!, placed_at: placed, currency: 'EUR', status: 'paid',
      lines: products.map((p) => ({ product_external_id: p, quantity: 1, unit_price: 1000 })),
      ...(delivered && { fulfillments: [{ external_id: `${order.order}-f`, shipment_status: 'delivered', shipped_at: placed, delivered_at: delivered }] }),
    });
    for (const product of products) {
      if (rng() < 0.45) {
        // Some land just after midnight UTC on the 1st of a month: the evening before in New York.
        const at = rng() < 0.2 ? new Date(Date.UTC(2026, Math.floor(rng() * 6), 1, 2, 30)) : new Date((delivered ?? placed).getTime() + Math.floor(rng() * 20) * DAY);
        order.reviews.push({ product, rating: 1 + Math.floor(rng() * 5), at, status: rng() < 0.1 ? 'rejected' : 'kept' });
      }
    }
    orders.push(order);
  }
  await h.services.commerce.write(h.storeId, { orders: batch });
  // A review naming no order, and one outside the range: neither changes the rate; the second no mean.
  await h.api('POST', '/api/v1/reviews', { review_id: 'loose', product_id: 'bowl', rating: 2, body: 'No order named', reviewed_at: '2026-03-10T12:00:00Z' });
  await h.api('POST', '/api/v1/reviews', { review_id: 'old', product_id: 'bowl', rating: 1, body: 'Long ago', reviewed_at: '2025-06-10T12:00:00Z' });
  let n = 0;
  for (const order of orders) {
    for (const review of order.reviews) {
      n += 1;
      const answer = await h.api('POST', '/api/v1/reviews', {
        review_id: `r-${n}`, product_id: review.product, customer_id: ['ada', 'bob', 'cy'][Number(order.order.slice(2)) % 3], order_id: order.order,
        rating: review.rating, body: `Review ${n}`, reviewed_at: review.at.toISOString(),
      });
      expect(answer.statusCode).toBe(201);
      if (review.status === 'rejected') await h.api('POST', `/api/v1/reviews/${answer.json().id}/reject`);
    }
  }
}, 120_000);
afterAll(async () => h.close());

describe('review analytics', () => {
  it('matches a plain computation of the review rate and the per-product means and months', async () => {
    const answer = await h.api('GET', `/api/v1/reviews/analytics?from=${from.toISOString()}&to=${to.toISOString()}`);
    expect(answer.statusCode).toBe(200);
    const got = answer.json();

    const delivered = orders.filter((o) => o.delivered && o.delivered >= from && o.delivered < to);
    const reviewed = delivered.filter((o) => o.reviews.some((r) => r.status === 'kept'));
    expect(delivered.length).toBeGreaterThan(10);
    expect(reviewed.length).toBeGreaterThan(3);
    expect(got).toMatchObject({
      delivered_orders: delivered.length, reviewed_orders: reviewed.length,
      review_rate: Math.round((reviewed.length / delivered.length) * 10_000) / 10_000,
      reviews_of_delivered_orders: delivered.reduce((s, o) => s + o.reviews.filter((r) => r.status === 'kept').length, 0),
    });

    const month = (at: Date) => at.toLocaleDateString('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit' }).slice(0, 7);
    const kept = orders.flatMap((o) => o.reviews).filter((r) => r.status === 'kept' && r.at >= from && r.at < to);
    kept.push({ product: 'bowl', rating: 2, at: new Date('2026-03-10T12:00:00Z'), status: 'kept' });
    const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100;
    const expected = PRODUCTS.map((p) => p.external_id).filter((id) => kept.some((r) => r.product === id)).map((id) => {
      const mine = kept.filter((r) => r.product === id);
      const months = [...new Set(mine.map((r) => month(r.at)))].sort();
      return {
        product_id: id, reviews: mine.length, average: mean(mine.map((r) => r.rating)),
        months: months.map((m) => ({ month: m, reviews: mine.filter((r) => month(r.at) === m).length, average: mean(mine.filter((r) => month(r.at) === m).map((r) => r.rating)) })),
      };
    });
    const byId = <T extends { product_id: string }>(list: T[]) => [...list].sort((a, b) => a.product_id.localeCompare(b.product_id));
    expect(byId(got.products as { product_id: string; product_title: string | null }[]).map(({ product_title: _title, ...rest }) => rest)).toEqual(byId(expected));
    expect((got.products as { product_id: string; product_title: string }[]).find((p) => p.product_id === 'mug')?.product_title).toBe('Stoneware <Mug> & Saucer');
    // The 1st-of-the-month reviews at 02:30 UTC count in the month before.
    const early = kept.filter((r) => r.at.getUTCDate() === 1 && r.at.getUTCHours() === 2);
    expect(early.length).toBeGreaterThan(0);
    expect(month(early[0]!.at)).not.toBe(early[0]!.at.toISOString().slice(0, 7));
  });

  it('refuses a range that ends before it starts', async () => {
    const answer = await h.api('GET', `/api/v1/reviews/analytics?from=${to.toISOString()}&to=${from.toISOString()}`);
    expect(answer.statusCode).toBe(422);
    expect(answer.json().error.details[0].path).toBe('from');
  });
});
