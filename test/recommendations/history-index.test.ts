/**
 * Recommendations are served from every customer's history held in memory (the history index):
 * the index lists exactly the orders and products the models count, computed here from the
 * planted orders; served lists equal those served from the database; a customer who orders after
 * the index was read is served their new order; the next fit reads the index again. A campaign's
 * slice of recipients is served at once with the same lists, in a few queries rather than some per
 * recipient.
 */
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/db/database.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { OrderInput } from '../../src/modules/commerce/commerce.input.js';
import { Dispatcher } from '../../src/modules/domain-events/index.js';
import { readHistoryIndex } from '../../src/modules/recommendations/history-index.js';
import { RecommendationsService, recommendationsSubscriber } from '../../src/modules/recommendations/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const DAY = 86_400_000;
const products = ['mug', 'tea', 'cushion', 'candle', 'board', 'kettle', 'spoon', 'towel', 'soap'];

/** A small deterministic generator, so the store is the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

let t: TestApp;
let storeId: string;
let secretKey: string;
let dispatcher: Dispatcher;
const planted: OrderInput[] = [];
type OrderLine = OrderInput['lines'][number];
const customerId = new Map<string, number>();
const productId = new Map<string, number>();
const now = Date.now();

beforeAll(async () => {
  t = await createTestApp();
  const store = await t.newStore('Index', { currency: 'USD' });
  storeId = store.storeId;
  secretKey = store.secretKey;
  dispatcher = new Dispatcher(t.services.storage, silentLogger, { pollMs: 20 }).subscribe({ ...recommendationsSubscriber(t.services.recommendations), from: 'start' });
  await dispatcher.start();
  const next = random(7);
  const customers = Array.from({ length: 60 }, (_, i) => `c${i + 1}`);
  for (const customer of customers) {
    const orders = Math.floor(next() * 5);
    for (let o = 0; o < orders; o += 1) {
      const lines = Array.from({ length: 1 + Math.floor(next() * 3) }, () => products[Math.floor(next() * products.length)]!);
      // Every kind of order the models leave out or fold: cancelled, a line with no product, the
      // same product twice in one order; one order in the future.
      const status = next() < 0.1 ? 'cancelled' as const : 'paid' as const;
      planted.push({
        external_id: `${customer}-o${o}`, customer_external_id: customer, status, currency: 'USD',
        placed_at: new Date(now - (400 - o * 60 - Math.floor(next() * 50)) * DAY + (customer === 'c3' && o === 0 ? 800 * DAY : 0)),
        lines: [
          ...[...lines, ...(next() < 0.2 ? [lines[0]!] : [])].map((p): OrderLine => ({ product_external_id: p, title: p, quantity: 1, unit_price: 500 })),
          ...(next() < 0.1 ? [{ product_external_id: null, title: 'Gift wrap', quantity: 1, unit_price: 100 }] : []),
        ],
      });
    }
  }
  planted.push({ external_id: 'guest-1', customer_external_id: null, currency: 'USD', placed_at: new Date(now - 3 * DAY), lines: [{ product_external_id: 'mug', title: 'mug', quantity: 1, unit_price: 500 }] });
  await t.services.commerce.write(storeId, {
    products: products.map((p) => ({ external_id: p, title: p, price: 500, currency: 'USD' })),
    customers: customers.map((c) => ({ external_id: c, email: `${c}@example.com` })),
    orders: planted,
  });
  await dispatcher.idle(60_000);
  for (const row of await t.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', storeId).execute()) customerId.set(row.external_id!, Number(row.id));
  for (const row of await t.services.storage.read.selectFrom('products').select(['id', 'external_id']).where('store_id', '=', storeId).execute()) productId.set(row.external_id, Number(row.id));
}, 120_000);
afterAll(async () => {
  await dispatcher?.stop();
  await t?.close();
});

/** A customer's history as the models define it, from the planted orders: oldest first, not cancelled, each product once per order. */
function expected(customer: string, before: number): { placedAt: Date; products: number[] }[] {
  return planted.filter((o) => o.customer_external_id === customer && o.status !== 'cancelled' && new Date(o.placed_at).getTime() < before)
    .sort((a, b) => new Date(a.placed_at).getTime() - new Date(b.placed_at).getTime())
    .map((o) => ({
      placedAt: new Date(o.placed_at),
      products: [...new Set(o.lines.flatMap((l) => (l.product_external_id ? [productId.get(l.product_external_id)!] : [])))].sort((a, b) => a - b),
    }))
    .filter((o) => o.products.length > 0);
}

/** Waits until the service has read its history index for the store. */
async function indexRead(service: RecommendationsService) {
  for (let i = 0; i < 500 && !service.historyIndex(storeId); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  return service.historyIndex(storeId);
}

describe('the history index', () => {
  it('holds each customer\'s orders and products as the models count them', async () => {
    const index = await readHistoryIndex(t.services.storage, storeId);
    const withOrders = [...customerId.keys()].filter((c) => expected(c, Infinity).length > 0);
    expect(index.size.customers).toBe(withOrders.length);
    expect(withOrders.length).toBeGreaterThan(30);
    for (const [customer, id] of customerId) {
      expect(index.history(id, new Date(now)), customer).toEqual({ customerId: id, orders: expected(customer, now) });
    }
    // c3's first order is placed in the future: it counts once its time has come.
    const c3 = customerId.get('c3')!;
    expect(index.history(c3, new Date(now + 900 * DAY)).orders.length).toBe(expected('c3', Infinity).length);
    expect(index.history(123_456_789, new Date(now))).toEqual({ customerId: 123_456_789, orders: [] });
  });

  it('serves the same lists as the database, and a customer\'s new order as soon as it is committed', async () => {
    const service = t.services.recommendations;
    await service.fit(storeId);
    const sample = [...customerId.keys()].slice(0, 15);
    await service.forCustomer(storeId, customerId.get(sample[0]!)!);
    const read = await indexRead(service);
    expect(read).toMatchObject({ changed: 0 });
    for (const customer of sample) {
      for (const model of ['for_you', 'buy_again', 'bought_together', 'next_product']) {
        // A new service answers its first request from the database (its index is not read yet).
        const fromDatabase = await new RecommendationsService(t.services.storage, t.services.jobs).forCustomer(storeId, customerId.get(customer)!, { model, k: 5 });
        const fromIndex = await service.forCustomer(storeId, customerId.get(customer)!, { model, k: 5 });
        // Scores that depend on the time (how due a reorder is) move a little between the two calls.
        const shown = (list: typeof fromIndex) => list.items.map((i) => ({ ...i, score: i.score.toFixed(5) }));
        expect(shown(fromIndex), `${customer} ${model}`).toEqual(shown(fromDatabase));
        expect(fromIndex.fit_id).toBe(fromDatabase.fit_id);
      }
    }

    // Over HTTP: a customer with orders is answered from the index, one without from a lookup, an unknown id is a 404.
    const auth = { authorization: `Bearer ${secretKey}` };
    const get = (ref: string | number) => t.app.inject({ method: 'GET', url: `/api/v1/customers/${ref}/recommendations?k=3`, headers: auth });
    const withOrders = sample.find((c) => expected(c, now).length > 0)!;
    const without = [...customerId.keys()].find((c) => expected(c, Infinity).length === 0)!;
    const picks = async (ref: string | number) => (await get(ref)).json().items.map((i: { product_id: number; explanation: string }) => [i.product_id, i.explanation]);
    expect(await picks(customerId.get(withOrders)!)).toEqual(await picks(`ext:${withOrders}`));
    const none = await get(customerId.get(without)!);
    expect(none.statusCode).toBe(200);
    expect(none.json().items.map((i: { reason: string }) => i.reason)).toEqual(['popular', 'popular', 'popular']);
    expect((await get(987_654_321)).statusCode).toBe(404);

    // c5 buys a product new to them now; buy again shows it once the order's event is handled.
    const c5 = customerId.get('c5')!;
    const owned = new Set(expected('c5', Infinity).flatMap((o) => o.products));
    const fresh = products.find((p) => !owned.has(productId.get(p)!))!;
    const before = await service.forCustomer(storeId, c5, { model: 'buy_again', k: 20 });
    expect(before.items.length).toBeGreaterThan(0);
    expect(before.items.map((i) => i.external_id)).not.toContain(fresh);
    await t.services.commerce.write(storeId, {
      orders: [{ external_id: 'c5-now', customer_external_id: 'c5', currency: 'USD', placed_at: new Date(Date.now() - 60_000), lines: [{ product_external_id: fresh, title: fresh, quantity: 2, unit_price: 300 }] }],
    });
    await dispatcher.idle(60_000);
    expect(service.historyIndex(storeId)?.changed).toBe(1);
    const after = await service.forCustomer(storeId, c5, { model: 'buy_again', k: 20 });
    expect(after.items.find((i) => i.external_id === fresh)?.explanation).toMatch(/^you bought this/);

    // The next fit reads the index again, with the new order in it.
    await service.fit(storeId);
    await service.forCustomer(storeId, c5);
    for (let i = 0; i < 500 && service.historyIndex(storeId)?.changed !== 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(service.historyIndex(storeId)?.changed).toBe(0);
    const refitted = await service.forCustomer(storeId, c5, { model: 'buy_again', k: 20 });
    expect(refitted.items.map((i) => i.external_id)).toContain(fresh);
  });

  it('serves a slice of customers at once with the lists each would get alone, reading the database a few times for them all', async () => {
    // The store's storage with its read statements counted.
    let statements = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => { statements += 1; return args.node; },
      transformResult: (args) => Promise.resolve(args.result),
    };
    const storage = Object.create(t.services.storage, { read: { value: t.services.storage.read.withPlugin(counting) } }) as Storage;
    const everyone = [...customerId.values()];
    const withoutOrders = [...customerId.keys()].filter((c) => expected(c, Infinity).length === 0);
    expect(withoutOrders.length).toBeGreaterThan(0);
    // A service that has read nothing yet, as the first slice of a campaign finds it.
    const batch = new RecommendationsService(storage, t.services.jobs);
    const served = await batch.forCustomers(storeId, everyone.map((id) => ({ customerId: id })), { k: 4 });
    expect(statements).toBeLessThanOrEqual(10);
    const alone = new RecommendationsService(t.services.storage, t.services.jobs);
    const shown = (list: { items: { product_id: number; explanation: string; score: number }[] }) => list.items.map((i) => [i.product_id, i.explanation, i.score.toFixed(5)]);
    for (const [customer, id] of customerId) {
      const one = await alone.forCustomer(storeId, id, { k: 4 });
      expect(shown(served.get(id)!), customer).toEqual(shown(one));
      expect(served.get(id)!.items.length, customer).toBeGreaterThan(0);
    }
    // The same customers each asked alone, all at once, from a new service: some statements each.
    statements = 0;
    const single = new RecommendationsService(storage, t.services.jobs);
    await Promise.all(everyone.map((id) => single.forCustomer(storeId, id, { k: 4 })));
    expect(statements).toBeGreaterThan(everyone.length);
  });
});
