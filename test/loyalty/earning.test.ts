/**
 * Points from orders through the domain events: pending until the return window after delivery
 * has passed, proportional claw-back on refunds and cancellations, and points already spent
 * turning into a negative balance or a debt, as the store's setting says.
 */
import { afterEach, describe, expect, it } from 'vitest';
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

/** An order of one line, `amount` minor units, with a discount and shipping that must not earn. */
function order(externalId: string, customer: string, amount: number, overrides: Partial<OrderInput> = {}): OrderInput {
  return {
    external_id: externalId, customer_external_id: customer, placed_at: daysAgo(10), currency: 'EUR',
    discount: 500, shipping: 495, lines: [{ product_external_id: 'food', quantity: 1, unit_price: amount }], ...overrides,
  };
}

async function entries(storeId: string, customerId: number) {
  return (await h!.t.services.loyalty.history(storeId, customerId, { limit: 500 })).data;
}

describe('earning from orders', () => {
  it('awards points on the net of discounts, pending until the return window after delivery has passed', async () => {
    h = await loyaltyHarness(settingsWith({ earning: { points_per_currency_unit: 1, points_per_order: 5 }, pending: { days: 30, from: 'delivery' } }));
    await h.write({ customers: [{ external_id: 'ada', email: 'ada@example.com' }], orders: [order('o1', 'ada', 6050)] });
    const ada = await h.customerId('ada');
    // 60.50 − 5.00 discount = 55.50 EUR → 55 points, + 5 per order; shipping is left out.
    const expected = Math.floor((6050 - 500) / 100) + 5;

    let balance = await h.t.services.loyalty.balance(h.storeId, ada, at(365));
    expect(balance).toMatchObject({ available: 0, pending: expected, ledger: expected });

    await h.write({ fulfillments: [{ external_id: 'f1', order_external_id: 'o1', shipped_at: daysAgo(8), delivered_at: daysAgo(5) }] });
    balance = await h.t.services.loyalty.balance(h.storeId, ada, at(24));
    expect(balance).toMatchObject({ available: 0, pending: expected });
    balance = await h.t.services.loyalty.balance(h.storeId, ada, at(25.01));
    expect(balance).toMatchObject({ available: expected, pending: 0 });

    const [earn] = await entries(h.storeId, ada);
    expect(earn).toMatchObject({ kind: 'earn', points: expected, source: 'order', state: 'pending', standing: 'pending' });
    expect(earn!.idempotency_key).toBe(`order:${earn!.order_id}:earn`);
    expect(earn!.available_at?.getTime()).toBe(daysAgo(5).getTime() + 30 * DAY);

    // The same order and delivery written again award nothing more.
    await h.write({ orders: [order('o1', 'ada', 6050, { shipping: 600 })], fulfillments: [{ external_id: 'f1', order_external_id: 'o1', delivered_at: daysAgo(5) }] });
    expect(await entries(h.storeId, ada)).toHaveLength(1);
  });

  it('counts the pending period from payment when the store says so, and includes shipping and tax on request', async () => {
    h = await loyaltyHarness(settingsWith({ earning: { points_per_currency_unit: 2, include_shipping: true, include_tax: true }, pending: { days: 14, from: 'payment' } }));
    await h.write({ customers: [{ external_id: 'bo' }], orders: [order('o1', 'bo', 2000, { tax: 380 })] });
    const bo = await h.customerId('bo');
    const expected = Math.floor(((2000 - 500 + 495 + 380) * 2) / 100);
    expect(await h.t.services.loyalty.balance(h.storeId, bo, daysAgo(10 - 13.9))).toMatchObject({ available: 0, pending: expected });
    expect(await h.t.services.loyalty.balance(h.storeId, bo, daysAgo(10 - 14))).toMatchObject({ available: expected, pending: 0 });
  });

  it('gives no points for guest orders, and a void row for an order that arrives cancelled', async () => {
    h = await loyaltyHarness(settingsWith());
    await h.write({ customers: [{ external_id: 'cy' }], orders: [order('g1', null as unknown as string, 9000), order('c1', 'cy', 9000, { status: 'cancelled' })] });
    const cy = await h.customerId('cy');
    const rows = await entries(h.storeId, cy);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: 'void', standing: 'void' });
    expect(await h.t.services.loyalty.balance(h.storeId, cy)).toMatchObject({ available: 0, pending: 0, ledger: 0 });
    // A void row counts nothing: the customer is not a member yet.
    expect((await h.t.services.loyalty.members(h.storeId)).data).toEqual([]);
  });
});

describe('claw-back', () => {
  const delivered = { fulfillments: [{ external_id: 'f1', order_external_id: 'o1', delivered_at: daysAgo(40) }] };

  it('takes back 30 % of the points for a 30 % refund, and the rest when the order is cancelled', async () => {
    h = await loyaltyHarness(settingsWith({ earning: { points_per_currency_unit: 1, points_per_order: 3 } }));
    await h.write({ customers: [{ external_id: 'di' }], orders: [order('o1', 'di', 10_500, { shipping: 0, placed_at: daysAgo(50) })], ...delivered });
    const di = await h.customerId('di');
    const earned = (await h.t.services.loyalty.balance(h.storeId, di)).available;
    expect(earned).toBe(Math.floor((10_500 - 500) / 100) + 3);
    const total = 10_500 - 500;

    await h.write({ returns: [{ external_id: 'r1', order_external_id: 'o1', returned_at: daysAgo(1), currency: 'EUR', amount: total * 0.3 }] });
    const afterRefund = await h.t.services.loyalty.balance(h.storeId, di);
    const clawed = Math.round(earned * 0.3);
    expect(afterRefund.available).toBe(earned - clawed);
    const refundRow = (await entries(h.storeId, di))[0]!;
    expect(refundRow).toMatchObject({ kind: 'reverse', points: -clawed, source: 'refund' });
    expect(refundRow.idempotency_key).toMatch(/^order:\d+:refund:\d+$/);
    expect(refundRow.reason).toContain('30 %');

    await h.write({ orders: [order('o1', 'di', 10_500, { shipping: 0, placed_at: daysAgo(50), status: 'cancelled' })] });
    expect(await h.t.services.loyalty.balance(h.storeId, di)).toMatchObject({ available: 0, ledger: 0 });
    expect(await h.t.services.loyalty.check(h.storeId)).toEqual([]);
  });

  it('adds partial refunds up to exactly the order\'s points on a full refund', async () => {
    h = await loyaltyHarness(settingsWith({ earning: { points_per_currency_unit: 1, points_per_order: 0 } }));
    await h.write({ customers: [{ external_id: 'ed' }], orders: [order('o1', 'ed', 1_500, { discount: 0, shipping: 0, placed_at: daysAgo(50) })], ...delivered });
    const ed = await h.customerId('ed');
    for (const [i, amount] of [500, 500, 500].entries()) {
      await h.write({ returns: [{ external_id: `r${i}`, order_external_id: 'o1', returned_at: daysAgo(3 - i), currency: 'EUR', amount }] });
    }
    const rows = await entries(h.storeId, ed);
    // 15 points: a third each time rounds to 5, 5, 5 (cumulative rounding: 5, 10, 15).
    expect(rows.filter((r) => r.kind === 'reverse').map((r) => r.points).reduce((a, b) => a + b, 0)).toBe(-15);
    expect(await h.t.services.loyalty.balance(h.storeId, ed)).toMatchObject({ available: 0, ledger: 0 });
  });

  it('records spent points taken back as owed, and takes them from the next award', async () => {
    h = await loyaltyHarness(settingsWith({
      earning: { points_per_currency_unit: 1, points_per_order: 0 }, negative_balance: 'owed',
      rewards: [{ id: 'five-off', name: '5 EUR off', kind: 'amount_off', points: 80, value: 500 }],
    }));
    await h.write({ customers: [{ external_id: 'fi' }], orders: [order('o1', 'fi', 10_500, { shipping: 0, placed_at: daysAgo(50) })], ...delivered });
    const fi = await h.customerId('fi');
    await h.t.services.loyalty.redeem(h.storeId, fi, { reward_id: 'five-off', key: 'k1' });
    expect((await h.t.services.loyalty.balance(h.storeId, fi)).available).toBe(20);

    await h.write({ orders: [order('o1', 'fi', 10_500, { shipping: 0, placed_at: daysAgo(50), status: 'cancelled' })] });
    expect(await h.t.services.loyalty.balance(h.storeId, fi)).toMatchObject({ available: 0, owed: 80, ledger: -80 });
    expect((await entries(h.storeId, fi))[0]!.reason).toContain('80 owed');

    await h.write({ orders: [order('o2', 'fi', 15_500, { shipping: 0, placed_at: daysAgo(45), fulfillments: [{ external_id: 'f2', delivered_at: daysAgo(40) }] })] });
    expect(await h.t.services.loyalty.balance(h.storeId, fi)).toMatchObject({ available: 150 - 80, owed: 0 });
    expect(await h.t.services.loyalty.check(h.storeId)).toEqual([]);
  });

  it('lets the balance go negative when the store allows it', async () => {
    h = await loyaltyHarness(settingsWith({
      earning: { points_per_currency_unit: 1, points_per_order: 0 }, negative_balance: 'allow',
      rewards: [{ id: 'ship', name: 'Free shipping', kind: 'free_shipping', points: 100, value: 0 }],
    }));
    await h.write({ customers: [{ external_id: 'gu' }], orders: [order('o1', 'gu', 10_500, { shipping: 0, placed_at: daysAgo(50) })], ...delivered });
    const gu = await h.customerId('gu');
    await h.t.services.loyalty.redeem(h.storeId, gu, { reward_id: 'ship', key: 'k1' });
    await h.write({ returns: [{ external_id: 'r1', order_external_id: 'o1', returned_at: daysAgo(1), currency: 'EUR', amount: 5_000 }] });
    expect(await h.t.services.loyalty.balance(h.storeId, gu)).toMatchObject({ available: -50, owed: 50 });
  });
});
