/**
 * A shop's pages reading and spending a signed-in customer's own points: the signature is made
 * here with node:crypto from the storefront key, as the shop's server would. The page sees what the
 * admin API says of the customer; it cannot read or spend another customer's points; a
 * redemption retried with its key is answered once; 20 concurrent redemptions never overdraw.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderInput } from '../../src/modules/commerce/commerce.input.js';
import { bearer, errorOf } from '../helpers/app.js';
import { loyaltyHarness, settingsWith, type LoyaltyHarness } from './harness.js';

let h: LoyaltyHarness;
let key: Buffer;

const order = (externalId: string, customer: string, euros: number): OrderInput => ({
  external_id: externalId, customer_external_id: customer, placed_at: new Date(Date.now() - 86_400_000), currency: 'EUR',
  lines: [{ product_external_id: 'toy', quantity: 1, unit_price: euros * 100 }],
});
const sign = (customer: string) => createHmac('sha256', key).update(customer).digest('hex');
const view = (customer: string, signature = sign(customer), headers: Record<string, string> = {}) => h.t.app.inject({
  method: 'GET', url: `/v1/loyalty?key=${h.writeKey}&customer=${encodeURIComponent(customer)}&signature=${signature}`, headers,
});
const redeem = (customer: string, idempotencyKey: string, signature = sign(customer)) => h.t.app.inject({
  method: 'POST', url: '/v1/loyalty/redemptions', payload: { customer, signature, reward_id: 'five-off' },
  headers: { ...bearer(h.writeKey), 'idempotency-key': idempotencyKey },
});

beforeAll(async () => {
  h = await loyaltyHarness(settingsWith({
    earning: { points_per_currency_unit: 1, points_per_order: 0, signup_points: 0 },
    pending: { days: 0, from: 'payment' },
    tiers: { basis: 'points_earned', levels: [{ name: 'Silver', threshold: 300, multiplier: 1 }] },
    rewards: [{ id: 'five-off', name: '5 EUR off', kind: 'amount_off', points: 50, value: 500 }, { id: 'big', name: '50 EUR off', kind: 'amount_off', points: 1_000, value: 5_000 }],
  }));
  await h.write({ customers: ['ada', 'bob'].map((c) => ({ external_id: c, email: `${c}@example.com` })) });
  await h.write({ orders: [order('a1', 'ada', 120), order('b1', 'bob', 80)] });
  const answer = await h.t.app.inject({ method: 'GET', url: '/api/v1/storefront/key', headers: bearer(h.secretKey) });
  expect(answer.statusCode, answer.body).toBe(200);
  key = Buffer.from(answer.json().key, 'hex');
}, 60_000);
afterAll(async () => h.close());

describe('the storefront loyalty routes', () => {
  it('show a signed-in customer what the admin API says of them, with the rewards they can afford', async () => {
    const admin = (await h.t.app.inject({ method: 'GET', url: `/api/v1/loyalty/customers/${await h.customerId('ada')}`, headers: bearer(h.secretKey) })).json();
    const answer = await view('ada');
    expect(answer.statusCode, answer.body).toBe(200);
    const got = answer.json();
    expect(got).toMatchObject({ enabled: true, known: true, available: admin.available, pending: admin.pending, value: admin.value, currency: 'EUR', tier: null, next_tier: { name: 'Silver', basis: 'points_earned', threshold: 300, missing: 300 - 120 } });
    expect(got.available).toBe(120);
    expect(got.rewards.map((r: { id: string; affordable: boolean }) => [r.id, r.affordable])).toEqual([['five-off', true], ['big', false]]);
    expect(got.history).toEqual([expect.objectContaining({ kind: 'earn', points: 120, standing: 'available' })]);
    // Not the customer_id, the ledger's keys or anything else of the store.
    expect(Object.keys(got).sort()).toEqual(['available', 'currency', 'earning', 'enabled', 'history', 'known', 'next_tier', 'pending', 'rewards', 'tier', 'value']);
    // A customer Hearth does not know yet has nothing so far.
    expect((await view('newcomer')).json()).toMatchObject({ known: false, available: 0, history: [] });
  });

  it('refuse another customer\'s signature, an altered one and a foreign origin', async () => {
    expect(errorOf(await view('bob', sign('ada'))).code).toBe('forbidden');
    expect((await view('bob', sign('bob').replace(/.$/, (c) => (c === '0' ? '1' : '0')))).statusCode).toBe(403);
    expect((await view('bob', 'not-hex')).statusCode).toBe(403);
    expect(errorOf(await h.t.app.inject({ method: 'GET', url: `/v1/loyalty?key=${h.writeKey}&customer=bob` })).details).toEqual([expect.objectContaining({ path: 'query.signature' })]);
    expect((await redeem('bob', 'forged-1', sign('ada'))).statusCode).toBe(403);
    expect((await view('bob')).json().available).toBe(80);
  });

  it('redeem once per Idempotency-Key, and 20 concurrent redemptions never overdraw', async () => {
    const first = await redeem('ada', 'page-1');
    expect(first.statusCode, first.body).toBe(201);
    const again = await redeem('ada', 'page-1');
    expect(again.statusCode).toBe(200);
    expect(again.json().code).toBe(first.json().code);
    expect(first.json()).toMatchObject({ points: 50, balance_after: 70, reward: { id: 'five-off' } });
    expect((await view('ada')).json().available).toBe(70);
    expect(errorOf(await h.t.app.inject({ method: 'POST', url: '/v1/loyalty/redemptions', payload: { customer: 'ada', signature: sign('ada'), reward_id: 'five-off' }, headers: bearer(h.writeKey) })).details)
      .toEqual([expect.objectContaining({ path: 'headers.idempotency-key' })]);

    // Bob has 80 points: one 50-point reward at most, however many pages ask at once.
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => redeem('bob', `burst-${i}`)));
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode === 409)).toHaveLength(19);
    const redemptions = (await h.t.app.inject({ method: 'GET', url: `/api/v1/loyalty/customers/${await h.customerId('bob')}/redemptions`, headers: bearer(h.secretKey) })).json().data;
    expect(redemptions).toHaveLength(1);
    expect((await view('bob')).json().available).toBe(30);
  });
});
