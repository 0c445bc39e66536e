/**
 * Balances served from memory (balance.cache.ts): every kind of ledger write drops what is kept of
 * the customers it touched, so a read right after it equals the balance computed from the rows
 * (`ledgerBalance`), for any time; a load that overlaps a change keeps nothing; a ledger write in
 * a transaction the module did not open as tracked is refused rather than left unseen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BalanceView } from '../../src/modules/loyalty/index.js';
import { BalanceCache, type MemberBalance } from '../../src/modules/loyalty/balance.cache.js';
import { appendEntry } from '../../src/modules/loyalty/ledger.repository.js';
import { loyaltyDb } from '../../src/modules/loyalty/loyalty.table.js';
import { DAY, loyaltyHarness, settingsWith, type LoyaltyHarness } from './harness.js';

const settings = settingsWith({
  earning: { points_per_currency_unit: 1, points_per_order: 5 },
  pending: { days: 3, from: 'delivery' },
  expiry: { mode: 'per_award', months: 1, reminder_days: [] },
  tiers: { basis: 'points_earned', levels: [{ name: 'Silver', threshold: 100, multiplier: 1 }, { name: 'Gold', threshold: 100_000, multiplier: 1 }] },
  rewards: [{ id: 'small', name: 'Small', kind: 'amount_off', points: 10, value: 100 }],
});

let h: LoyaltyHarness;
let ada: number;
const start = Date.now();
/** Reads are made at times after the writes' own, so pending points have become spendable. */
const later = (days: number) => new Date(start + days * DAY);

beforeAll(async () => {
  h = await loyaltyHarness(settings);
  await h.write({ customers: [{ external_id: 'ada', email: 'ada@example.com' }, { external_id: 'ben', email: 'ben@example.com' }] });
  ada = await h.customerId('ada');
  await h.t.services.loyalty.warmBalances(h.storeId);
}, 60_000);
afterAll(async () => h?.close());

/**
 * Reads Ada's balance (so it is kept), runs the write, and expects the next read to equal the
 * ledger's and to differ from the first: a write that forgot to drop her balance fails here.
 */
async function afterWrite(label: string, write: () => Promise<unknown>, at: Date, customerId = ada): Promise<BalanceView> {
  const loyalty = h.t.services.loyalty;
  const before = await loyalty.balance(h.storeId, customerId, at);
  expect(before, `${label}: kept before`).toEqual(await loyalty.ledgerBalance(h.storeId, customerId, at));
  await write();
  const after = await loyalty.balance(h.storeId, customerId, at);
  expect(after, `${label}: kept after`).toEqual(await loyalty.ledgerBalance(h.storeId, customerId, at));
  expect(after, `${label}: the write changed the balance`).not.toEqual(before);
  return after;
}

const orderOf = (id: string, total: number, placed: Date, extra: object = {}) => ({
  external_id: id, customer_external_id: 'ada', placed_at: placed, currency: 'EUR', lines: [{ product_external_id: 'p', quantity: 1, unit_price: total }], ...extra,
});

describe('every ledger write drops the kept balance', () => {
  it('earning, delivery, refund, cancellation, redemption and its cancellation, adjustments, import, expiry, backfill', async () => {
    const loyalty = h.t.services.loyalty;
    const placed = new Date(start);
    // An order's award (pending until delivery) and the tier it reaches.
    const earned = await afterWrite('order placed', () => h.write({ orders: [orderOf('o1', 15_000, placed)] }), later(5));
    expect(earned).toMatchObject({ pending: 155, available: 0, tier: 'Silver', tier_figure: 155 });
    // Delivery writes a release row: the award becomes spendable three days on.
    expect(await afterWrite('delivered', () => h.write({ fulfillments: [{ external_id: 'f1', order_external_id: 'o1', delivered_at: placed }] }), later(5)))
      .toMatchObject({ available: 155, pending: 0 });
    await afterWrite('refund', () => h.write({ returns: [{ external_id: 'r1', order_external_id: 'o1', returned_at: placed, currency: 'EUR', amount: 5000 }] }), later(5));
    let redemptionId = '';
    await afterWrite('redeemed', async () => { redemptionId = (await loyalty.redeem(h.storeId, ada, { reward_id: 'small', key: 'r1' }, later(5))).redemption.id; }, later(5));
    await afterWrite('redemption cancelled', () => loyalty.cancelRedemption(h.storeId, redemptionId, later(5)), later(5));
    await afterWrite('points added', () => loyalty.adjust(h.storeId, ada, { points: 30, reason: 'test', key: 'a1', actor: 'test' }, later(5)), later(5));
    await afterWrite('points taken', () => loyalty.adjust(h.storeId, ada, { points: -20, reason: 'test', key: 'a2', actor: 'test' }, later(5)), later(5));
    await afterWrite('order cancelled', () => h.write({ orders: [orderOf('o2', 4000, placed)] }), later(5));
    await afterWrite('second order cancelled', () => h.write({ orders: [orderOf('o2', 4000, placed, { status: 'cancelled' })] }), later(5));
    // A tier set by an import, with no ledger row: the tier is kept too.
    await afterWrite('imported', () => loyalty.importExport(h.storeId, 'smile', 'id,first_name,last_name,email,state,date_of_birth,points_balance,referral_url,vip_tier,created_at\n1,Ada,Lovelace,ada@example.com,member,,40,,Gold,2024-01-01T00:00:00Z\n', { dryRun: false, actor: 'test' }, later(5)), later(5));
    expect((await loyalty.balance(h.storeId, ada, later(5))).tier).toBe('Gold');
    // The daily run writes lapsed points down (their value does not move: lapsed → gone from the ledger).
    const expired = await afterWrite('expired', () => loyalty.runDaily(h.storeId, later(60)), later(60));
    expect(expired.lapsed).toBe(0);
  }, 120_000);

  it('a backfill drops the whole store', async () => {
    const loyalty = h.t.services.loyalty;
    const ben = await h.customerId('ben');
    await loyalty.saveSettings(h.storeId, { ...settings, enabled: false }, 'test');
    await h.write({ orders: [{ ...orderOf('b1', 9000, new Date(start)), customer_external_id: 'ben' }] });
    await loyalty.saveSettings(h.storeId, settings, 'test');
    const after = await afterWrite('backfill', () => loyalty.backfill(h.storeId, {}, later(5)), later(5), ben);
    expect(after.pending + after.available).toBe(95);
  }, 60_000);
});

describe('a read that races a write', () => {
  const member = (ledger: number): MemberBalance => ({ open: [ledger, 0, Number.NaN], owed: 0, ledger, earned: [], tier: { tier: null, since: null } });
  const change = (cache: BalanceCache, customerId: number) => cache.ended({ customers: new Map([['s', new Set([customerId])]]), stores: new Set() });

  it('keeps nothing a load read before a change that ended during it', async () => {
    const cache = new BalanceCache();
    let finish!: (m: MemberBalance) => void;
    const first = cache.member('s', 1, () => new Promise((resolve) => { finish = resolve; }));
    change(cache, 1);
    finish(member(10));
    expect((await first).ledger).toBe(10);
    // Loaded again: what the first load read was not kept.
    expect((await cache.member('s', 1, async () => member(20))).ledger).toBe(20);
    // Now kept, until the next change.
    expect((await cache.member('s', 1, async () => member(30))).ledger).toBe(20);
    change(cache, 1);
    expect((await cache.member('s', 1, async () => member(40))).ledger).toBe(40);
  });

  it('a store load keeps the others but not the customer changed while it ran', async () => {
    const cache = new BalanceCache();
    let finish!: (m: Map<number, MemberBalance>) => void;
    const warming = cache.warm('s', () => new Promise((resolve) => { finish = (members) => resolve({ members }); }));
    change(cache, 2);
    finish(new Map([[1, member(10)], [2, member(20)]]));
    await warming;
    expect((await cache.member('s', 1, async () => member(11))).ledger).toBe(10);
    expect((await cache.member('s', 2, async () => member(21))).ledger).toBe(21);
    // Loaded whole: a customer it did not list has no rows.
    expect((await cache.member('s', 3, async () => member(31))).ledger).toBe(0);
  });
});

describe('a ledger write outside a tracked transaction', () => {
  it('is refused', async () => {
    const write = loyaltyDb(h.t.services.storage.write);
    await expect(write.transaction().execute((tx) => appendEntry(tx, {
      storeId: h.storeId, customerId: ada, kind: 'adjust', points: 1, state: 'available', source: 'admin', key: 'untracked', at: new Date(),
    }))).rejects.toThrow(/outside a tracked transaction/);
    expect((await h.t.services.loyalty.history(h.storeId, ada, { limit: 500 })).data.some((e) => e.idempotency_key === 'untracked')).toBe(false);
  });
});

describe('GET /api/v1/loyalty/customers/:id', () => {
  const get = (id: string | number) => h.t.app.inject({ method: 'GET', url: `/api/v1/loyalty/customers/${id}`, headers: { authorization: `Bearer ${h.secretKey}` } });

  it('answers a member from memory, a customer without points with zeros, and 404 for anyone else', async () => {
    await h.t.services.loyalty.warmBalances(h.storeId);
    expect(h.t.services.loyalty.memberId(h.storeId, String(ada))).toBe(ada);
    const res = await get(ada);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(JSON.parse(JSON.stringify(await h.t.services.loyalty.ledgerBalance(h.storeId, ada, new Date()))));
    await h.write({ customers: [{ external_id: 'cy' }] });
    const cy = await h.customerId('cy');
    expect(h.t.services.loyalty.memberId(h.storeId, String(cy))).toBeUndefined();
    expect((await get(cy)).json()).toMatchObject({ customer_id: cy, available: 0, pending: 0, ledger: 0, tier: null });
    expect((await get(999_999_999)).statusCode).toBe(404);
    // Another store's member is not this store's customer.
    const other = await h.t.newStore('Other Pets');
    await h.t.services.loyalty.saveSettings(other.storeId, settings, 'test');
    await h.t.services.commerce.write(other.storeId, { customers: [{ external_id: 'zed' }] });
    const zed = (await h.t.services.customers.get(other.storeId, 'ext:zed')).id;
    await h.t.services.loyalty.adjust(other.storeId, zed, { points: 5, reason: 'test', key: 'z1', actor: 'test' });
    await h.t.services.loyalty.balance(other.storeId, zed);
    expect(h.t.services.loyalty.memberId(other.storeId, String(zed))).toBe(zed);
    expect((await get(zed)).statusCode).toBe(404);
  });
});
