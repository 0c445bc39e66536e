/**
 * The recommendation filters (docs/recommendations.md, "Filters"): a product made unpublished or
 * sold out — through the products API, as a store would — disappears from every list (each model,
 * the product page list, the storefront, the email block), while k products still come back; the
 * store's price band and the request's `min_price` / `max_price` keep to the band, and a bad band
 * is a 422 naming the parameter.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelKinds } from '../../src/modules/recommendations/index.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let auth: Record<string, string>;
let storeId: string;
let writeKey: string;
let storefrontKey: string;
const idOf = new Map<string, number>();
const extOf = new Map<number, string>();

/** Twelve products p1…p12, p<i> priced i × 1000 and bought by 14 − i customers, so popularity falls with i. */
const products = Array.from({ length: 12 }, (_, i) => ({ external_id: `p${i + 1}`, title: `Product ${i + 1}`, price: (i + 1) * 1000 }));

beforeAll(async () => {
  t = await createTestApp();
  const store = await t.newStore('Filtered', { currency: 'USD' });
  auth = bearer(store.secretKey);
  storeId = store.storeId;
  writeKey = store.writeKey;
  const post = async (url: string, payload: object) => {
    const response = await t.app.inject({ method: 'POST', url, headers: auth, payload });
    expect(response.statusCode, response.body).toBe(200);
  };
  await post('/api/v1/products/batch', { products: products.map((p) => ({ ...p, currency: 'USD' })) });
  const customers = Array.from({ length: 13 }, (_, c) => `c${c + 1}`);
  await post('/api/v1/customers/batch', { customers: [...customers, 'newbie'].map((id) => ({ external_id: id, email: `${id}@example.com` })) });
  // Customer c<n> (n = 1…13) buys every p<i> with i ≤ 14 − n, in one order.
  await post('/api/v1/orders/batch', {
    orders: customers.map((c, n) => ({
      external_id: `o-${c}`, customer_external_id: c, placed_at: `2024-11-${String(n + 1).padStart(2, '0')}T10:00:00Z`, currency: 'USD', status: 'paid',
      lines: products.filter((_, i) => i + 1 <= 13 - n).map((p) => ({ product_external_id: p.external_id, quantity: 1, unit_price: p.price })),
    })).filter((o) => o.lines.length > 0),
  });
  const list = (await t.app.inject({ method: 'GET', url: '/api/v1/products?limit=100', headers: auth })).json().data as { id: number; external_id: string }[];
  for (const p of list) {
    idOf.set(p.external_id, p.id);
    extOf.set(p.id, p.external_id);
  }
  const fit = await t.app.inject({ method: 'POST', url: '/api/v1/recommendations/fit-now', headers: auth });
  expect(fit.statusCode, fit.body).toBe(200);
  storefrontKey = (await t.app.inject({ method: 'GET', url: '/api/v1/storefront/key', headers: auth })).json().key;
}, 60_000);
afterAll(async () => t?.close());

const get = async (url: string) => {
  const response = await t.app.inject({ method: 'GET', url, headers: auth });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};
const ids = (list: { items: { external_id: string }[] }) => list.items.map((i) => i.external_id);
const put = async (id: string, fields: object) => {
  const response = await t.app.inject({ method: 'PUT', url: `/api/v1/products/${id}`, headers: auth, payload: { title: `Product ${id.slice(1)}`, ...fields } });
  expect(response.statusCode, response.body).toBe(200);
};
const signature = (customer: string) => createHmac('sha256', Buffer.from(storefrontKey, 'hex')).update(customer).digest('hex');

/** Every list a product can appear in, k = 3 each. */
async function everyList(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const model of modelKinds) out[`c13 ${model}`] = ids(await get(`/api/v1/customers/ext:c13/recommendations?model=${model}&k=3`));
  out['newbie'] = ids(await get('/api/v1/customers/ext:newbie/recommendations?k=3'));
  out['product p12'] = ids(await get(`/api/v1/products/${idOf.get('p12')}/recommendations?k=3`));
  const storefront = await t.app.inject({ method: 'GET', url: `/v1/recommendations?key=${writeKey}&product=p12&k=3` });
  expect(storefront.statusCode, storefront.body).toBe(200);
  out['storefront p12'] = ids(storefront.json());
  const mine = await t.app.inject({ method: 'GET', url: `/v1/recommendations?key=${writeKey}&customer=c13&signature=${signature('c13')}&k=3` });
  expect(mine.statusCode, mine.body).toBe(200);
  out['storefront c13'] = ids(mine.json());
  return out;
}

describe('unpublished and sold-out products', () => {
  it('disappear from every list while k products still come back', async () => {
    const before = await everyList();
    // c13 bought p1 only; the newcomer gets the most popular.
    expect(before['newbie']).toEqual(['p1', 'p2', 'p3']);
    expect(before['c13 popular']).toEqual(['p1', 'p2', 'p3']);
    expect(before['product p12']).toHaveLength(3);

    // The four most popular products, each taken out a different way.
    await put('p1', { inventory_quantity: 0 });
    await put('p2', { published: false });
    await put('p3', { variants: [{ external_id: 'p3-s', inventory_quantity: 0 }, { external_id: 'p3-l', inventory_quantity: -2 }] });
    await put('p4', { published_at: '2099-01-01T00:00:00Z' });
    const gone = ['p1', 'p2', 'p3', 'p4'];

    const after = await everyList();
    const full = Object.keys(before).filter((list) => before[list]!.length === 3);
    // Every list but buy again (c13 bought p1 only) and next product (nobody has a second order) had three.
    expect(full.sort()).toEqual(Object.keys(before).filter((list) => list !== 'c13 buy_again' && list !== 'c13 next_product').sort());
    for (const [list, items] of Object.entries(after)) {
      for (const p of gone) expect(items, list).not.toContain(p);
      // Eight products are left: the full lists stay full.
      if (full.includes(list)) expect(items, list).toHaveLength(3);
    }
    expect(after['newbie']).toEqual(['p5', 'p6', 'p7']);
    expect(after['c13 buy_again']).toEqual([]);

    // Back in stock and published: back in the lists.
    await put('p1', { inventory_quantity: 5 });
    await put('p2', { published: true });
    await put('p3', { variants: [{ external_id: 'p3-s', inventory_quantity: 1 }] });
    await put('p4', { published_at: '2026-01-01T00:00:00Z' });
    expect((await everyList())['newbie']).toEqual(['p1', 'p2', 'p3']);
  });

  it('the email block leaves them out too', async () => {
    await put('p1', { inventory_quantity: 0 });
    const template = await t.services.templates.create(storeId, {
      name: 'Picks', purpose: 'transactional', subject: 'For you', body: `<mjml><mj-body><mj-section><mj-column>
        <mj-text>{% for p in recommendations %}<p class="pick">{{ p.product_id }}</p>{% endfor %}</mj-text>
      </mj-column></mj-section></mj-body></mjml>`,
    });
    const email = await t.services.templates.render(storeId, template.id, { customer: 'ext:newbie', links: { unsubscribe_url: 'https://x/u', preferences_url: 'https://x/p', view_in_browser_url: 'https://x/v' } });
    const picks = [...email.html.matchAll(/<p class="pick">(.*?)<\/p>/g)].map((m) => extOf.get(Number(m[1])));
    expect(picks).toEqual(['p2', 'p3', 'p4', 'p5']);
    await put('p1', { inventory_quantity: null });
  });
});

describe('price bands', () => {
  const inBand = (items: { price: number | null }[], min: number, max: number) => items.every((i) => i.price !== null && i.price >= min && i.price <= max);

  it('the request\'s min_price and max_price keep to the band, k still filled', async () => {
    const list = await get('/api/v1/customers/ext:newbie/recommendations?k=3&min_price=3000&max_price=7000');
    expect(ids(list)).toEqual(['p3', 'p4', 'p5']);
    const forYou = await get('/api/v1/customers/ext:c13/recommendations?k=4&min_price=6000');
    expect(forYou.items).toHaveLength(4);
    expect(inBand(forYou.items, 6000, Infinity)).toBe(true);
    const product = await get(`/api/v1/products/${idOf.get('p12')}/recommendations?k=3&max_price=4000`);
    expect(ids(product).sort()).toEqual(['p2', 'p3', 'p4']);
    expect((await get('/api/v1/customers/ext:newbie/recommendations?k=3&min_price=2500.5&max_price=2999')).items).toEqual([]);
    const storefront = await t.app.inject({ method: 'GET', url: `/v1/recommendations?key=${writeKey}&product=p12&k=3&min_price=9000` });
    expect(storefront.json().items.map((i: { external_id: string }) => i.external_id).sort()).toEqual(['p10', 'p11', 'p9']);
  });

  it('the store\'s band applies to every list, and a request narrows it', async () => {
    const saved = await t.app.inject({ method: 'PUT', url: '/api/v1/recommendations/settings', headers: auth, payload: { min_price: 2000, max_price: 8000 } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ min_price: 2000, max_price: 8000, pinned: [], blocked: [] });
    expect((await get('/api/v1/recommendations/settings'))).toMatchObject({ min_price: 2000, max_price: 8000 });
    const lists = await everyList();
    for (const [name, items] of Object.entries(lists)) {
      for (const p of items) expect(Number(p.slice(1)), `${name}: ${p}`).toBeGreaterThanOrEqual(2);
      for (const p of items) expect(Number(p.slice(1)), `${name}: ${p}`).toBeLessThanOrEqual(8);
    }
    expect(lists['newbie']).toEqual(['p2', 'p3', 'p4']);
    // The request narrows within the store's band; it cannot widen it.
    expect(ids(await get('/api/v1/customers/ext:newbie/recommendations?k=3&min_price=0&max_price=3000'))).toEqual(['p2', 'p3']);
    expect(ids(await get('/api/v1/customers/ext:newbie/recommendations?k=3&min_price=7000&max_price=99000'))).toEqual(['p7', 'p8']);
    // A pinned product outside the band is not shown either.
    await t.app.inject({ method: 'PUT', url: '/api/v1/recommendations/settings', headers: auth, payload: { pinned: [idOf.get('p12'), idOf.get('p6')], min_price: 2000, max_price: 8000 } });
    const pinned = await get('/api/v1/customers/ext:newbie/recommendations?k=3');
    expect(pinned.items.map((i: { external_id: string; reason: string }) => [i.external_id, i.reason])).toEqual([['p6', 'pinned'], ['p2', 'popular'], ['p3', 'popular']]);
    const cleared = await t.app.inject({ method: 'PUT', url: '/api/v1/recommendations/settings', headers: auth, payload: {} });
    expect(cleared.json()).toMatchObject({ min_price: null, max_price: null, pinned: [] });
    expect(ids(await get('/api/v1/customers/ext:newbie/recommendations?k=3'))).toEqual(['p1', 'p2', 'p3']);
  });

  it.each([
    ['/api/v1/customers/ext:newbie/recommendations?min_price=-1', 'query.min_price'],
    ['/api/v1/customers/ext:newbie/recommendations?max_price=cheap', 'query.max_price'],
    ['/api/v1/customers/ext:newbie/recommendations?min_price=5000&max_price=1000', 'query.min_price'],
    ['/api/v1/products/1/recommendations?max_price=-3', 'query.max_price'],
    ['/api/v1/products/1/recommendations?min_price=20&max_price=10', 'query.min_price'],
  ])('%s is a 422 naming %s', async (url, path) => {
    const response = await t.app.inject({ method: 'GET', url, headers: auth });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.details.map((d: { path: string }) => d.path)).toEqual([path]);
  });

  it('the storefront and the settings name a bad band too', async () => {
    const storefront = await t.app.inject({ method: 'GET', url: `/v1/recommendations?key=${writeKey}&product=p12&min_price=9&max_price=1` });
    expect(storefront.statusCode).toBe(422);
    expect(storefront.json().error.details.map((d: { path: string }) => d.path)).toEqual(['query.min_price']);
    for (const [payload, path] of [[{ min_price: 10, max_price: 5 }, 'min_price'], [{ max_price: -5 }, 'max_price'], [{ min_price: 12.5 }, 'min_price']] as const) {
      const response = await t.app.inject({ method: 'PUT', url: '/api/v1/recommendations/settings', headers: auth, payload });
      expect(response.statusCode).toBe(422);
      expect(response.json().error.details.map((d: { path: string }) => d.path)).toEqual([path]);
    }
  });
});
