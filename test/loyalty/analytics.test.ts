/**
 * The programme's analytics over real orders, returns, redemptions, expiries and adjustments:
 * points issued, redeemed, expired and taken back, the redemption rate and breakage, members
 * against customers who ordered without points, and the tiers — each checked against a plain
 * computation here from the ledger, order and tier rows themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderInput } from '../../src/modules/commerce/commerce.input.js';
import { bearer } from '../helpers/app.js';
import { DAY, loyaltyHarness, settingsWith, type LoyaltyHarness } from './harness.js';

let h: LoyaltyHarness;
const now = Date.now();
const daysAgo = (days: number): Date => new Date(now - days * DAY);

function order(externalId: string, customer: string, euros: number, placedDaysAgo: number): OrderInput {
  return {
    external_id: externalId, customer_external_id: customer, placed_at: daysAgo(placedDaysAgo), currency: 'EUR',
    lines: [{ product_external_id: 'toy', quantity: 1, unit_price: euros * 100 }],
  };
}

beforeAll(async () => {
  h = await loyaltyHarness(settingsWith({
    earning: { points_per_currency_unit: 1, points_per_order: 0 },
    pending: { days: 0, from: 'payment' },
    expiry: { mode: 'per_award', months: 1, reminder_days: [] },
    tiers: { basis: 'points_earned', levels: [{ name: 'Silver', threshold: 100, multiplier: 1 }] },
    rewards: [{ id: 'five-off', name: '5 EUR off', kind: 'amount_off', points: 50, value: 500 }],
  }));
  await h.write({ customers: ['ada', 'bob', 'cy', 'di'].map((c) => ({ external_id: c, email: `${c}@example.com` })) });
  // Ada buys twice (Silver); Bob once, long enough ago for his points to expire; Cy and Di only take
  // free samples (no points: not members), Cy twice.
  await h.write({ orders: [order('a1', 'ada', 80, 10), order('a2', 'ada', 60, 5), order('b1', 'bob', 30, 60), order('c1', 'cy', 0, 40), order('c2', 'cy', 0, 20), order('d1', 'di', 0, 3)] });
  await h.write({ returns: [{ external_id: 'ra2', order_external_id: 'a2', returned_at: daysAgo(1), currency: 'EUR', amount: 2_000 }] });
  const ada = await h.customerId('ada');
  const redeem = (key: string) => h.t.app.inject({ method: 'POST', url: `/api/v1/loyalty/customers/${ada}/redemptions`, payload: { reward_id: 'five-off' }, headers: { ...bearer(h.secretKey), 'idempotency-key': key } });
  expect((await redeem('r-1')).statusCode).toBe(201);
  const second = (await redeem('r-2')).json() as { id: string };
  await h.t.services.loyalty.cancelRedemption(h.storeId, second.id);
  await h.t.services.loyalty.adjust(h.storeId, await h.customerId('bob'), { points: 15, reason: 'Sorry for the wait', key: 'adj-1', actor: 'test' });
  await h.t.services.loyalty.runDaily(h.storeId);
});
afterAll(async () => h.close());

describe('loyalty analytics', () => {
  it('matches a plain computation of points, rates, members against others and tiers', async () => {
    const response = await h.t.app.inject({ method: 'GET', url: '/api/v1/loyalty/analytics?days=90', headers: bearer(h.secretKey) });
    expect(response.statusCode, response.body).toBe(200);
    const got = response.json();

    const db = h.t.services.storage.read;
    const entries = (await db.selectFrom('loyalty_entries' as never).selectAll().where('store_id' as never, '=', h.storeId as never).execute()) as unknown as
      { customer_id: number; kind: string; points: number; state: string; source: string }[];
    const total = (keep: (e: (typeof entries)[number]) => boolean) => entries.filter(keep).reduce((s, e) => s + Number(e.points), 0);
    const issued = total((e) => (e.kind === 'earn' && e.state !== 'void') || (e.kind === 'adjust' && Number(e.points) > 0));
    const redeemed = -total((e) => e.kind === 'redeem' || (e.kind === 'reverse' && e.source === 'reward'));
    const expired = -total((e) => e.kind === 'expire');
    const takenBack = -total((e) => (e.kind === 'reverse' && e.source !== 'reward') || (e.kind === 'adjust' && Number(e.points) < 0));
    expect(got.points).toEqual({ issued, redeemed, expired, taken_back: takenBack });
    // What happened: 140 earned by Ada, 30 by Bob, 15 added; one 50-point reward kept; Bob's 30 expired; part of Ada's refunded order taken back.
    expect(issued).toBe(185);
    expect(redeemed).toBe(50);
    expect(expired).toBe(30);
    expect(takenBack).toBeGreaterThan(0);
    expect(got.redemption_rate).toBeCloseTo(50 / 185, 12);
    expect(got.breakage).toBeCloseTo(30 / 185, 12);
    expect(got.redemptions).toEqual({ count: 2, members: 1 });

    const members = new Set(entries.map((e) => Number(e.customer_id)));
    const orders = await db.selectFrom('orders').select(['id', 'customer_id', 'total', 'status']).where('store_id', '=', h.storeId).execute();
    const refunds = await db.selectFrom('returns').select(['order_id', 'amount']).where('store_id', '=', h.storeId).execute();
    const cohort = (member: boolean) => {
      const per = new Map<number, { orders: number; revenue: number }>();
      for (const o of orders.filter((o) => o.status !== 'cancelled' && members.has(Number(o.customer_id)) === member)) {
        const p = per.get(Number(o.customer_id)) ?? { orders: 0, revenue: 0 };
        p.orders += 1;
        p.revenue += Number(o.total) - refunds.filter((r) => Number(r.order_id) === Number(o.id)).reduce((s, r) => s + Number(r.amount), 0);
        per.set(Number(o.customer_id), p);
      }
      const list = [...per.values()];
      return {
        customers: list.length, repeat_rate: list.filter((p) => p.orders >= 2).length / list.length,
        orders_per_customer: list.reduce((s, p) => s + p.orders, 0) / list.length, revenue_per_customer: Math.round(list.reduce((s, p) => s + p.revenue, 0) / list.length),
      };
    };
    expect(got.comparison).toEqual({ members: cohort(true), others: cohort(false) });
    expect(got.comparison.members.customers).toBe(2);
    expect(got.comparison.others).toMatchObject({ customers: 2, repeat_rate: 0.5 });

    expect(got.tiers).toEqual([{ tier: null, members: 1 }, { tier: 'Silver', members: 1 }].sort((a, b) => b.members - a.members || (a.tier === null ? 1 : b.tier === null ? -1 : a.tier.localeCompare(b.tier))));
    expect(got.movements).toEqual([{ from: null, to: 'Silver', customers: 1 }]);
  });

  it('refuses a period outside 1–3650 days, naming the parameter', async () => {
    for (const days of ['0', '4000', 'year']) {
      const response = await h.t.app.inject({ method: 'GET', url: `/api/v1/loyalty/analytics?days=${days}`, headers: bearer(h.secretKey) });
      expect(response.statusCode).toBe(422);
      expect(JSON.stringify(response.json().error.details)).toContain('days');
    }
  });
});
