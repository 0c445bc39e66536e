/**
 * The daily job: lapsed awards written down for their unspent remainder only, "points expiring"
 * notices once per lead time, and tiers — up at once with an event and a multiplier on later
 * orders, down only at the review after 12 months.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { registerJobs } from '../../src/jobs/handlers.js';
import { Scheduler } from '../../src/jobs/scheduler.js';
import { Worker } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/lib/logger.js';
import { modules } from '../../src/modules.js';
import type { OrderInput } from '../../src/modules/commerce/commerce.input.js';
import { DAY, loyaltyHarness, settingsWith, type LoyaltyHarness } from './harness.js';

let h: LoyaltyHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const now = Date.now();
const daysAgo = (days: number): Date => new Date(now - days * DAY);
const at = (days: number): Date => new Date(now + days * DAY);

function order(externalId: string, customer: string, euros: number, placedDaysAgo: number): OrderInput {
  return {
    external_id: externalId, customer_external_id: customer, placed_at: daysAgo(placedDaysAgo), currency: 'EUR',
    lines: [{ product_external_id: 'toy', quantity: 1, unit_price: euros * 100 }],
    fulfillments: [{ external_id: `${externalId}-f`, delivered_at: daysAgo(placedDaysAgo - 1) }],
  };
}

async function eventsOf(type: string, storeId: string): Promise<{ customer_id: number; data: Record<string, unknown> }[]> {
  const { rows } = await sql<{ customer_id: number; data: string }>`select customer_id, data from domain_events where store_id = ${storeId} and type = ${type} order by id`.execute(h!.t.services.storage.read);
  return rows.map((r) => ({ customer_id: Number(r.customer_id), data: JSON.parse(r.data) as Record<string, unknown> }));
}

describe('expiry', () => {
  it('writes down only the unspent remainder of a lapsed award, once', async () => {
    h = await loyaltyHarness(settingsWith({
      earning: { points_per_currency_unit: 1 }, pending: { days: 0 },
      expiry: { mode: 'per_award', months: 12, reminder_days: [30, 7] },
      rewards: [{ id: 'r', name: 'Treat', kind: 'amount_off', points: 30, value: 300 }],
    }));
    // Placed 350 days ago: lapses in about 15 days.
    await h.write({ customers: [{ external_id: 'eve' }], orders: [order('o1', 'eve', 100, 350), order('o2', 'eve', 20, 10)] });
    const eve = await h.customerId('eve');
    await h.t.services.loyalty.redeem(h.storeId, eve, { reward_id: 'r', key: 'e1' });

    const daily = await h.t.services.loyalty.runDaily(h.storeId, new Date(now));
    expect(daily).toMatchObject({ expired_entries: 0, notices: 1 });
    const [notice] = await eventsOf('loyalty.points_expiring', h.storeId);
    expect(notice).toMatchObject({ customer_id: eve, data: { points: 70, lead_days: 30 } });
    expect((await h.t.services.loyalty.runDaily(h.storeId, new Date(now))).notices).toBe(0);

    const later = at(20);
    expect(await h.t.services.loyalty.balance(h.storeId, eve, later)).toMatchObject({ available: 20, lapsed: 70 });
    expect(await h.t.services.loyalty.runDaily(h.storeId, later)).toMatchObject({ expired_entries: 1, expired_points: 70 });
    expect(await h.t.services.loyalty.runDaily(h.storeId, later)).toMatchObject({ expired_entries: 0 });
    const rows = (await h.t.services.loyalty.history(h.storeId, eve, {}, later)).data;
    expect(rows[0]).toMatchObject({ kind: 'expire', points: -70, source: 'expiry' });
    expect(rows[0]!.idempotency_key).toMatch(/^expire:\d+$/);
    expect(await h.t.services.loyalty.balance(h.storeId, eve, later)).toMatchObject({ available: 20, lapsed: 0, ledger: 20 });
    expect(await h.t.services.loyalty.check(h.storeId, later)).toEqual([]);
  });

  it('runs as the daily loyalty.expire job the scheduler queues for each store', async () => {
    h = await loyaltyHarness(settingsWith({ earning: { points_per_currency_unit: 1 }, pending: { days: 0 }, expiry: { mode: 'per_award', months: 12, reminder_days: [] } }));
    await h.write({ customers: [{ external_id: 'old' }], orders: [order('o1', 'old', 80, 400)] });
    const old = await h.customerId('old');
    const schedules = modules.flatMap((m) => m.schedules ?? []).filter((s) => s.kind === 'loyalty.expire');
    expect(schedules).toEqual([{ kind: 'loyalty.expire', everyMs: DAY }]);
    const scheduler = new Scheduler(h.t.services.jobs, async () => [h!.storeId], schedules, silentLogger);
    expect(await scheduler.tick()).toBe(1);
    expect(await scheduler.tick()).toBe(0);
    const worker = new Worker(h.t.services.jobs, silentLogger);
    registerJobs(worker, h.t.services);
    while (await worker.tick()) { /* until the queue is empty */ }
    const rows = (await h.t.services.loyalty.history(h.storeId, old)).data;
    expect(rows[0]).toMatchObject({ kind: 'expire', points: -80 });
    expect((await h.t.services.loyalty.balance(h.storeId, old)).ledger).toBe(0);
  });

  it('lapses everything after the set months without activity', async () => {
    h = await loyaltyHarness(settingsWith({ earning: { points_per_currency_unit: 1 }, pending: { days: 0 }, expiry: { mode: 'inactivity', months: 6, reminder_days: [] } }));
    await h.write({ customers: [{ external_id: 'fay' }], orders: [order('o1', 'fay', 50, 20)] });
    const fay = await h.customerId('fay');
    expect((await h.t.services.loyalty.runDaily(h.storeId, at(170))).expired_points).toBe(0);
    expect((await h.t.services.loyalty.runDaily(h.storeId, at(190))).expired_points).toBe(50);
    expect((await h.t.services.loyalty.balance(h.storeId, fay, at(190))).available).toBe(0);
  });
});

describe('tiers', () => {
  const tiers = { basis: 'points_earned' as const, levels: [{ name: 'Silver', threshold: 100, multiplier: 1 }, { name: 'Gold', threshold: 300, multiplier: 1.5 }] };

  it('moves a customer up at once, records loyalty.tier_changed, and multiplies later orders', async () => {
    h = await loyaltyHarness(settingsWith({ earning: { points_per_currency_unit: 1 }, pending: { days: 0 }, tiers }));
    await h.write({ customers: [{ external_id: 'gil' }], orders: [order('o1', 'gil', 120, 5)] });
    const gil = await h.customerId('gil');
    expect(await h.t.services.loyalty.balance(h.storeId, gil)).toMatchObject({ tier: 'Silver', tier_figure: 120, next_tier: { name: 'Gold', threshold: 300, missing: 180 } });
    await h.write({ orders: [order('o2', 'gil', 200, 4)] });
    const balance = await h.t.services.loyalty.balance(h.storeId, gil);
    expect(balance.tier).toBe('Gold');
    expect((await eventsOf('loyalty.tier_changed', h.storeId)).map((e) => e.data)).toEqual([
      { tier: 'Silver', previous_tier: null, direction: 'up', basis: 'points_earned', figure: 120 },
      { tier: 'Gold', previous_tier: 'Silver', direction: 'up', basis: 'points_earned', figure: 320 },
    ]);
    // In Gold, 100 EUR earns 1.5 × 100.
    await h.write({ orders: [order('o3', 'gil', 100, 3)] });
    expect((await h.t.services.loyalty.balance(h.storeId, gil)).available).toBe(120 + 200 + 150);
  });

  it('moves down only at the review, 12 months after the last change', async () => {
    h = await loyaltyHarness(settingsWith({ earning: { points_per_currency_unit: 1 }, pending: { days: 0 }, tiers }));
    await h.write({ customers: [{ external_id: 'hal' }], orders: [order('o1', 'hal', 150, 5)] });
    const hal = await h.customerId('hal');
    expect((await h.t.services.loyalty.runDaily(h.storeId, at(200))).downgrades).toBe(0);
    expect((await h.t.services.loyalty.balance(h.storeId, hal, at(200))).tier).toBe('Silver');
    expect((await h.t.services.loyalty.runDaily(h.storeId, at(370))).downgrades).toBe(1);
    expect((await h.t.services.loyalty.balance(h.storeId, hal, at(370))).tier).toBeNull();
    expect((await eventsOf('loyalty.tier_changed', h.storeId)).at(-1)!.data).toMatchObject({ tier: null, previous_tier: 'Silver', direction: 'down' });
  });
});

describe('rules', () => {
  it('awards sign-up, subscription and tracked events with a cap per period', async () => {
    h = await loyaltyHarness(settingsWith({ earning: { signup_points: 20, subscribe_points: 10, events: [{ name: 'Instagram Followed', points: 15, cap: 1, per: 'ever' }] } }));
    await h.write({ customers: [{ external_id: 'ivy', email: 'ivy@example.com', accepts_marketing: true }] });
    const ivy = await h.customerId('ivy');
    for (const messageId of ['m1', 'm2']) {
      const answer = await h.t.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: `Bearer ${h.secretKey}` }, payload: { userId: 'ivy', event: 'Instagram Followed', messageId } });
      expect(answer.statusCode).toBeLessThan(300);
    }
    const sources = async () => (await h!.t.services.loyalty.history(h!.storeId, ivy)).data.map((r) => r.source).sort();
    await expect.poll(sources, { timeout: 10_000 }).toContain('rule:event:Instagram Followed');
    expect(await sources()).toEqual(['rule:event:Instagram Followed', 'rule:signup', 'rule:subscribe']);
    expect((await h.t.services.loyalty.balance(h.storeId, ivy)).available).toBe(20 + 10 + 15);
  });
});
