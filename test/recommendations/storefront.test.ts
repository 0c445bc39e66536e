/**
 * The storefront endpoint: a product page asks, naming the store by its public write key, for what is bought with
 * a product; a signed-in customer's own picks need the signature the shop's server makes with the
 * storefront key (computed here with node:crypto, as a shop's server would). Only public fields
 * are answered; a forged signature, a foreign origin and bad parameters are refused with reasons.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
let key: string;

const titles: Record<string, string> = { mug: 'Ceramic mug', tea: 'Green tea', cushion: 'Wool cushion', candle: 'Beeswax candle', board: 'Oak board' };
const baskets: [string, string[]][] = [
  ['c1', ['mug', 'tea']], ['c1', ['tea', 'board']], ['c2', ['mug', 'candle']], ['c3', ['mug', 'tea', 'cushion']],
  ['c4', ['board']], ['c5', ['cushion', 'candle', 'mug']], ['c6', ['tea']], ['c6', ['mug', 'tea']],
];

beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Storefront', { currency: 'USD' });
  const auth = bearer(store.secretKey);
  const post = async (url: string, payload: object) => expect((await t.app.inject({ method: 'POST', url, headers: auth, payload })).statusCode).toBe(200);
  await post('/api/v1/products/batch', { products: Object.entries(titles).map(([id, title]) => ({ external_id: id, title, price: 1200, currency: 'USD', image_url: `https://shop.example/${id}.jpg` })) });
  await post('/api/v1/customers/batch', { customers: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'].map((id) => ({ external_id: id, email: `${id}@example.com` })) });
  await post('/api/v1/orders/batch', {
    orders: baskets.map(([customer, products], i) => ({
      external_id: `o${i}`, customer_external_id: customer, placed_at: new Date(Date.now() - (30 - i) * 86_400_000).toISOString(), currency: 'USD',
      lines: products.map((p) => ({ product_external_id: p, title: titles[p], quantity: 1, unit_price: 1200 })),
    })),
  });
  expect((await t.app.inject({ method: 'POST', url: '/api/v1/recommendations/fit-now', headers: auth })).statusCode).toBe(200);
  const answer = await t.app.inject({ method: 'GET', url: '/api/v1/storefront/key', headers: auth });
  expect(answer.statusCode, answer.body).toBe(200);
  key = answer.json().key;
}, 60_000);
afterAll(async () => t?.close());

const sign = (customer: string) => createHmac('sha256', Buffer.from(key, 'hex')).update(customer).digest('hex');
const storefront = (query: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: `/v1/recommendations?key=${store.writeKey}&${query}`, headers });

describe('storefront recommendations', () => {
  it('gives the shop\'s server a key whose example signature it can check, and not to a browser key', async () => {
    const answer = (await t.app.inject({ method: 'GET', url: '/api/v1/storefront/key', headers: bearer(store.secretKey) })).json();
    expect(answer.key).toMatch(/^[0-9a-f]{64}$/);
    expect(answer.example.signature).toBe(sign(answer.example.customer));
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/storefront/key', headers: bearer(store.writeKey) })).statusCode).toBe(403);
  });

  it('answers a product page with what is bought with the product, public fields only', async () => {
    const mug = (await t.app.inject({ method: 'GET', url: '/api/v1/products/ext:mug', headers: bearer(store.secretKey) })).json();
    const admin = (await t.app.inject({ method: 'GET', url: `/api/v1/products/${mug.id}/recommendations?k=3`, headers: bearer(store.secretKey) })).json();
    const answer = await storefront('product=mug&k=3');
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json().model).toBe('bought_together');
    expect(answer.json().items).toEqual(admin.items.map((i: Record<string, unknown>) => ({
      external_id: i.external_id, title: i.title, price: 1200, currency: 'USD', image_url: `https://shop.example/${String(i.external_id)}.jpg`, reason: 'bought_with', explanation: i.explanation,
    })));
    // Tea is bought with a mug by c1, c3 and c6.
    expect(answer.json().items[0]).toMatchObject({ external_id: 'tea', explanation: 'bought with Ceramic mug by 3 customers' });
    expect((await storefront('product=nope')).statusCode).toBe(404);
  });

  it('answers a signed-in customer\'s own picks only with the signature of their id', async () => {
    const admin = (await t.app.inject({ method: 'GET', url: '/api/v1/customers/ext:c4/recommendations?k=4', headers: bearer(store.secretKey) })).json();
    const answer = await storefront(`customer=c4&signature=${sign('c4')}&k=4`);
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json().items.map((i: { external_id: string; explanation: string }) => [i.external_id, i.explanation]))
      .toEqual(admin.items.map((i: { external_id: string; explanation: string }) => [i.external_id, i.explanation]));
    // Another customer's signature, an altered one, none.
    expect(errorOf(await storefront(`customer=c4&signature=${sign('c5')}`)).code).toBe('forbidden');
    expect((await storefront(`customer=c4&signature=${sign('c4').replace(/^./, (c) => (c === '0' ? '1' : '0'))}`)).statusCode).toBe(403);
    const unsigned = await storefront('customer=c4');
    expect(unsigned.statusCode).toBe(422);
    expect(errorOf(unsigned).details).toEqual([expect.objectContaining({ path: 'query.signature' })]);
    // A customer Hearth does not know yet gets the popular products.
    const newcomer = await storefront(`customer=new-77&signature=${sign('new-77')}&k=2`);
    expect(newcomer.statusCode, newcomer.body).toBe(200);
    expect(newcomer.json()).toMatchObject({ model: 'popular', items: [{ reason: 'popular' }, { reason: 'popular' }] });
  });

  it('names what is wrong with the question, and keeps to the store\'s origins', async () => {
    expect(errorOf(await storefront('')).details).toEqual([expect.objectContaining({ path: 'query.product' })]);
    expect(errorOf(await storefront(`product=mug&customer=c4&signature=${sign('c4')}`)).details).toEqual([expect.objectContaining({ path: 'query.customer' })]);
    expect(errorOf(await storefront('product=mug&k=0')).details).toEqual([expect.objectContaining({ path: 'query.k' })]);
    expect((await t.app.inject({ method: 'GET', url: '/v1/recommendations?key=hk_write_unknown&product=mug' })).statusCode).toBe(401);
    expect(errorOf(await t.app.inject({ method: 'GET', url: '/v1/recommendations?product=mug' })).details).toEqual([expect.objectContaining({ path: 'query.key' })]);

    const session = await t.signIn(store.ownerEmail, store.ownerPassword);
    const owner = { cookie: session.cookie, 'x-csrf-token': session.csrf };
    expect((await t.app.inject({ method: 'PATCH', url: '/api/v1/store', headers: owner, payload: { tracking_origins: ['https://shop.example'] } })).statusCode).toBe(200);
    const allowed = await storefront('product=mug', { origin: 'https://shop.example' });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect((await storefront('product=mug', { origin: 'https://elsewhere.example' })).statusCode).toBe(403);
    const preflight = await t.app.inject({ method: 'OPTIONS', url: '/v1/recommendations?product=mug', headers: { origin: 'https://shop.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toContain('GET');
  });
});
