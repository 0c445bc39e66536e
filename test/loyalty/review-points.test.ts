/**
 * Points for a written review: a member earns the store's `review_points` once per review (the
 * same review sent again, or its event delivered again, earns nothing more), and the
 * `review_photo_points` on top for one sent with a photo; a customer who is not
 * a member, or a store with the rule at 0, earns nothing; the points history names the product.
 * A bad setting is refused naming it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { solidPng } from '../../src/lib/png.js';
import { bearer } from '../helpers/app.js';
import { loyaltyHarness, settingsWith, type LoyaltyHarness } from './harness.js';

const REVIEW_POINTS = 50;
let h: LoyaltyHarness;

beforeAll(async () => {
  h = await loyaltyHarness(settingsWith({ earning: { points_per_currency_unit: 1, review_points: REVIEW_POINTS, review_photo_points: 100 }, pending: { days: 0, from: 'payment' } }));
  await h.write({
    products: [{ external_id: 'bed', title: 'Dog Bed', price: 3000, currency: 'EUR' }],
    customers: ['mia', 'ned'].map((n) => ({ external_id: n, email: `${n}@example.com`, first_name: n })),
    orders: [{ external_id: 'o-1', customer_external_id: 'mia', placed_at: new Date('2026-11-01T10:00:00Z'), currency: 'EUR', status: 'paid', lines: [{ product_external_id: 'bed', quantity: 1, unit_price: 3000 }] }],
  });
}, 60_000);
afterAll(async () => h.close());

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => h.t.app.inject({ method, url, headers: bearer(h.secretKey), ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });
const history = async (customerId: number) => ((await api('GET', `/api/v1/loyalty/customers/${customerId}/history?limit=100`)).json() as { data: { points: number; source: string; kind: string }[] }).data;

describe('points for a review', () => {
  it('a member earns the review points once per review; the history names the product', async () => {
    const mia = await h.customerId('mia');
    const before = (await h.t.services.loyalty.balance(h.storeId, mia)).available;
    expect(before).toBe(30);
    const review = { review_id: 'rv-1', product_id: 'bed', customer_id: 'mia', order_id: 'o-1', rating: 5, body: 'He sleeps in it all day' };
    expect((await api('POST', '/api/v1/reviews', review)).statusCode).toBeLessThan(300);
    await h.idle();
    expect((await h.t.services.loyalty.balance(h.storeId, mia)).available).toBe(before + REVIEW_POINTS);
    // The same review again is the same review: nothing more.
    expect((await api('POST', '/api/v1/reviews', review)).statusCode).toBeLessThan(300);
    await h.idle();
    expect((await h.t.services.loyalty.balance(h.storeId, mia)).available).toBe(before + REVIEW_POINTS);
    const rows = (await history(mia)).filter((r) => r.source.startsWith('rule:review:'));
    expect(rows).toEqual([expect.objectContaining({ points: REVIEW_POINTS, source: 'rule:review:bed' })]);
  });

  it('a review with a photo earns the photo points on top, once', async () => {
    const mia = await h.customerId('mia');
    const before = (await h.t.services.loyalty.balance(h.storeId, mia)).available;
    const review = { review_id: 'rv-3', product_id: 'bed', customer_id: 'mia', rating: 5, body: 'Look at him', photos: [{ data: solidPng(40, 30, [120, 90, 60]).toString('base64') }] };
    expect((await api('POST', '/api/v1/reviews', review)).statusCode).toBeLessThan(300);
    expect((await api('POST', '/api/v1/reviews', review)).statusCode).toBeLessThan(300);
    await h.idle();
    expect((await h.t.services.loyalty.balance(h.storeId, mia)).available).toBe(before + REVIEW_POINTS + 100);
    const rows = (await history(mia)).filter((r) => r.source.startsWith('rule:review:'));
    expect(rows.map((r) => [r.source, r.points]).sort()).toEqual([['rule:review:bed', REVIEW_POINTS], ['rule:review:bed', REVIEW_POINTS], ['rule:review:bed:photo', 100]]);
  });

  it('a customer who is not a member earns nothing', async () => {
    const ned = await h.customerId('ned');
    expect((await api('POST', '/api/v1/reviews', { review_id: 'rv-2', product_id: 'bed', customer_id: 'ned', rating: 4, body: 'Comfy' })).statusCode).toBeLessThan(300);
    await h.idle();
    expect(await history(ned)).toEqual([]);
  });

  it('refuses a bad review setting naming it', async () => {
    const current = (await api('GET', '/api/v1/loyalty/settings')).json() as { settings: Record<string, Record<string, unknown>> };
    for (const [field, value] of [['review_points', -5], ['review_photo_points', 1.5]] as const) {
      const answer = await api('PUT', '/api/v1/loyalty/settings', { ...current.settings, earning: { ...current.settings.earning, [field]: value } });
      expect(answer.statusCode).toBe(422);
      expect(JSON.stringify(answer.json())).toContain(`earning.${field}`);
    }
  });
});
