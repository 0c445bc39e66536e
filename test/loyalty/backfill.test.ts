/**
 * Backfilling past orders: a store whose orders were written while the programme was off gets,
 * from one backfill, the ledger its twin got from the order events as they came — awards, states,
 * release times, claw-backs of a partial refund, a void award for a cancelled order, balances —
 * with each row dated at what it records. A rerun, and the events seen again, change nothing;
 * `since` leaves older orders out; tiers follow the backfilled points; a debt is paid from the
 * new awards; a refund is taken from its order's award even when that award has lapsed since.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommerceBatch, OrderInput } from '../../src/modules/commerce/commerce.input.js';
import { readEvents } from '../../src/modules/domain-events/index.js';
import type { LoyaltySettings } from '../../src/modules/loyalty/index.js';
import { DAY, loyaltyHarness, settingsWith, type LoyaltyHarness } from './harness.js';

const harnesses: LoyaltyHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

const now = Date.now();
const daysAgo = (days: number): Date => new Date(now - days * DAY);
const at = (days: number): Date => new Date(now + days * DAY);

function order(externalId: string, customer: string | null, amount: number, placedDaysAgo: number, overrides: Partial<OrderInput> = {}): OrderInput {
  return {
    external_id: externalId, customer_external_id: customer, placed_at: daysAgo(placedDaysAgo), currency: 'EUR',
    discount: 300, shipping: 495, lines: [{ product_external_id: 'food', quantity: 1, unit_price: amount }], ...overrides,
  };
}

/** Delivered long ago; delivered but still in its return window; refunded in part twice; cancelled; not delivered; a guest's. */
const history: CommerceBatch = {
  customers: [{ external_id: 'ada', email: 'ada@example.com' }, { external_id: 'ben', email: 'ben@example.com' }, { external_id: 'cleo', email: 'cleo@example.com' }],
  orders: [
    order('o1', 'ada', 8000, 100), order('o2', 'ada', 5000, 40), order('o3', 'ben', 12_000, 60), order('o4', 'ben', 3000, 20, { status: 'cancelled' }),
    order('o5', 'cleo', 2500, 5), order('o6', null, 9000, 30),
  ],
  fulfillments: [
    { external_id: 'f1', order_external_id: 'o1', delivered_at: daysAgo(95) },
    { external_id: 'f2', order_external_id: 'o2', delivered_at: daysAgo(10) },
    { external_id: 'f3', order_external_id: 'o3', delivered_at: daysAgo(55) },
  ],
  returns: [
    { external_id: 'r1', order_external_id: 'o3', returned_at: daysAgo(50), currency: 'EUR', amount: 4000 },
    { external_id: 'r2', order_external_id: 'o3', returned_at: daysAgo(45), currency: 'EUR', amount: 2000 },
  ],
};

const rules = settingsWith({ earning: { points_per_currency_unit: 1.5, points_per_order: 5 }, pending: { days: 30, from: 'delivery' } });

/** A store with the history written while the programme was off, then switched on. */
async function quietStore(settings: LoyaltySettings, batch: CommerceBatch = history): Promise<LoyaltyHarness> {
  const h = await loyaltyHarness({ ...settings, enabled: false });
  harnesses.push(h);
  await h.write(batch);
  await h.t.services.loyalty.saveSettings(h.storeId, settings, 'test');
  return h;
}

interface Row { id: number; customer: string; order: string | null; kind: string; points: number; state: string; available_at: Date | null; expires_at: Date | null; source: string; reason: string | null; key: string; created_at: Date }

/** The store's ledger with store-independent names (customer and order external ids), by key. */
async function ledger(h: LoyaltyHarness): Promise<Row[]> {
  const { rows } = await sql<Row>`select e.id, c.external_id as customer, o.external_id as "order", e.kind, e.points, e.state,
      coalesce(e.available_at, r.available_at) as available_at, e.expires_at, e.source, e.reason,
      case when ret.id is not null then 'order:' || o.external_id || ':refund:' || ret.external_id
        when e.order_id is not null then 'order:' || o.external_id || substr(e.idempotency_key, length('order:' || e.order_id) + 1)
        else e.idempotency_key end as key, e.created_at
    from loyalty_entries e join customers c on c.store_id = e.store_id and c.id = e.customer_id
    left join orders o on o.store_id = e.store_id and o.id = e.order_id
    left join returns ret on ret.store_id = e.store_id and e.idempotency_key = 'order:' || e.order_id || ':refund:' || ret.id
    left join loyalty_releases r on r.store_id = e.store_id and r.award_id = e.id
    where e.store_id = ${h.storeId} order by key`.execute(h.t.services.storage.read);
  return rows.map((r) => ({ ...r, id: Number(r.id), points: Number(r.points) }));
}

/** Allocations as (drawing row's key, award's key, points). */
async function allocations(h: LoyaltyHarness): Promise<string[]> {
  const rows = await ledger(h);
  const keyOf = new Map(rows.map((r) => [r.id, r.key]));
  const { rows: found } = await sql<{ entry_id: number; award_id: number; points: number }>`select entry_id, award_id, points from loyalty_allocations where store_id = ${h.storeId}`.execute(h.t.services.storage.read);
  return found.map((a) => `${keyOf.get(Number(a.entry_id))} ← ${keyOf.get(Number(a.award_id))}: ${Number(a.points)}`).sort();
}

const comparable = (rows: Row[]) => rows.map(({ id: _id, created_at: _created, ...rest }) => rest);

async function balances(h: LoyaltyHarness, when: Date) {
  const out: Record<string, unknown> = {};
  for (const c of ['ada', 'ben', 'cleo']) out[c] = await h.t.services.loyalty.balance(h.storeId, await h.customerId(c), when);
  const strip = (b: object) => Object.fromEntries(Object.entries(b).filter(([k]) => k !== 'customer_id'));
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, strip(v as object)]));
}

describe('backfilling past orders', () => {
  it('writes the ledger the order events wrote on a twin store, dated at the history', async () => {
    const twin = await loyaltyHarness(rules);
    harnesses.push(twin);
    await twin.write(history);
    const h = await quietStore(rules);
    expect(await ledger(h)).toEqual([]);

    const summary = await h.t.services.loyalty.backfill(h.storeId, {}, new Date(now));
    // o1 80.00 − 3.00 → floor(77 × 1.5) + 5 = 120; o2 47.00 → 75; o3 117.00 → 180; o5 22.00 → 38; o4 cancelled: void.
    expect(summary).toMatchObject({ orders: 4, points: 120 + 75 + 180 + 38, voided: 1, chunks: 1 });
    // Refunds of 40.00 and 20.00 on a 121.95 total: round(180 × 40/121.95) = 59, then round(180 × 60/121.95) − 59 = 30.
    expect(summary).toMatchObject({ refunds: 2, refunded_points: 89 });

    const mine = await ledger(h);
    expect(comparable(mine)).toEqual(comparable(await ledger(twin)));
    expect(await allocations(h)).toEqual(await allocations(twin));
    for (const when of [new Date(now), at(21), at(400)]) expect(await balances(h, when)).toEqual(await balances(twin, when));
    expect(await h.t.services.loyalty.check(h.storeId)).toEqual([]);

    const byKey = new Map(mine.map((r) => [r.key, r]));
    expect(byKey.get('order:o1:earn')).toMatchObject({ state: 'available', points: 120, created_at: daysAgo(100) });
    expect(byKey.get('order:o2:earn')).toMatchObject({ state: 'pending', available_at: new Date(daysAgo(10).getTime() + 30 * DAY) });
    expect(byKey.get('order:o3:refund:r1')).toMatchObject({ points: -59, created_at: daysAgo(50), reason: '32.8 % of the order refunded: 59 points taken back (59 from the order\'s award, 0 from other points)' });
    expect(byKey.get('order:o4:earn')).toMatchObject({ state: 'void' });
    expect(byKey.get('order:o5:earn')).toMatchObject({ state: 'pending', available_at: null });
    expect(byKey.has('order:o6:earn')).toBe(false);
  });

  it('changes nothing when run again or when the orders\' events are handled again, and the next delivery still releases', async () => {
    const h = await quietStore(rules);
    await h.t.services.loyalty.backfill(h.storeId, {}, new Date(now));
    const before = await ledger(h);
    const again = await h.t.services.loyalty.backfill(h.storeId, {}, new Date(now));
    expect(again).toMatchObject({ orders: 0, points: 0, voided: 0, refunds: 0, tier_changes: 0 });
    expect(await ledger(h)).toEqual(before);

    const events = (await readEvents(h.t.services.storage.read, 0, Number.MAX_SAFE_INTEGER)).filter((e) => e.storeId === h.storeId);
    expect(events.filter((e) => e.type === 'order.placed')).toHaveLength(6);
    await h.t.services.loyalty.handleEvents(events, new Date(now));
    expect(await ledger(h)).toEqual(before);

    const cleo = await h.customerId('cleo');
    await h.write({ fulfillments: [{ external_id: 'f5', order_external_id: 'o5', delivered_at: daysAgo(1) }] });
    expect(await h.t.services.loyalty.balance(h.storeId, cleo, at(30))).toMatchObject({ available: 38, pending: 0 });
    expect(await ledger(h)).toHaveLength(before.length);
  });

  it('leaves out orders placed before `since`, and a later run without it adds them', async () => {
    const h = await quietStore(rules);
    const recent = await h.t.services.loyalty.backfill(h.storeId, { since: daysAgo(50) }, new Date(now));
    expect(recent).toMatchObject({ orders: 2, points: 75 + 38, voided: 1, refunds: 0 });
    expect((await ledger(h)).map((r) => r.key)).toEqual(['order:o2:earn', 'order:o4:earn', 'order:o5:earn']);
    const rest = await h.t.services.loyalty.backfill(h.storeId, {}, new Date(now));
    expect(rest).toMatchObject({ orders: 2, points: 120 + 180, refunds: 2 });
  });

  it('moves customers up to the tier their backfilled points of the last 12 months reach, once', async () => {
    const tiered = { ...rules, tiers: { basis: 'points_earned' as const, levels: [{ name: 'Silver', threshold: 150, multiplier: 2 }] } };
    const old = order('o0', 'ben', 50_000, 400);
    const h = await quietStore(tiered, { ...history, orders: [old, ...history.orders!] });
    const summary = await h.t.services.loyalty.backfill(h.storeId, {}, new Date(now));
    // Ada: 120 + 75 = 195 in 12 months; Ben: 180 − 89 = 91 (his order of 400 days ago does not count); Cleo 38.
    expect(summary.tier_changes).toBe(1);
    expect(await h.t.services.loyalty.balance(h.storeId, await h.customerId('ada'))).toMatchObject({ tier: 'Silver', tier_figure: 195 });
    expect(await h.t.services.loyalty.balance(h.storeId, await h.customerId('ben'))).toMatchObject({ tier: null, tier_figure: 91 });
    // Past orders earn the base rate: Ben's old order is not multiplied.
    expect((await ledger(h)).find((r) => r.key === 'order:o0:earn')).toMatchObject({ points: Math.floor(497 * 1.5) + 5 });
    expect((await h.t.services.loyalty.backfill(h.storeId, {}, new Date(now))).tier_changes).toBe(0);
  });

  it('pays what a customer owed from the backfilled awards', async () => {
    const h = await quietStore({ ...rules, negative_balance: 'allow' });
    const ada = await h.customerId('ada');
    await h.t.services.loyalty.adjust(h.storeId, ada, { points: -50, reason: 'Goodwill taken back', key: 'owed-1', actor: 'user:owner' });
    expect(await h.t.services.loyalty.balance(h.storeId, ada, new Date(now))).toMatchObject({ available: -50, owed: 50 });
    await h.t.services.loyalty.backfill(h.storeId, {}, new Date(now));
    // o1's 120 (spendable) pays the 50 first; o2's 75 is still pending.
    expect(await h.t.services.loyalty.balance(h.storeId, ada, new Date(now))).toMatchObject({ available: 70, pending: 75, owed: 0, ledger: 145 });
    expect((await allocations(h)).filter((a) => a.startsWith('adjust:'))).toEqual(['adjust:owed-1 ← order:o1:earn: 50']);
    expect(await h.t.services.loyalty.check(h.storeId, new Date(now))).toEqual([]);
  });

  it('takes a refund back from its order\'s award even when that award has lapsed since; the expiry writes down the rest', async () => {
    const h = await quietStore({ ...rules, expiry: { mode: 'per_award', months: 12, reminder_days: [] } }, {
      customers: [{ external_id: 'ada', email: 'ada@example.com' }],
      orders: [order('old', 'ada', 10_300, 400)],
      returns: [{ external_id: 'r-old', order_external_id: 'old', returned_at: daysAgo(390), currency: 'EUR', amount: 5000 }],
    });
    const ada = await h.customerId('ada');
    const summary = await h.t.services.loyalty.backfill(h.storeId, {}, new Date(now));
    // 100.00 → floor(100 × 1.5) + 5 = 155; 50.00 of 104.95 refunded → round(155 × 5000 / 10495) = 74.
    expect(summary).toMatchObject({ orders: 1, points: 155, refunds: 1, refunded_points: 74 });
    const rows = await ledger(h);
    expect(rows.find((r) => r.key === 'order:old:refund:r-old')?.reason).toBe('47.6 % of the order refunded: 74 points taken back (74 from the order\'s award, 0 from other points)');
    expect(await h.t.services.loyalty.balance(h.storeId, ada, new Date(now))).toMatchObject({ available: 0, lapsed: 81, ledger: 81 });
    expect(await h.t.services.loyalty.runDaily(h.storeId, new Date(now))).toMatchObject({ expired_entries: 1, expired_points: 81 });
    expect(await h.t.services.loyalty.check(h.storeId, new Date(now))).toEqual([]);
  });

  it('is refused while the programme is off, naming it', async () => {
    const h = await quietStore({ ...rules, enabled: false });
    await expect(h.t.services.loyalty.backfill(h.storeId)).rejects.toMatchObject({ code: 'conflict', details: [{ path: 'enabled' }] });
  });
});
