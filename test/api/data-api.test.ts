import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCustomerJson, anOrderJson } from '../builders/data.js';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';

let t: TestApp;
let a: Awaited<ReturnType<TestApp['newStore']>>;
let b: Awaited<ReturnType<TestApp['newStore']>>;

beforeAll(async () => {
  t = await createTestApp();
  a = await t.newStore('Store A');
  b = await t.newStore('Store B');
});
afterAll(async () => t.close());

const post = (url: string, key: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: bearer(key), payload: payload as object });
const get = (url: string, key: string) => t.app.inject({ method: 'GET', url, headers: bearer(key) });
const countOrders = async (storeId: string) => (await t.services.storage.read.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).where('store_id', '=', storeId).executeTakeFirstOrThrow()).n;

describe('admin data API', () => {
  it('upserts a batch of orders and reports created, updated and unchanged', async () => {
    const orders = [anOrderJson('A-1'), anOrderJson('A-2', { customer_external_id: null }), anOrderJson('A-3', { customer_external_id: 'cust-2' })];
    const first = await post('/api/v1/orders/batch', a.secretKey, { orders });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ created: 3, updated: 0, unchanged: 0, summary: { customers: { created: 2 } } });
    const changed = [anOrderJson('A-1', { shipping: 0 }), ...orders.slice(1)];
    expect((await post('/api/v1/orders/batch', a.secretKey, { orders: changed })).json()).toMatchObject({ created: 0, updated: 1, unchanged: 2 });
    expect((await post('/api/v1/orders/batch', a.secretKey, { orders: changed })).json()).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
  });

  it('reads an order with its lines by id and by external id', async () => {
    const byExt = await get('/api/v1/orders/ext:A-3', a.secretKey);
    expect(byExt.statusCode).toBe(200);
    const order = byExt.json();
    expect(order).toMatchObject({ external_id: 'A-3', customer_external_id: 'cust-2', currency: 'EUR', subtotal: 3300, total: 3795, status: 'paid' });
    expect(order.lines.map((l: { product_external_id: string; quantity: number }) => [l.product_external_id, l.quantity])).toEqual([['prod-1', 2], ['prod-2', 1]]);
    expect((await get(`/api/v1/orders/${order.id}`, a.secretKey)).json().external_id).toBe('A-3');
  });

  it('upserts one customer with PUT: 201 when created, 200 after', async () => {
    const put = (payload: object) => t.app.inject({ method: 'PUT', url: '/api/v1/customers/cust-9', headers: bearer(a.secretKey), payload });
    const created = await put(aCustomerJson('cust-9', { created_at: '2023-06-01', tags: ['vip'], attributes: { plan: 'gold' } }));
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ result: 'created', data: { external_id: 'cust-9', created_at: '2023-06-01T00:00:00.000Z', tags: ['vip'], attributes: { plan: 'gold' } } });
    const again = await put({ email: 'cust-9@example.com' });
    expect(again.statusCode).toBe(200);
    expect(again.json().result).toBe('unchanged');
    const renamed = await put({ first_name: 'Grace' });
    expect(renamed.json()).toMatchObject({ result: 'updated', data: { first_name: 'Grace', last_name: 'Lovelace' } });
    const mismatch = await put({ external_id: 'other' });
    expect(mismatch.statusCode).toBe(422);
    expect(errorOf(mismatch).details).toEqual([{ path: 'external_id', reason: 'is "other" but the URL says "cust-9"' }]);
  });

  it('lists customers with filters and cursor pages', async () => {
    await post('/api/v1/customers/batch', a.secretKey, {
      customers: Array.from({ length: 7 }, (_, i) => aCustomerJson(`page-${i}`, { country: i % 2 ? 'FR' : 'DE', first_name: i === 3 ? 'Zebulon' : 'Ada' })),
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await get(`/api/v1/customers?country=DE&limit=2${cursor ? `&cursor=${cursor}` : ''}`, a.secretKey);
      expect(response.statusCode).toBe(200);
      const page = response.json() as { data: { external_id: string; country: string }[]; next_cursor: string | null };
      expect(page.data.length).toBeLessThanOrEqual(2);
      expect(page.data.every((c) => c.country === 'DE')).toBe(true);
      seen.push(...page.data.map((c) => c.external_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['page-6', 'page-4', 'page-2', 'page-0']);
    expect((await get('/api/v1/customers?q=zebu', a.secretKey)).json().data.map((c: { external_id: string }) => c.external_id)).toEqual(['page-3']);
    expect((await get('/api/v1/customers?email=PAGE-5@example.com', a.secretKey)).json().data).toHaveLength(1);
    const bad = await get('/api/v1/customers?cursor=nonsense', a.secretKey);
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).details[0]!.path).toBe('query.cursor');
    expect((await get('/api/v1/customers?limit=500', a.secretKey)).statusCode).toBe(422);
  });

  it('lists orders by customer, status and time; products and returns', async () => {
    const customer = (await get('/api/v1/customers/ext:cust-1', a.secretKey)).json();
    const mine = (await get(`/api/v1/orders?customer_id=${customer.id}`, a.secretKey)).json();
    expect(mine.data.map((o: { external_id: string }) => o.external_id)).toEqual(['A-1']);
    await post('/api/v1/returns/batch', a.secretKey, { returns: [{ external_id: 'R-1', order_external_id: 'A-2', returned_at: '2024-03-05T00:00:00Z', currency: 'EUR', amount: 800, lines: [{ product_external_id: 'prod-2', quantity: 1, amount: 800 }] }] });
    const partial = (await get('/api/v1/orders?status=partially_refunded', a.secretKey)).json();
    expect(partial.data.map((o: { external_id: string }) => o.external_id)).toEqual(['A-2']);
    expect((await get('/api/v1/orders?placed_after=2024-03-02', a.secretKey)).json().data).toEqual([]);
    const returns = (await get('/api/v1/returns', a.secretKey)).json();
    expect(returns.data).toMatchObject([{ external_id: 'R-1', order_external_id: 'A-2', amount: 800, lines: [{ product_external_id: 'prod-2', amount: 800 }] }]);
    await post('/api/v1/products/batch', a.secretKey, { products: [{ external_id: 'prod-1', title: 'Blue mug', price: 1250, currency: 'EUR', variants: [{ external_id: 'mug-l', sku: 'MUG-L', price: 1450 }] }] });
    const products = (await get('/api/v1/products?q=blue', a.secretKey)).json();
    expect(products.data).toMatchObject([{ external_id: 'prod-1', title: 'Blue mug', variants: [{ external_id: 'mug-l', price: 1450 }] }]);
  });

  it('keeps stores apart: a key of store B neither sees nor changes store A', async () => {
    expect((await get('/api/v1/orders', b.secretKey)).json().data).toEqual([]);
    expect((await get('/api/v1/customers', b.secretKey)).json().data).toEqual([]);
    expect((await get('/api/v1/orders/ext:A-1', b.secretKey)).statusCode).toBe(404);
    const aCustomer = (await get('/api/v1/customers/ext:cust-1', a.secretKey)).json();
    expect((await get(`/api/v1/customers/${aCustomer.id}`, b.secretKey)).statusCode).toBe(404);
    // Writing the same external id in B creates B's own order; A's stays as it was.
    const before = (await get('/api/v1/orders/ext:A-1', a.secretKey)).json();
    expect((await post('/api/v1/orders/batch', b.secretKey, { orders: [anOrderJson('A-1', { shipping: 9999 })] })).json().created).toBe(1);
    expect((await get('/api/v1/orders/ext:A-1', a.secretKey)).json()).toEqual(before);
  });

  it('keeps stores apart for sessions: a user of A cannot pick store B', async () => {
    const session = await t.signIn(a.ownerEmail, a.ownerPassword);
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/orders', headers: { cookie: session.cookie, 'x-hearth-store': b.storeId } });
    expect(response.statusCode).toBe(403);
    expect(errorOf(response).code).toBe('forbidden');
    const write = await t.app.inject({ method: 'POST', url: '/api/v1/orders/batch', headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'x-hearth-store': b.storeId }, payload: { orders: [anOrderJson('S-1')] } });
    expect(write.statusCode).toBe(403);
  });

  it('lets an analyst list but not upsert', async () => {
    await t.services.accounts.addUser(a.storeId, { email: 'analyst@example.com', password: 'analyst password', role: 'analyst' });
    const session = await t.signIn('analyst@example.com', 'analyst password');
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/customers', headers: { cookie: session.cookie } });
    expect(list.statusCode).toBe(200);
    const upsert = await t.app.inject({ method: 'POST', url: '/api/v1/customers/batch', headers: { cookie: session.cookie, 'x-csrf-token': session.csrf }, payload: { customers: [aCustomerJson('x-1')] } });
    expect(upsert.statusCode).toBe(403);
    expect(errorOf(upsert).message).toMatch(/analyst/);
    expect((await get('/api/v1/customers/ext:x-1', a.secretKey)).statusCode).toBe(404);
  });

  it('rejects bad input with the field and reason, writing nothing', async () => {
    const before = await countOrders(a.storeId);
    const malformed = await t.app.inject({ method: 'POST', url: '/api/v1/orders/batch', headers: { ...bearer(a.secretKey), 'content-type': 'application/json' }, payload: '{"orders": [' });
    expect(malformed.statusCode).toBe(400);
    expect(errorOf(malformed)).toMatchObject({ code: 'bad_request', details: [{ path: '(body)' }] });

    const wrongTypes = await post('/api/v1/orders/batch', a.secretKey, { orders: [anOrderJson('B-1', { placed_at: 'yesterday', lines: [{ quantity: '2', unit_price: 12.5 }] })] });
    expect(wrongTypes.statusCode).toBe(422);
    expect(errorOf(wrongTypes).details).toEqual(expect.arrayContaining([
      { path: 'orders.0.placed_at', reason: 'must be an ISO-8601 date-time such as 2024-05-01T12:00:00Z' },
      expect.objectContaining({ path: 'orders.0.lines.0.quantity' }),
      { path: 'orders.0.lines.0.unit_price', reason: 'must be an integer amount in minor units (e.g. cents)' },
    ]));

    const rules = await post('/api/v1/orders/batch', a.secretKey, {
      orders: [anOrderJson('B-2'), anOrderJson('B-3', { currency: 'ABC' }), anOrderJson('B-4', { lines: [{ quantity: -2, unit_price: 100 }] })],
    });
    expect(rules.statusCode).toBe(422);
    expect(errorOf(rules)).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/nothing was written/) });
    expect(errorOf(rules).details).toEqual([
      { path: 'orders.1.currency', reason: 'unknown ISO 4217 currency "ABC"' },
      { path: 'orders.2.lines.0.quantity', reason: 'must not be negative' },
    ]);

    const oversized = await post('/api/v1/orders/batch', a.secretKey, { orders: Array.from({ length: 1001 }, (_, i) => anOrderJson(`big-${i}`)) });
    expect(oversized.statusCode).toBe(413);
    expect(errorOf(oversized).details).toEqual([{ path: 'orders', reason: 'has 1001 items; at most 1000 per request' }]);

    const unknownField = await post('/api/v1/customers/batch', a.secretKey, { customers: [{ external_id: 'c', emial: 'x@example.com' }] });
    expect(unknownField.statusCode).toBe(422);
    expect(errorOf(unknownField).details[0]!.path).toBe('customers.0');

    expect(await countOrders(a.storeId)).toBe(before);
    expect((await get('/api/v1/orders/ext:B-2', a.secretKey)).statusCode).toBe(404);
  });

  it('refuses an unknown key and a write key', async () => {
    const unknown = await get('/api/v1/customers', 'hk_secret_not-a-real-key');
    expect(unknown.statusCode).toBe(401);
    expect(errorOf(unknown).code).toBe('unauthorized');
    const tracking = await post('/api/v1/customers/batch', a.writeKey, { customers: [aCustomerJson('w-1')] });
    expect(tracking.statusCode).toBe(403);
  });

  it('documents the routes in OpenAPI', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.paths['/api/v1/orders/batch'].post['x-permission']).toBe('write');
    expect(doc.paths['/api/v1/customers'].get['x-permission']).toBe('read');
    const schema = doc.paths['/api/v1/orders/batch'].post.requestBody.content['application/json'].schema;
    expect(schema.properties.orders.items.required).toEqual(expect.arrayContaining(['external_id', 'placed_at', 'currency', 'lines']));
  });
});

describe('customer consent, birthday, language and time zone through the admin API', () => {
  const put = (id: string, payload: object) => t.app.inject({ method: 'PUT', url: `/api/v1/customers/${id}`, headers: bearer(a.secretKey), payload });

  it('stores consent per channel with its time and source, and reads it back on the customer and the profile', async () => {
    const response = await put('consent-1', {
      email: 'c1@example.com', birthday: '1990-02-28', language: 'pt_BR', timezone: 'America/Sao_Paulo',
      email_consent: { status: 'subscribed', at: '2026-11-01T10:00:00Z', source: 'checkout' }, sms_consent: { status: 'unsubscribed' },
    });
    expect(response.statusCode).toBeLessThan(300);
    const customer = (await get('/api/v1/customers/ext:consent-1', a.secretKey)).json();
    expect(customer).toMatchObject({
      birthday: '1990-02-28', language: 'pt-BR', timezone: 'America/Sao_Paulo', accepts_marketing: true,
      consent: { email: { status: 'subscribed', at: '2026-11-01T10:00:00.000Z', source: 'checkout' }, sms: { status: 'unsubscribed', source: 'api' } },
    });
    const profile = (await get(`/api/v1/customers/${customer.id}/profile`, a.secretKey)).json();
    expect(profile.consent).toMatchObject({ accepts_marketing: true, email: { status: 'subscribed' }, sms: { status: 'unsubscribed' } });
    expect(profile.identity).toMatchObject({ birthday: '1990-02-28', language: 'pt-BR', timezone: 'America/Sao_Paulo' });
    // accepts_marketing alone still works and moves the email consent.
    await put('consent-1', { accepts_marketing: false });
    expect((await get('/api/v1/customers/ext:consent-1', a.secretKey)).json().consent.email.status).toBe('unsubscribed');
    // A customer written without consent was never asked.
    await put('consent-2', { email: 'c2@example.com' });
    expect((await get('/api/v1/customers/ext:consent-2', a.secretKey)).json().consent).toMatchObject({ email: { status: 'never_asked', at: null }, sms: { status: 'never_asked' } });
  });

  it('names the field of a bad consent, birthday, language or time zone', async () => {
    const cases: [object, string][] = [
      [{ email_consent: { status: 'maybe' } }, 'email_consent.status'],
      [{ birthday: '1990-02-30' }, 'birthday'],
      [{ language: 'english please' }, 'language'],
      [{ timezone: 'Mars/Olympus' }, 'timezone'],
    ];
    for (const [body, path] of cases) {
      const response = await put('consent-bad', body);
      expect(response.statusCode, path).toBe(422);
      expect(response.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
  });
});
