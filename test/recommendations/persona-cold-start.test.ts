/**
 * The cold start by persona (docs/recommendations.md, "Models"): a customer without orders who has
 * a persona gets the products most bought among that persona's customers, recency-weighted like
 * the store's popularity — checked against a plain count over the planted orders — with the
 * persona named in the explanation; the store's popular products fill the rest, and a customer
 * without a persona gets the store's popularity. A request naming a segment (a campaign's) starts a
 * customer without orders from what is popular in that segment instead.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let auth: Record<string, string>;
let storeId: string;

const kitchen = ['K1', 'K2', 'K3', 'K4'];
const apparel = ['A1', 'A2', 'A3', 'A4'];
interface Planted { external_id: string; customer: string; day: string; products: string[]; cancelled?: boolean }
/**
 * Two kinds of buyer, so the personas split them: discounted kitchen shoppers (26) and full-price
 * apparel buyers who return what they buy (14). Kitchen is the store's most popular.
 */
const orders: Planted[] = Array.from({ length: 40 }, (_, i) => {
  const deal = i < 26;
  const range = deal ? kitchen : apparel;
  const products = [range[0]!, range[1 + (i % 3)]!, ...(i % 4 === 0 ? [range[3]!] : [])].filter((p, j, all) => all.indexOf(p) === j);
  return { external_id: `o${i}`, customer: `c${i}`, day: `2025-${String(1 + (i % 10)).padStart(2, '0')}-${String(1 + (i % 27)).padStart(2, '0')}`, products };
});
const priceOf = (p: string) => (p.startsWith('K') ? 2000 : 20000);

beforeAll(async () => {
  t = await createTestApp();
  const store = await t.newStore('Personas', { currency: 'USD' });
  auth = bearer(store.secretKey);
  storeId = store.storeId;
  const post = async (url: string, payload: object) => {
    const response = await t.app.inject({ method: 'POST', url, headers: auth, payload });
    expect(response.statusCode, response.body).toBe(200);
  };
  await post('/api/v1/products/batch', { products: [...kitchen, ...apparel].map((p) => ({ external_id: p, title: `Product ${p}`, price: priceOf(p), currency: 'USD' })) });
  await post('/api/v1/customers/batch', { customers: [...orders.map((o) => o.customer), 'newbie'].map((id) => ({ external_id: id, email: `${id}@example.com` })) });
  await post('/api/v1/orders/batch', { orders: orders.map(orderBody) });
  await post('/api/v1/returns/batch', {
    returns: orders.filter((o) => o.products[0] === 'A1').map((o) => ({
      external_id: `r-${o.external_id}`, order_external_id: o.external_id, returned_at: `${o.day}T18:00:00Z`, currency: 'USD', amount: 20000,
    })),
  });
  const ran = await t.app.inject({ method: 'POST', url: '/api/v1/personas/run', headers: auth, payload: { seed: 4 } });
  expect(ran.statusCode, ran.body).toBe(200);
}, 90_000);
afterAll(async () => t?.close());

function orderBody(o: Planted) {
  const deal = o.products[0] === 'K1';
  const lines = o.products.map((p) => ({ product_external_id: p, quantity: 1, unit_price: priceOf(p) }));
  const subtotal = lines.reduce((s, l) => s + l.unit_price, 0);
  return {
    external_id: o.external_id, customer_external_id: o.customer, placed_at: `${o.day}T10:00:00Z`, currency: 'USD', status: o.cancelled ? 'cancelled' : 'paid',
    lines, subtotal, ...(deal && { discount: 400, discount_codes: ['SAVE20'] }), total: subtotal - (deal ? 400 : 0),
  };
}

const get = async (url: string) => {
  const response = await t.app.inject({ method: 'GET', url, headers: auth });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};

/** The persona's popularity by its definition, from the planted orders: distinct buyers weighted by 0.5^(days since their last purchase / 90). */
function expectedPopular(members: Set<string>, cutoff: Date): { product: string; customers: number; weight: number }[] {
  const last = new Map<string, Map<string, string>>();
  for (const o of orders) {
    if (o.cancelled || !members.has(o.customer)) continue;
    for (const p of o.products) {
      const byCustomer = last.get(p) ?? new Map<string, string>();
      if ((byCustomer.get(o.customer) ?? '') < o.day) byCustomer.set(o.customer, o.day);
      last.set(p, byCustomer);
    }
  }
  const cutoffDay = Date.parse(cutoff.toISOString().slice(0, 10));
  return [...last].map(([product, byCustomer]) => ({
    product, customers: byCustomer.size,
    weight: [...byCustomer.values()].reduce((s, day) => s + 0.5 ** ((cutoffDay - Date.parse(day)) / 86_400_000 / 90), 0),
  })).sort((a, b) => b.weight - a.weight || b.customers - a.customers || a.product.localeCompare(b.product));
}

describe('the cold start by persona', () => {
  it('a customer with a persona and no orders gets what is popular in the persona, said so', async () => {
    const personas = await get('/api/v1/personas');
    expect(personas.data.length).toBeGreaterThanOrEqual(2);
    const members = (await sql<{ persona_id: string; external_id: string }>`select m.persona_id, c.external_id from persona_members m
      join customers c on c.store_id = m.store_id and c.id = m.customer_id where m.store_id = ${storeId}`.execute(t.services.storage.read)).rows;
    // An apparel buyer whose one order is then cancelled: a persona, but no orders the models count.
    const subject = orders.find((o) => o.products[0] === 'A1')!;
    const personaId = members.find((m) => m.external_id === subject.customer)!.persona_id;
    const persona = personas.data.find((p: { id: string }) => p.id === personaId);
    subject.cancelled = true;
    const cancelled = await t.app.inject({ method: 'PUT', url: `/api/v1/orders/${subject.external_id}`, headers: auth, payload: orderBody(subject) });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    const fit = await t.app.inject({ method: 'POST', url: '/api/v1/recommendations/fit-now', headers: auth });
    expect(fit.statusCode, fit.body).toBe(200);

    const expected = expectedPopular(new Set(members.filter((m) => m.persona_id === personaId).map((m) => m.external_id)), new Date(fit.json().trained_before));
    expect(expected.length).toBeGreaterThanOrEqual(3);
    const list = await get(`/api/v1/customers/ext:${subject.customer}/recommendations?k=3`);
    expect(list.items.map((i: { external_id: string }) => i.external_id)).toEqual(expected.slice(0, 3).map((e) => e.product));
    for (const [j, item] of list.items.entries()) {
      expect(item.reason).toBe('persona_popular');
      expect(item.explanation).toBe(`popular with ${persona.name}: bought by ${expected[j]!.customers} ${expected[j]!.customers === 1 ? 'customer' : 'customers'}`);
    }
    // Not what the store as a whole buys most: a newcomer without a persona gets that.
    const store = await get('/api/v1/customers/ext:newbie/recommendations?k=3');
    expect(store.items.map((i: { reason: string }) => i.reason)).toEqual(['popular', 'popular', 'popular']);
    expect(store.items[0].external_id).toBe('K1');
    expect(list.items[0].external_id).not.toBe('K1');

    // The filters apply first: the persona's favourite sold out, the next three still come.
    await t.app.inject({ method: 'PUT', url: `/api/v1/products/${expected[0]!.product}`, headers: auth, payload: { title: 'Sold out', inventory_quantity: 0 } });
    const filtered = await get(`/api/v1/customers/ext:${subject.customer}/recommendations?k=3`);
    const next = expected.slice(1, 4).map((e) => e.product);
    expect(filtered.items).toHaveLength(3);
    expect(filtered.items.slice(0, next.length).map((i: { external_id: string }) => i.external_id)).toEqual(next);
    await t.app.inject({ method: 'PUT', url: `/api/v1/products/${expected[0]!.product}`, headers: auth, payload: { title: `Product ${expected[0]!.product}`, inventory_quantity: null } });

    // More than the persona bought: the store's popular products fill the rest, without repeats.
    const long = await get(`/api/v1/customers/ext:${subject.customer}/recommendations?k=8`);
    const reasons = long.items.map((i: { reason: string }) => i.reason);
    expect(reasons.slice(0, expected.length)).toEqual(expected.map(() => 'persona_popular'));
    expect(reasons.slice(expected.length).every((r: string) => r === 'popular')).toBe(true);
    expect(long.items).toHaveLength(8);
    expect(new Set(long.items.map((i: { external_id: string }) => i.external_id)).size).toBe(8);
  });

  it('a customer without orders gets what is popular in the segment a request names, before any persona', async () => {
    // Big spenders: the apparel buyers (two items at 200.00), whose favourites are not the store's.
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/segments', headers: auth, payload: { name: 'Big spenders', rule: { kind: 'orders', metric: 'revenue', op: 'gte', value: 30000 } } });
    expect(created.statusCode, created.body).toBe(201);
    const segment = created.json() as { id: string };
    const members = (await sql<{ external_id: string }>`select c.external_id from segment_members m join customers c on c.store_id = m.store_id and c.id = m.customer_id
      where m.store_id = ${storeId} and m.segment_id = ${segment.id}`.execute(t.services.storage.read)).rows.map((r) => r.external_id);
    expect(members.length).toBeGreaterThanOrEqual(5);
    const fit = await t.app.inject({ method: 'POST', url: '/api/v1/recommendations/fit-now', headers: auth });
    expect(fit.statusCode, fit.body).toBe(200);
    const expected = expectedPopular(new Set(members), new Date(fit.json().trained_before));
    expect(expected[0]!.product).toBe('A1');

    const list = await get(`/api/v1/customers/ext:newbie/recommendations?k=3&segment=${segment.id}`);
    expect(list.items.map((i: { external_id: string }) => i.external_id)).toEqual(expected.slice(0, 3).map((e) => e.product));
    for (const [j, item] of list.items.entries()) {
      expect(item.reason).toBe('segment_popular');
      expect(item.explanation).toBe(`popular in Big spenders: bought by ${expected[j]!.customers} ${expected[j]!.customers === 1 ? 'customer' : 'customers'}`);
    }
    // Without the segment the newcomer gets the store's popularity; a customer with orders keeps their own models.
    expect((await get('/api/v1/customers/ext:newbie/recommendations?k=3')).items[0].reason).toBe('popular');
    const buyer = await get(`/api/v1/customers/ext:c0/recommendations?k=3&segment=${segment.id}`);
    expect(buyer.items.some((i: { reason: string }) => i.reason === 'segment_popular')).toBe(false);

    // An unknown segment is a 404 naming it, not a store-wide list.
    const unknown = await t.app.inject({ method: 'GET', url: '/api/v1/customers/ext:newbie/recommendations?segment=seg_nope', headers: auth });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.details).toEqual([{ path: 'segment', reason: 'no segment with this id in the store' }]);
  });
});
