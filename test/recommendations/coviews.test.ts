/**
 * Co-views in "for you" (docs/recommendations.md): products viewed by the same customers
 * (`Product Viewed` events sent through the tracking API) link a customer's products to others,
 * with the reason "viewed with X by N customers", N counted here from the planted views.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let auth: Record<string, string>;
let track: Record<string, string>;

const products = ['lamp', 'shade', 'bulb', 'rug', 'vase'];
/** Who viewed what. Nobody bought `shade` or `bulb`: only the views can bring them to the lamp's buyer. */
const views: [string, string[]][] = [
  ['v1', ['lamp', 'shade', 'bulb']],
  ['v2', ['lamp', 'shade']],
  ['v3', ['lamp', 'shade', 'rug']],
  ['v4', ['shade', 'bulb']],
  ['v5', ['lamp', 'bulb']],
  // A view of a product the store does not know, and an anonymous visitor: neither counts.
  ['v6', ['lamp', 'unknown-product']],
];

beforeAll(async () => {
  t = await createTestApp();
  const store = await t.newStore('Viewed', { currency: 'USD' });
  auth = bearer(store.secretKey);
  track = { authorization: `Basic ${Buffer.from(`${store.writeKey}:`).toString('base64')}` };
  const post = async (url: string, payload: object, headers = auth) => {
    const response = await t.app.inject({ method: 'POST', url, headers, payload });
    expect(response.statusCode, response.body).toBe(200);
  };
  await post('/api/v1/products/batch', { products: products.map((p) => ({ external_id: p, title: `The ${p}`, price: 1000, currency: 'USD' })) });
  const customers = ['buyer', 'other', ...views.map(([c]) => c)];
  await post('/api/v1/customers/batch', { customers: customers.map((id) => ({ external_id: id, email: `${id}@example.com` })) });
  await post('/api/v1/orders/batch', {
    orders: [
      { external_id: 'o1', customer_external_id: 'buyer', placed_at: '2026-10-01T10:00:00Z', currency: 'USD', status: 'paid', lines: [{ product_external_id: 'lamp', quantity: 1, unit_price: 1000 }] },
      { external_id: 'o2', customer_external_id: 'other', placed_at: '2026-10-02T10:00:00Z', currency: 'USD', status: 'paid', lines: [{ product_external_id: 'rug', quantity: 1, unit_price: 1000 }, { product_external_id: 'vase', quantity: 1, unit_price: 1000 }] },
    ],
  });
  let n = 0;
  await post('/v1/batch', {
    batch: [
      ...views.flatMap(([customer, viewed]) => viewed.map((product) => ({
        type: 'track', event: 'Product Viewed', userId: customer, properties: { product_id: product }, messageId: `m-${(n += 1)}`, timestamp: '2026-10-05T12:00:00Z',
      }))),
      { type: 'track', event: 'Product Viewed', anonymousId: 'anon-9', properties: { product_id: 'shade' }, messageId: 'm-anon', timestamp: '2026-10-05T12:00:00Z' },
      { type: 'track', event: 'Product Viewed', anonymousId: 'anon-9', properties: { product_id: 'lamp' }, messageId: 'm-anon-2', timestamp: '2026-10-05T12:00:00Z' },
    ],
  }, track);
  const fit = await t.app.inject({ method: 'POST', url: '/api/v1/recommendations/fit-now', headers: auth });
  expect(fit.statusCode, fit.body).toBe(200);
}, 60_000);
afterAll(async () => t?.close());

/** Known customers who viewed both products, from the planted views (the unknown product never links). */
const viewedBoth = (a: string, b: string) => views.filter(([, viewed]) => viewed.includes(a) && viewed.includes(b) && products.includes(a) && products.includes(b)).length;

describe('co-views in for you', () => {
  it('bring products viewed with the customer\'s own, with the viewers counted', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/customers/ext:buyer/recommendations?k=10', headers: auth });
    expect(response.statusCode, response.body).toBe(200);
    const items = response.json().items as { external_id: string; reason: string; explanation: string; score: number }[];
    const viewed = items.filter((i) => i.reason === 'viewed_with');
    expect(viewed.map((i) => i.external_id).sort()).toEqual(['bulb', 'shade']);
    for (const item of viewed) expect(item.explanation).toBe(`viewed with The lamp by ${viewedBoth('lamp', item.external_id)} customers`);
    // Three viewers of the lamp also viewed the shade, two the bulb: the shade ranks higher.
    expect(viewed.map((i) => i.external_id)).toEqual(['shade', 'bulb']);
  });

  it('the bought-together model stays purchases only', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/customers/ext:buyer/recommendations?model=bought_together&k=10', headers: auth });
    expect(response.json().items).toEqual([]);
  });
});
