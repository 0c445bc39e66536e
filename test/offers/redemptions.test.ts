/**
 * Redemptions matched from orders and an offer's results: codes matched case-insensitively, a code
 * used twice counted once, cancelled and fully refunded orders not counted, refunds taken off the
 * revenue; and the offer measured against its holdout by the experiments module.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../../src/modules/domain-events/index.js';
import { bearer } from '../helpers/app.js';
import { anOrder, DAY, offersHarness, type OffersHarness } from './harness.js';

let h: OffersHarness;

beforeAll(async () => {
  h = await offersHarness();
});
afterAll(async () => h.close());

describe('redemptions', () => {
  it('marks issued codes redeemed by the orders that carry them, once, and leaves cancelled and refunded orders out', async () => {
    const ids = await h.customers(6, 'r');
    const offer = await h.createOffer({ holdout_share: 0, pool_size: 10 });
    const codes: string[] = [];
    for (const [i, id] of ids.entries()) codes.push((await h.t.services.offers.issue(h.storeId, offer.id, id, `send-${i}`)).issue.code!);
    await h.write({
      orders: [
        // r1 uses their code in lower case, then again on a second order: counted once, the first.
        anOrder('o1', 'r1', { euros: 60, discount: 1000, codes: [codes[0]!.toLowerCase()], at: new Date(Date.now() - 2 * DAY) }),
        anOrder('o1b', 'r1', { euros: 80, discount: 1000, codes: [codes[0]!], at: new Date(Date.now() - DAY) }),
        // r2's order is cancelled; r3's is refunded in full; r4's in part (20 of 40 EUR).
        anOrder('o2', 'r2', { euros: 30, discount: 1000, codes: [codes[1]!], status: 'cancelled' }),
        anOrder('o3', 'r3', { euros: 40, discount: 1000, codes: [codes[2]!] }),
        anOrder('o4', 'r4', { euros: 40, discount: 1000, codes: [codes[3]!] }),
        // r5 passes their code to r6, who uses it with a code of another shop.
        anOrder('o5', 'r6', { euros: 100, discount: 1000, codes: [codes[4]!, 'SUMMER'] }),
        // A code this store never issued.
        anOrder('o6', 'r6', { euros: 20, discount: 500, codes: ['WB-ZZZZ-ZZZZ'] }),
      ],
    });
    await h.write({
      returns: [
        { external_id: 'ret-3', order_external_id: 'o3', returned_at: new Date(), currency: 'EUR', amount: 3000 },
        { external_id: 'ret-4', order_external_id: 'o4', returned_at: new Date(), currency: 'EUR', amount: 2000 },
      ],
    });
    const orders = await h.t.services.orders.list(h.storeId, { limit: 50 });
    const order = (external: string) => orders.data.find((o) => o.external_id === external)!;
    expect(order('o3').status).toBe('refunded');

    const listed = (await h.t.app.inject({ method: 'GET', url: `/api/v1/offers/${offer.id}/codes?limit=10`, headers: bearer(h.secretKey) })).json().data as { code: string; status: string; order_id: number | null; customer_id: number | null }[];
    const byCode = new Map(listed.map((c) => [c.code, c]));
    expect(byCode.get(codes[0]!)).toMatchObject({ status: 'redeemed', order_id: order('o1').id, customer_id: ids[0] });
    expect(byCode.get(codes[1]!)).toMatchObject({ status: 'issued', order_id: null });
    expect(byCode.get(codes[2]!)).toMatchObject({ status: 'issued', order_id: null });
    expect(byCode.get(codes[3]!)).toMatchObject({ status: 'redeemed', order_id: order('o4').id });
    expect(byCode.get(codes[4]!)).toMatchObject({ status: 'redeemed', order_id: order('o5').id, customer_id: ids[4] });
    expect(byCode.get(codes[5]!)).toMatchObject({ status: 'issued' });
    expect(listed.filter((c) => c.status === 'available')).toHaveLength(4);

    const results = await h.t.services.offers.results(h.storeId, offer.id);
    // Counted: o1 (60 − 10 = 50 EUR paid), o4 (30 paid, 20 refunded: 10), o5 (90 paid, discount split with SUMMER: 5).
    expect(results).toMatchObject({ issued: 6, redeemed: 3, redemption_rate: 0.5, revenue: 5000 + 1000 + 9000, discount_cost: 1000 + 1000 + 500 });

    // A later order with the code of the cancelled one counts: the code was not used before.
    await h.write({ orders: [anOrder('o7', 'r2', { euros: 30, discount: 1000, codes: [codes[1]!] })] });
    expect((await h.t.services.offers.results(h.storeId, offer.id)).redeemed).toBe(4);
    // A redelivered event changes nothing.
    await h.t.services.offers.handleEvents(await readEvents(h.t.services.storage.read, 0, Number.MAX_SAFE_INTEGER, ['order.placed', 'order.updated']));
    expect((await h.t.services.offers.results(h.storeId, offer.id)).redeemed).toBe(4);
  });
});

describe('results against the holdout', () => {
  it('counts a code only on an order whose subtotal reaches the offer\'s minimum spend', async () => {
    const ids = await h.customers(2, 'm');
    const offer = await h.createOffer({ holdout_share: 0, pool_size: 4, minimum_spend: 5_000 });
    const [short, enough] = await Promise.all(ids.map(async (id, i) => (await h.t.services.offers.issue(h.storeId, offer.id, id, `min-${i}`)).issue.code!));
    await h.write({
      orders: [
        // m1 spends 40 EUR, under the 50 EUR minimum, then 50 EUR exactly: the second order counts.
        anOrder('mo1', 'm1', { euros: 40, discount: 1000, codes: [short!], at: new Date(Date.now() - 2 * DAY) }),
        anOrder('mo1b', 'm1', { euros: 50, discount: 1000, codes: [short!], at: new Date(Date.now() - DAY) }),
        // m2 spends 49.99 EUR: not counted.
        anOrder('mo2', 'm2', { euros: 49.99, discount: 1000, codes: [enough!] }),
      ],
    });
    const orders = await h.t.services.orders.list(h.storeId, { limit: 100 });
    const listed = (await h.t.app.inject({ method: 'GET', url: `/api/v1/offers/${offer.id}/codes?limit=10`, headers: bearer(h.secretKey) })).json().data as { code: string; status: string; order_id: number | null }[];
    expect(listed.find((c) => c.code === short)).toMatchObject({ status: 'redeemed', order_id: orders.data.find((o) => o.external_id === 'mo1b')!.id });
    expect(listed.find((c) => c.code === enough)).toMatchObject({ status: 'issued', order_id: null });
    expect((await h.t.services.offers.results(h.storeId, offer.id)).redeemed).toBe(1);
  });

  it('registers the offer as an experiment and measures incremental orders, revenue and margin', async () => {
    const ids = await h.customers(40, 'x');
    const offer = await h.createOffer({ holdout_share: 0.5, pool_size: 100 });
    const eligibleAt = new Date(Date.now() - 40 * DAY);
    const answers = [];
    for (const [i, id] of ids.entries()) answers.push((await h.t.services.offers.issue(h.storeId, offer.id, id, `exp-${i}`, eligibleAt)).issue);
    const offered = answers.filter((a) => a.outcome === 'issued');
    const heldOut = answers.filter((a) => a.outcome === 'holdout');
    expect(offered.length).toBeGreaterThan(10);
    expect(heldOut.length).toBeGreaterThan(10);
    // Every offered customer buys 50 EUR with 10 off five days after the send; one held-out customer in four buys 50 EUR.
    const external = (customerId: number) => `x${ids.indexOf(customerId) + 1}`;
    await h.write({
      orders: [
        ...offered.map((a) => anOrder(`e-${a.customer_id}`, external(a.customer_id), { euros: 50, discount: 1000, codes: [a.code!], at: new Date(eligibleAt.getTime() + 5 * DAY) })),
        ...heldOut.filter((_, i) => i % 4 === 0).map((a) => anOrder(`e-${a.customer_id}`, external(a.customer_id), { euros: 50, at: new Date(eligibleAt.getTime() + 5 * DAY) })),
      ],
    });
    const results = await h.t.services.offers.results(h.storeId, offer.id);
    expect(results).toMatchObject({ issued: offered.length, held_out: heldOut.length, redeemed: offered.length, redemption_rate: 1, discount_cost: offered.length * 1000 });
    expect(results.experiment_id).toMatch(/^exp_/);
    const experiments = await h.t.services.experiments.list(h.storeId, { kind: 'offer' });
    expect(experiments.find((e) => e.source_id === offer.id)).toMatchObject({ id: results.experiment_id, eligible: 40, control_arm: 'holdout' });

    const window = results.incremental.find((w) => w.days === 30)!;
    expect(window).toMatchObject({ people: offered.length, control_people: heldOut.length, discount_cost: offered.length * 1000 });
    // Offered: 1 order of 40 EUR paid each; holdout: a quarter of an order of 50 EUR each.
    const holdoutBuyers = heldOut.filter((_, i) => i % 4 === 0).length;
    const perPersonOrders = 1 - holdoutBuyers / heldOut.length;
    const perPersonPaid = 4000 - (holdoutBuyers * 5000) / heldOut.length;
    expect(window.orders.value).toBeCloseTo(perPersonOrders * offered.length, 6);
    expect(window.margin.value).toBe(Math.round(perPersonPaid * offered.length));
    expect(window.revenue.value).toBe(Math.round(perPersonPaid * offered.length + offered.length * 1000));
    expect(window.margin.low).toBeLessThan(window.margin.value);
    expect(window.margin.high).toBeGreaterThan(window.margin.value);
    expect(window.revenue.high - window.revenue.low).toBe(window.margin.high - window.margin.low);
    // Everyone offered bought, a quarter of the holdout did: the interval of the orders it brought is above zero.
    expect(window.orders.low).toBeGreaterThan(0);
    // The 90-day window has not elapsed for anyone yet.
    expect(results.incremental.find((w) => w.days === 90)).toMatchObject({ people: 0 });
  });
});
