/**
 * Tracking routes take API keys: a signed-in dashboard user (an analyst included) cannot send events.
 * The public write key (it sits in every page) records behaviour only; orders, refunds, consent and
 * an existing customer's identity need a server or secret key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basic, messageId, rows } from '../helpers/ingest.js';

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Keys Store');
  await t.services.accounts.addUser(store.storeId, { email: 'analyst@example.com', password: 'a long analyst password', role: 'analyst' });
});
afterAll(async () => t.close());

const event = { type: 'track', event: 'Viewed', anonymousId: 'a-1', messageId: 'm-1' };

describe('who may send tracking data', () => {
  it('refuses a session, an analyst\'s or an owner\'s, with 403 and stores nothing', async () => {
    for (const [email, password] of [['analyst@example.com', 'a long analyst password'], [store.ownerEmail, store.ownerPassword]] as const) {
      const { cookie, csrf } = await t.signIn(email, password);
      const response = await t.app.inject({ method: 'POST', url: '/v1/track', headers: { cookie, 'x-csrf-token': csrf }, payload: event });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.message).toMatch(/takes an API key .*, not a session/);
    }
    const status = await t.services.ingest.status(store.storeId);
    expect(status.sources.reduce((sum, s) => sum + s.stored, 0)).toBe(0);
  });

  it('takes the write key and the secret key', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/v1/track', headers: basic(store.writeKey), payload: event })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: `Bearer ${store.secretKey}` }, payload: { ...event, messageId: 'm-2' } })).statusCode).toBe(200);
  });
});

describe('what the public write key may do', () => {
  const send = (key: string, url: string, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url, headers: basic(key), payload: { messageId: messageId('trust'), ...payload } });
  const order = (id: string) => ({ order_id: id, total: 20, currency: 'USD', products: [{ product_id: 'p-1', price: 20, quantity: 1 }] });
  const statusOf = async (id: string) => (await rows<{ status: string }>(t.services, 'select status from orders where store_id = ? and external_id = ?', store.storeId, id))[0]?.status;
  const customer = async (id: string) => (await rows<{ email: string | null; first_name: string | null; accepts_marketing: boolean }>(t.services,
    'select email, first_name, accepts_marketing from customers where store_id = ? and external_id = ?', store.storeId, id))[0];

  it('may not create, change, cancel or refund an order; a server key may', async () => {
    const created = await send(store.writeKey, '/v1/track', { userId: 'shopper-1', event: 'Order Completed', properties: order('o-trust-1') });
    expect(created.statusCode).toBe(422);
    expect(created.json().error.details).toEqual([{ path: 'event', reason: expect.stringMatching(/needs a server key/) }]);
    expect(await statusOf('o-trust-1')).toBeUndefined();

    expect((await send(store.serverKey, '/v1/track', { userId: 'shopper-1', event: 'Order Completed', properties: order('o-trust-1') })).statusCode).toBe(200);
    for (const event of ['Order Cancelled', 'Order Updated', 'Order Refunded', 'Order Shipped']) {
      const response = await send(store.writeKey, '/v1/t', { userId: 'shopper-1', event, properties: { ...order('o-trust-1'), status: 'pending' } });
      expect(response.statusCode, event).toBe(422);
    }
    expect(await statusOf('o-trust-1')).toBe('paid');
    const refunds = await rows<{ n: number }>(t.services, 'select count(*) as n from returns where store_id = ?', store.storeId);
    expect(Number(refunds[0]!.n)).toBe(0);

    // In a batch, only the order event is refused; the browsing beside it is kept.
    const mixed = await t.app.inject({ method: 'POST', url: '/v1/b', headers: basic(store.writeKey), payload: { batch: [
      { type: 'track', userId: 'shopper-1', event: 'Product Viewed', messageId: messageId('trust') },
      { type: 'track', userId: 'shopper-1', event: 'Order Cancelled', properties: order('o-trust-1'), messageId: messageId('trust') },
    ] } });
    expect(mixed.statusCode).toBe(200);
    expect(mixed.json()).toMatchObject({ stored: 1, rejected: [{ index: 1, path: 'event' }] });
    expect(await statusOf('o-trust-1')).toBe('paid');

    expect((await send(store.serverKey, '/v1/track', { userId: 'shopper-1', event: 'Order Cancelled', properties: order('o-trust-1') })).statusCode).toBe(200);
    expect(await statusOf('o-trust-1')).toBe('cancelled');
  });

  it('may introduce a customer, without consent, but never rewrite an existing one', async () => {
    expect((await send(store.serverKey, '/v1/identify', { userId: 'known-1', traits: { email: 'ada@example.com', firstName: 'Ada', accepts_marketing: true } })).statusCode).toBe(200);
    const planted = await send(store.writeKey, '/v1/i', { userId: 'known-1', anonymousId: 'visitor-1', traits: { email: 'thief@evil.example', firstName: '<img src=x onerror=alert(1)>', accepts_marketing: false } });
    expect(planted.statusCode).toBe(200);
    expect(await customer('known-1')).toEqual({ email: 'ada@example.com', first_name: 'Ada', accepts_marketing: true });
    // The visitor's own browsing still joins the profile.
    const links = await rows<{ n: number }>(t.services, 'select count(*) as n from identities where store_id = ? and anonymous_id = ?', store.storeId, 'visitor-1');
    expect(Number(links[0]!.n)).toBe(1);

    expect((await send(store.writeKey, '/v1/identify', { userId: 'new-1', traits: { email: 'new@example.com', firstName: 'Nia', accepts_marketing: true } })).statusCode).toBe(200);
    expect(await customer('new-1')).toEqual({ email: 'new@example.com', first_name: 'Nia', accepts_marketing: false });
  });

  it('may record a cart, but its recovery link only on the store\'s own listed origins', async () => {
    const recovery = async (storeId: string, id: string) => (await rows<{ recovery_url: string | null }>(t.services,
      'select recovery_url from checkouts where store_id = ? and external_id = ?', storeId, id))[0]?.recovery_url;
    const cart = (key: string, id: string, url: string) => send(key, '/v1/t', { anonymousId: 'visitor-cart', event: 'Checkout Started',
      properties: { checkout_id: id, value: 30, currency: 'USD', recovery_url: url, products: [{ product_id: 'p-1', price: 30, quantity: 1 }] } });
    // A store that lists no origins keeps no browser-sent link.
    expect((await cart(store.writeKey, 'cart-evil', 'https://evil.example/phish')).statusCode).toBe(200);
    expect(await recovery(store.storeId, 'cart-evil')).toBeNull();
    // A store that lists its origins keeps links on them only.
    const listed = await t.newStore('Listed Origins Store');
    await t.services.accounts.updateStore(listed.storeId, { trackingOrigins: ['https://shop.example'] });
    expect((await cart(listed.writeKey, 'cart-own', 'https://shop.example/cart/recover/abc')).statusCode).toBe(200);
    expect((await cart(listed.writeKey, 'cart-evil-2', 'https://evil.example/phish')).statusCode).toBe(200);
    expect([await recovery(listed.storeId, 'cart-own'), await recovery(listed.storeId, 'cart-evil-2')]).toEqual(['https://shop.example/cart/recover/abc', null]);
    // A server key is trusted with any link.
    expect((await send(store.serverKey, '/v1/track', { userId: 'shopper-1', event: 'Checkout Started',
      properties: { checkout_id: 'cart-server', value: 30, recovery_url: 'https://checkout.partner.example/r/1', products: [{ product_id: 'p-1', price: 30 }] } })).statusCode).toBe(200);
    expect(await recovery(store.storeId, 'cart-server')).toBe('https://checkout.partner.example/r/1');
  });

  it('server keys send tracking data only: the admin API refuses them like write keys', async () => {
    for (const key of [store.writeKey, store.serverKey]) {
      const response = await t.app.inject({ method: 'GET', url: '/api/v1/customers', headers: { authorization: `Bearer ${key}` } });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.message).toMatch(/may only send tracking data/);
    }
    expect(store.serverKey).toMatch(/^hk_server_/);
  });
});
