/**
 * A property test over seeded random sequences of orders, deliveries, refunds, cancellations,
 * redemptions and their cancellation, adjustments, expiry runs and days passing. After every step,
 * for every customer: the balance equals the sum of their ledger rows (available + pending +
 * lapsed), the lists' SQL totals equal the rows', no award is drawn beyond its points and no draw
 * allocated beyond its own, the balance is never negative unless the store allows it, and the
 * balance served from memory equals the one computed from the ledger rows (every write must drop it).
 * `LOYALTY_SEED=<n>` runs another sequence.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/lib/random.js';
import { AppError } from '../../src/lib/errors.js';
import { DAY, loyaltyHarness, settingsWith, type LoyaltyHarness } from './harness.js';

const SEED = Number(process.env.LOYALTY_SEED ?? 20261203);
const STEPS = 90;
const harnesses: LoyaltyHarness[] = [];
afterAll(async () => {
  for (const h of harnesses) await h.close();
});

async function run(seed: number, negative: 'allow' | 'owed'): Promise<{ steps: Record<string, number>; seen: Record<string, number> }> {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const h = await loyaltyHarness(settingsWith({
    earning: { points_per_currency_unit: 1, points_per_order: 2 },
    pending: { days: 3, from: 'delivery' },
    expiry: { mode: 'per_award', months: 1, reminder_days: [7] },
    negative_balance: negative,
    tiers: { basis: 'points_earned', levels: [{ name: 'Silver', threshold: 200, multiplier: 1.25 }] },
    rewards: [
      { id: 'small', name: 'Small', kind: 'amount_off', points: 40, value: 300 },
      { id: 'big', name: 'Big', kind: 'percent_off', points: 120, value: 10 },
    ],
  }));
  harnesses.push(h);
  const customers = ['c1', 'c2', 'c3'];
  await h.write({ customers: customers.map((c) => ({ external_id: c })) });
  const ids = new Map<string, number>();
  for (const c of customers) ids.set(c, await h.customerId(c));

  let clock = Date.now();
  const orders: { id: string; customer: string; total: number; refunded: number; delivered: boolean; cancelled: boolean }[] = [];
  const redemptions: string[] = [];
  const steps: Record<string, number> = {};
  let n = 0;

  const seen = { owed: 0, lapsedWrittenDown: 0, pending: 0 };
  const verify = async (label: string) => {
    const now = new Date(clock);
    expect(await h.t.services.loyalty.check(h.storeId, now), label).toEqual([]);
    for (const [name, id] of ids) {
      const balance = await h.t.services.loyalty.balance(h.storeId, id, now);
      // The balance served from memory equals the one read from the ledger rows, for this step's time.
      expect(balance, `${label}: ${name}'s kept balance`).toEqual(await h.t.services.loyalty.ledgerBalance(h.storeId, id, now));
      const rows = (await h.t.services.loyalty.history(h.storeId, id, { limit: 500 }, now)).data;
      if (balance.owed > 0) seen.owed += 1;
      if (balance.pending > 0) seen.pending += 1;
      seen.lapsedWrittenDown += rows.filter((r) => r.kind === 'expire').length;
      const sum = rows.reduce((s, r) => s + r.points, 0);
      expect(balance.ledger, `${label}: ${name}'s ledger`).toBe(sum);
      const raw = balance.ledger - balance.pending - balance.lapsed;
      if (negative === 'allow') expect(balance.available, `${label}: ${name}`).toBe(raw);
      else expect(balance.available, `${label}: ${name}`).toBe(Math.max(0, raw));
      expect(balance.available, `${label}: ${name} below zero`).toBeGreaterThanOrEqual(negative === 'allow' ? -balance.owed : 0);
      for (const row of rows) if (row.kind === 'earn' || (row.kind === 'adjust' && row.points > 0)) expect(row.remaining).toBeLessThanOrEqual(row.points);
    }
  };

  for (let step = 0; step < STEPS; step += 1) {
    const roll = random();
    const now = new Date(clock);
    let kind: string;
    if (roll < 0.2 || orders.length === 0) {
      kind = 'order';
      n += 1;
      const customer = pick(customers);
      const total = 1000 + Math.floor(random() * 20_000);
      const delivered = random() < 0.6;
      orders.push({ id: `o${n}`, customer, total, refunded: 0, delivered, cancelled: false });
      await h.write({ orders: [{
        external_id: `o${n}`, customer_external_id: customer, placed_at: now, currency: 'EUR', lines: [{ product_external_id: 'p', quantity: 1, unit_price: total }],
        ...(delivered && { fulfillments: [{ external_id: `o${n}-f`, delivered_at: now }] }),
      }] });
    } else if (roll < 0.3) {
      kind = 'deliver';
      const order = pick(orders.filter((o) => !o.delivered).concat(orders.slice(-1)));
      order.delivered = true;
      await h.write({ fulfillments: [{ external_id: `${order.id}-f`, order_external_id: order.id, delivered_at: now }] });
    } else if (roll < 0.4) {
      kind = 'refund';
      const order = pick(orders);
      const amount = Math.min(order.total - order.refunded, 1 + Math.floor(random() * order.total * 0.6));
      if (amount > 0 && !order.cancelled) {
        order.refunded += amount;
        await h.write({ returns: [{ external_id: `${order.id}-r${step}`, order_external_id: order.id, returned_at: now, currency: 'EUR', amount }] });
      }
    } else if (roll < 0.47) {
      kind = 'cancel';
      const order = pick(orders);
      order.cancelled = true;
      if (random() < 0.5) {
        // The customer spends everything first, so the claw-back finds the points gone.
        kind = 'spend all, then cancel';
        const id = ids.get(order.customer)!;
        for (let i = 0; (await h.t.services.loyalty.balance(h.storeId, id, now)).available >= 40; i += 1) {
          await h.t.services.loyalty.redeem(h.storeId, id, { reward_id: 'small', key: `s${step}-${i}` }, now);
        }
      }
      await h.write({ orders: [{ external_id: order.id, customer_external_id: order.customer, placed_at: now, currency: 'EUR', status: 'cancelled', lines: [{ product_external_id: 'p', quantity: 1, unit_price: order.total }] }] });
    } else if (roll < 0.68) {
      kind = 'redeem';
      // Mostly the customer with the most points, so that spending (and taking back spent points) happens.
      const balances = await Promise.all([...ids.values()].map(async (c) => ({ c, available: (await h.t.services.loyalty.balance(h.storeId, c, now)).available })));
      const richest = balances.sort((a, b) => b.available - a.available)[0]!.c;
      const id = random() < 0.7 ? richest : ids.get(pick(customers))!;
      const before = await h.t.services.loyalty.balance(h.storeId, id, now);
      const reward = random() < 0.5 ? 'small' : 'big';
      try {
        const { redemption } = await h.t.services.loyalty.redeem(h.storeId, id, { reward_id: reward, key: `k${step}` }, now);
        redemptions.push(redemption.id);
        expect(before.available).toBeGreaterThanOrEqual(redemption.points);
        expect((await h.t.services.loyalty.balance(h.storeId, id, now)).available).toBe(before.available - redemption.points);
        // The retry changes nothing.
        expect((await h.t.services.loyalty.redeem(h.storeId, id, { reward_id: reward, key: `k${step}` }, now)).replayed).toBe(true);
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'conflict')) throw error;
        expect(before.available).toBeLessThan(reward === 'small' ? 40 : 120);
        kind = 'redeem refused';
      }
    } else if (roll < 0.72 && redemptions.length) {
      kind = 'cancel reward';
      await h.t.services.loyalty.cancelRedemption(h.storeId, pick(redemptions), now);
    } else if (roll < 0.78) {
      kind = 'adjust';
      const points = Math.floor(random() * 80) - 30 || 1;
      try {
        await h.t.services.loyalty.adjust(h.storeId, ids.get(pick(customers))!, { points, reason: 'property test', key: `a${step}`, actor: 'test' }, now);
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'conflict')) throw error;
        kind = 'adjust refused';
      }
    } else if (roll < 0.86) {
      kind = 'expire';
      await h.t.services.loyalty.runDaily(h.storeId, now);
    } else {
      kind = 'days pass';
      clock += Math.floor(1 + random() * 20) * DAY;
    }
    steps[kind] = (steps[kind] ?? 0) + 1;
    await verify(`seed ${seed}, step ${step} (${kind})`);
  }
  return { steps, seen };
}

/** The default sequences reach the interesting states: points spent, taken back beyond the balance, lapsed and written down. */
function reached(steps: Record<string, number>, seen: Record<string, number>): void {
  if (process.env.LOYALTY_SEED) return;
  expect(steps.redeem).toBeGreaterThan(2);
  expect(seen.owed).toBeGreaterThan(0);
  expect(seen.lapsedWrittenDown).toBeGreaterThan(0);
}

describe(`ledger property (seed ${SEED})`, () => {
  it('keeps every balance equal to its ledger with claw-backs recorded as owed', async () => {
    const { steps, seen } = await run(SEED, 'owed');
    expect(Object.keys(steps).length).toBeGreaterThanOrEqual(8);
    reached(steps, seen);
  }, 180_000);

  it('keeps every balance equal to its ledger with negative balances allowed', async () => {
    const { steps, seen } = await run(SEED + 1, 'allow');
    expect(Object.keys(steps).length).toBeGreaterThanOrEqual(8);
    reached(steps, seen);
  }, 180_000);
});
