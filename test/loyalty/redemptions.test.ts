/**
 * Redemptions over real HTTP: drawn from the points that expire first, idempotent by the
 * Idempotency-Key header, never overdrawn by a hundred at once; cancelled rewards give their points
 * back; adjustments by owners and admins only, with a reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderInput } from '../../src/modules/commerce/commerce.input.js';
import { bearer, errorOf } from '../helpers/app.js';
import { DAY, loyaltyHarness, settingsWith, type LoyaltyHarness } from './harness.js';

let h: LoyaltyHarness;
const now = Date.now();
const daysAgo = (days: number): Date => new Date(now - days * DAY);

function order(externalId: string, customer: string, euros: number, placedDaysAgo: number): OrderInput {
  return {
    external_id: externalId, customer_external_id: customer, placed_at: daysAgo(placedDaysAgo), currency: 'EUR',
    lines: [{ product_external_id: 'toy', quantity: 1, unit_price: euros * 100 }],
    fulfillments: [{ external_id: `${externalId}-f`, delivered_at: daysAgo(placedDaysAgo - 1) }],
  };
}

beforeAll(async () => {
  h = await loyaltyHarness(settingsWith({
    earning: { points_per_currency_unit: 1, points_per_order: 0 },
    pending: { days: 0, from: 'delivery' },
    expiry: { mode: 'per_award', months: 12, reminder_days: [30] },
    rewards: [
      { id: 'five-off', name: '5 EUR off', kind: 'amount_off', points: 50, value: 500 },
      { id: 'ten-pct', name: '10 % off', kind: 'percent_off', points: 30, value: 10 },
    ],
  }));
});
afterAll(async () => h.close());

const redeem = (customer: number | string, reward: string, key?: string) => h.t.app.inject({
  method: 'POST', url: `/api/v1/loyalty/customers/${customer}/redemptions`, payload: { reward_id: reward },
  headers: { ...bearer(h.secretKey), ...(key !== undefined && { 'idempotency-key': key }) },
});
const balance = async (customer: number) => (await h.t.app.inject({ method: 'GET', url: `/api/v1/loyalty/customers/${customer}`, headers: bearer(h.secretKey) })).json();
const history = async (customer: number) => (await h.t.app.inject({ method: 'GET', url: `/api/v1/loyalty/customers/${customer}/history?limit=500`, headers: bearer(h.secretKey) })).json().data as { id: number; kind: string; points: number; remaining: number; order_id: number | null; expires_at: string | null }[];

describe('redemptions', () => {
  it('draws from the award that expires first and issues a unique code', async () => {
    // Older order (expires sooner) 40 points, newer 100 points.
    await h.write({ customers: [{ external_id: 'ana' }], orders: [order('a-new', 'ana', 100, 20), order('a-old', 'ana', 40, 200)] });
    const ana = await h.customerId('ana');
    const answer = await redeem(ana, 'five-off', 'ana-1');
    expect(answer.statusCode).toBe(201);
    const redemption = answer.json();
    expect(redemption).toMatchObject({ points: 50, status: 'issued', balance_after: 90, reward: { id: 'five-off', kind: 'amount_off', value: 500 } });
    expect(redemption.code).toMatch(/^HRT-[A-Z2-9]{10}$/);

    const rows = await history(ana);
    const awards = rows.filter((r) => r.kind === 'earn').sort((a, b) => Date.parse(a.expires_at!) - Date.parse(b.expires_at!));
    // The 40 points expiring first are used up, the other 10 come from the next award.
    expect(awards.map((a) => [a.points, a.remaining])).toEqual([[40, 0], [100, 90]]);
    expect((await balance(ana)).available).toBe(90);
  });

  it('answers a retry with the same key with the first answer and writes nothing more', async () => {
    const ana = await h.customerId('ana');
    const before = (await history(ana)).length;
    const first = (await h.t.app.inject({ method: 'GET', url: `/api/v1/loyalty/customers/${ana}/redemptions`, headers: bearer(h.secretKey) })).json().data[0];
    const retry = await redeem(ana, 'five-off', 'ana-1');
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual(first);
    expect(await history(ana)).toHaveLength(before);
    const misuse = await redeem(ana, 'ten-pct', 'ana-1');
    expect(misuse.statusCode).toBe(409);
    expect(errorOf(misuse).details[0]!.path).toBe('headers.idempotency-key');
  });

  it('refuses a redemption without a key, for an unknown reward, or beyond the balance, naming the field', async () => {
    const ana = await h.customerId('ana');
    const noKey = await redeem(ana, 'five-off');
    expect(noKey.statusCode).toBe(422);
    expect(errorOf(noKey).details[0]!.path).toBe('headers.idempotency-key');
    const unknown = await redeem(ana, 'free-car', 'ana-x');
    expect(unknown.statusCode).toBe(422);
    expect(errorOf(unknown).details[0]!.path).toBe('reward_id');
    await redeem(ana, 'five-off', 'ana-2');
    const tooMuch = await redeem(ana, 'five-off', 'ana-3');
    expect(tooMuch.statusCode).toBe(409);
    expect(errorOf(tooMuch).message).toContain('40 available');
  });

  it('never overdraws a balance under 100 concurrent redemptions', async () => {
    await h.write({ customers: [{ external_id: 'bea' }], orders: [order('b1', 'bea', 305, 30)] });
    const bea = await h.customerId('bea');
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => redeem(bea, i % 2 ? 'five-off' : 'ten-pct', `bea-${i}`)));
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const spent = answers.filter((a) => a.statusCode === 201).reduce((sum, a) => sum + (a.json().points as number), 0);
    const after = await balance(bea);
    expect(spent).toBeLessThanOrEqual(305);
    expect(after.available).toBe(305 - spent);
    expect(after.available).toBeGreaterThanOrEqual(0);
    // What is left cannot buy the cheapest reward any more.
    expect(after.available).toBeLessThan(30);
    expect(await h.t.services.loyalty.check(h.storeId)).toEqual([]);
  });

  it('answers many customers redeeming at once, retries included, each as if alone', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `crowd-${i}`);
    await h.write({ customers: names.map((external_id) => ({ external_id })), orders: names.map((n, i) => order(`${n}-o`, n, i % 3 === 0 ? 20 : 80, 30)) });
    const ids = await Promise.all(names.map((n) => h.customerId(n)));
    // Each customer redeems twice, one of them retried at once: all sent together, so they are
    // written in shared groups. Every third customer has 20 points: not enough for either.
    const sent = ids.flatMap((id, i) => [
      { id, key: `crowd-${i}`, reward: 'five-off' }, { id, key: `crowd-${i}`, reward: 'five-off' }, { id, key: `crowd-${i}-b`, reward: 'ten-pct' },
    ]);
    const answers = await Promise.all(sent.map((r) => redeem(r.id, r.reward, r.key)));
    for (const [i, id] of ids.entries()) {
      const [first, retry, other] = answers.slice(3 * i, 3 * i + 3);
      if (i % 3 === 0) {
        expect([first!.statusCode, retry!.statusCode, other!.statusCode]).toEqual([409, 409, 409]);
        expect(errorOf(first!).message).toContain('20 available');
        expect((await balance(id)).available).toBe(20);
        continue;
      }
      // 80 points buy both rewards (50 + 30); the retry gets the first answer back.
      expect([first!.statusCode, retry!.statusCode].sort()).toEqual([200, 201]);
      expect(retry!.json().code).toBe(first!.json().code);
      expect(other!.statusCode).toBe(201);
      expect((await history(id)).filter((r) => r.kind === 'redeem')).toHaveLength(2);
      expect((await balance(id)).available).toBe(0);
    }
    // A key another customer used is refused, however many arrive together.
    const able = ids.filter((_, i) => i % 3 !== 0);
    const stolen = await Promise.all(able.map((id, k) => redeem(id, 'five-off', `crowd-${ids.indexOf(able[(k + 1) % able.length]!)}`)));
    expect(stolen.map((a) => a.statusCode)).toEqual(able.map(() => 409));
    expect(errorOf(stolen[0]!).message).toContain('another redemption');
    // A new key sent by two customers at once: the first written wins, the other is refused.
    await h.write({ orders: [order('crowd-1-more', 'crowd-1', 50, 30), order('crowd-2-more', 'crowd-2', 50, 30)] });
    const both = await Promise.all([redeem(ids[1]!, 'five-off', 'shared-key'), redeem(ids[2]!, 'five-off', 'shared-key')]);
    expect(both.map((a) => a.statusCode).sort()).toEqual([201, 409]);
    expect(errorOf(both.find((a) => a.statusCode === 409)!).message).toContain('another redemption');
    expect(await h.t.services.loyalty.check(h.storeId)).toEqual([]);
  });

  it('gives a cancelled reward\'s points back to the awards they came from, once', async () => {
    await h.write({ customers: [{ external_id: 'cal' }], orders: [order('c1', 'cal', 60, 30)] });
    const cal = await h.customerId('cal');
    const redemption = (await redeem(cal, 'five-off', 'cal-1')).json();
    expect((await balance(cal)).available).toBe(10);
    const cancel = () => h.t.app.inject({ method: 'POST', url: `/api/v1/loyalty/redemptions/${redemption.id}/cancel`, headers: bearer(h.secretKey) });
    const first = await cancel();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ status: 'cancelled', returned_points: 50 });
    expect((await cancel()).json()).toMatchObject({ status: 'cancelled', returned_points: 50 });
    expect((await balance(cal)).available).toBe(60);
    expect((await history(cal)).filter((r) => r.kind === 'reverse')).toHaveLength(1);
  });

  it('refuses to cancel a reward whose code was used on an order', async () => {
    const cal = await h.customerId('cal');
    const redemption = (await redeem(cal, 'five-off', 'cal-2')).json();
    await h.write({ orders: [{ ...order('c2', 'cal', 20, 1), discount_codes: [redemption.code] }] });
    const cancel = await h.t.app.inject({ method: 'POST', url: `/api/v1/loyalty/redemptions/${redemption.id}/cancel`, headers: bearer(h.secretKey) });
    expect(cancel.statusCode).toBe(409);
    const list = (await h.t.app.inject({ method: 'GET', url: `/api/v1/loyalty/customers/${cal}/redemptions`, headers: bearer(h.secretKey) })).json().data;
    expect(list.find((r: { id: string }) => r.id === redemption.id).status).toBe('used');
  });

  it('voids a reward whose order was refunded in full, giving its points back once; a partial refund keeps it used', async () => {
    await h.write({ customers: [{ external_id: 'val' }], orders: [order('v1', 'val', 100, 30)] });
    const val = await h.customerId('val');
    const redemption = (await redeem(val, 'five-off', 'val-1')).json();
    await h.write({ orders: [{ ...order('v2', 'val', 30, 2), discount_codes: [redemption.code.toLowerCase()] }] });
    const view = async () => (await h.t.app.inject({ method: 'GET', url: `/api/v1/loyalty/customers/${val}/redemptions`, headers: bearer(h.secretKey) })).json().data
      .find((r: { id: string }) => r.id === redemption.id) as { status: string; returned_points: number; cancelled_at: string | null };
    expect((await view()).status).toBe('used');
    // 100 earned, 50 spent, 30 earned on the order that used the code.
    expect((await balance(val)).available).toBe(80);

    const refund = (id: string, euros: number) => ({ external_id: id, order_external_id: 'v2', returned_at: new Date(), currency: 'EUR', amount: euros * 100 });
    await h.write({ returns: [refund('v2-r1', 10)] });
    expect((await view()).status).toBe('used');
    await h.write({ returns: [refund('v2-r2', 20)] });
    expect(await view()).toMatchObject({ status: 'void', returned_points: 50 });
    expect((await view()).cancelled_at).not.toBeNull();
    // The order's own 30 points are taken back; the reward's 50 come back.
    expect((await balance(val)).available).toBe(100);
    const reversals = (await history(val)).filter((r) => r.kind === 'reverse' && r.points > 0);
    expect(reversals).toHaveLength(1);
    // The same refund delivered again, and a cancel asked for: nothing more.
    await h.write({ returns: [refund('v2-r2', 20)] });
    const cancel = await h.t.app.inject({ method: 'POST', url: `/api/v1/loyalty/redemptions/${redemption.id}/cancel`, headers: bearer(h.secretKey) });
    expect(cancel.json()).toMatchObject({ status: 'void', returned_points: 50 });
    expect((await balance(val)).available).toBe(100);
    expect(await h.t.services.loyalty.check(h.storeId)).toEqual([]);
  });

  it('keeps a reward used while another order with its code stands, and voids it when a cancelled order was its only one', async () => {
    await h.write({ customers: [{ external_id: 'wes' }], orders: [order('w1', 'wes', 200, 30)] });
    const wes = await h.customerId('wes');
    const shared = (await redeem(wes, 'five-off', 'wes-1')).json();
    const alone = (await redeem(wes, 'ten-pct', 'wes-2')).json();
    await h.write({ orders: [
      { ...order('w2', 'wes', 20, 3), discount_codes: [shared.code] },
      { ...order('w3', 'wes', 20, 2), discount_codes: [shared.code] },
      { ...order('w4', 'wes', 20, 1), discount_codes: [alone.code] },
    ] });
    await h.write({ returns: [{ external_id: 'w2-r', order_external_id: 'w2', returned_at: new Date(), currency: 'EUR', amount: 2000 }] });
    await h.write({ orders: [{ ...order('w4', 'wes', 20, 1), discount_codes: [alone.code], status: 'cancelled' }] });
    const list = (await h.t.app.inject({ method: 'GET', url: `/api/v1/loyalty/customers/${wes}/redemptions`, headers: bearer(h.secretKey) })).json().data as { id: string; status: string; returned_points: number }[];
    expect(list.find((r) => r.id === shared.id)?.status).toBe('used');
    expect(list.find((r) => r.id === alone.id)).toMatchObject({ status: 'void', returned_points: 30 });
    expect(await h.t.services.loyalty.check(h.storeId)).toEqual([]);
  });
});

describe('adjustments', () => {
  const adjust = (customer: number | string, body: unknown, headers: Record<string, string>) =>
    h.t.app.inject({ method: 'POST', url: `/api/v1/loyalty/customers/${customer}/adjustments`, payload: body as object, headers });

  it('records who added or took points and why; a retry is answered with the first row', async () => {
    await h.write({ customers: [{ external_id: 'dan' }] });
    const dan = await h.customerId('dan');
    const added = await adjust('ext:dan', { points: 25, reason: 'Parcel arrived late' }, { ...bearer(h.secretKey), 'idempotency-key': 'adj-1' });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ kind: 'adjust', points: 25, source: 'admin', reason: 'Parcel arrived late', standing: 'available' });
    expect(added.json().actor).toMatch(/^key:/);
    const retry = await adjust(dan, { points: 25, reason: 'Parcel arrived late' }, { ...bearer(h.secretKey), 'idempotency-key': 'adj-1' });
    expect(retry.statusCode).toBe(200);
    expect(retry.json().id).toBe(added.json().id);
    expect((await balance(dan)).available).toBe(25);

    const tooMuch = await adjust(dan, { points: -30, reason: 'Correction' }, { ...bearer(h.secretKey), 'idempotency-key': 'adj-2' });
    expect(tooMuch.statusCode).toBe(409);
    expect(errorOf(tooMuch).details[0]!.path).toBe('points');
    const taken = await adjust(dan, { points: -20, reason: 'Correction' }, { ...bearer(h.secretKey), 'idempotency-key': 'adj-3' });
    expect(taken.statusCode).toBe(201);
    expect((await balance(dan)).available).toBe(5);
  });

  it('requires a reason, and an owner or admin', async () => {
    const noReason = await adjust('ext:dan', { points: 5, reason: ' ' }, { ...bearer(h.secretKey), 'idempotency-key': 'adj-4' });
    expect(noReason.statusCode).toBe(422);
    expect(errorOf(noReason).details[0]!.path).toBe('reason');
    await h.t.services.accounts.addUser(h.storeId, { email: 'analyst@example.com', password: 'correct horse battery', role: 'analyst' });
    const session = await h.t.signIn('analyst@example.com', 'correct horse battery');
    const refused = await adjust('ext:dan', { points: 5, reason: 'Nice' }, { cookie: session.cookie, 'x-csrf-token': session.csrf, 'idempotency-key': 'adj-5' });
    expect(refused.statusCode).toBe(403);
    expect(errorOf(refused).message).not.toContain('CSRF');
  });
});
