/**
 * The programme's settings over HTTP: defaults until saved, versions kept, bad values refused
 * naming the field; and the subscriber's effects are the same however often a batch is delivered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../../src/modules/domain-events/index.js';
import { bearer, errorOf } from '../helpers/app.js';
import { DAY, loyaltyHarness, settingsWith, type LoyaltyHarness } from './harness.js';

let h: LoyaltyHarness;
beforeAll(async () => {
  h = await loyaltyHarness(settingsWith({ earning: { points_per_currency_unit: 1 } }));
});
afterAll(async () => h.close());

const put = (payload: unknown) => h.t.app.inject({ method: 'PUT', url: '/api/v1/loyalty/settings', headers: bearer(h.secretKey), payload: payload as object });

describe('settings', () => {
  it('saves a new version each time and answers with it', async () => {
    const current = (await h.t.app.inject({ method: 'GET', url: '/api/v1/loyalty/settings', headers: bearer(h.secretKey) })).json();
    const saved = await put({ ...current.settings, point_value: 0.5 });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ version: current.version + 1, settings: { point_value: 0.5, enabled: true } });
  });

  it('refuses bad values, naming each field', async () => {
    const { settings } = (await h.t.app.inject({ method: 'GET', url: '/api/v1/loyalty/settings', headers: bearer(h.secretKey) })).json();
    const cases: [unknown, string][] = [
      [{ ...settings, tiers: { basis: 'points_earned', levels: [{ name: 'A', threshold: 100, multiplier: 1 }, { name: 'B', threshold: 100, multiplier: 2 }] } }, 'tiers.levels.1.threshold'],
      [{ ...settings, rewards: [{ id: 'x', name: 'X', kind: 'percent_off', points: 10, value: 150 }] }, 'rewards.0.value'],
      [{ ...settings, rewards: [{ id: 'x', name: 'X', kind: 'free_shipping', points: 10, value: 0 }, { id: 'x', name: 'Y', kind: 'free_shipping', points: 20, value: 0 }] }, 'rewards.1.id'],
      [{ ...settings, earning: { ...settings.earning, points_per_currency_unit: 1.005 } }, 'earning.points_per_currency_unit'],
      [{ ...settings, expiry: { ...settings.expiry, mode: 'sometimes' } }, 'expiry.mode'],
      [{ ...settings, pending: undefined }, 'pending'],
      [{ ...settings, rewards: [{ id: 'x', name: 'X', kind: 'free_product', points: 10, value: 0 }] }, 'rewards.0.product_id'],
      [{ ...settings, rewards: [{ id: 'x', name: 'X', kind: 'free_product', points: 10, value: 5, product_id: 'mug' }] }, 'rewards.0.value'],
      [{ ...settings, rewards: [{ id: 'x', name: 'X', kind: 'amount_off', points: 10, value: 5, product_id: 'mug' }] }, 'rewards.0.product_id'],
      // A product the store does not have.
      [{ ...settings, rewards: [{ id: 'x', name: 'X', kind: 'free_product', points: 10, value: 0, product_id: 'no-such-product' }] }, 'rewards.0.product_id'],
    ];
    for (const [payload, path] of cases) {
      const answer = await put(payload);
      expect(answer.statusCode, path).toBe(422);
      expect(errorOf(answer).details.map((d) => d.path), path).toContain(path);
    }
  });
});

describe('a free product', () => {
  it('is a reward naming one of the store\'s products; redeeming it gives a code for that product', async () => {
    await h.write({
      products: [{ external_id: 'mug', title: 'Enamel mug', price: 1_500, currency: 'EUR' }],
      customers: [{ external_id: 'fred' }],
      orders: [{ external_id: 'o-fred', customer_external_id: 'fred', placed_at: new Date(Date.now() - 40 * DAY), currency: 'EUR', status: 'paid', lines: [{ product_external_id: 'mug', quantity: 4, unit_price: 1_500 }], fulfillments: [{ external_id: 'f-fred', delivered_at: new Date(Date.now() - 38 * DAY) }] }],
    });
    const { settings } = (await h.t.app.inject({ method: 'GET', url: '/api/v1/loyalty/settings', headers: bearer(h.secretKey) })).json();
    const reward = { id: 'free-mug', name: 'A free enamel mug', kind: 'free_product', points: 50, value: 0, product_id: 'mug' };
    const saved = await put({ ...settings, rewards: [reward] });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().settings.rewards).toEqual([reward]);
    const fred = await h.customerId('fred');
    const redeemed = await h.t.app.inject({ method: 'POST', url: `/api/v1/loyalty/customers/${fred}/redemptions`, payload: { reward_id: 'free-mug' }, headers: { ...bearer(h.secretKey), 'idempotency-key': 'fred-mug' } });
    expect(redeemed.statusCode, redeemed.body).toBe(201);
    expect(redeemed.json()).toMatchObject({ points: 50, status: 'issued', reward: { kind: 'free_product', product_id: 'mug' } });
    expect(redeemed.json().code).toMatch(/^HRT-/);
  });
});

describe('redelivery', () => {
  it('changes nothing when the same events are handled again', async () => {
    const placed = new Date(Date.now() - 20 * DAY);
    await h.write({
      customers: [{ external_id: 'kim' }],
      orders: [{ external_id: 'k1', customer_external_id: 'kim', placed_at: placed, currency: 'EUR', lines: [{ product_external_id: 'p', quantity: 1, unit_price: 8000 }], fulfillments: [{ external_id: 'kf', delivered_at: placed }] }],
      returns: [{ external_id: 'kr', order_external_id: 'k1', returned_at: placed, currency: 'EUR', amount: 2000 }],
    });
    const kim = await h.customerId('kim');
    const before = await h.t.services.loyalty.history(h.storeId, kim);
    expect(before.data.map((e) => e.kind).sort()).toEqual(['earn', 'reverse']);
    const events = await readEvents(h.t.services.storage.read, 0, Number.MAX_SAFE_INTEGER);
    await h.t.services.loyalty.handleEvents(events);
    await h.t.services.loyalty.handleEvents(events);
    expect(await h.t.services.loyalty.history(h.storeId, kim)).toEqual(before);
  });
});
