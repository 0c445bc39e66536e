import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anOrderJson } from '../builders/data.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let a: Awaited<ReturnType<TestApp['newStore']>>;
let b: Awaited<ReturnType<TestApp['newStore']>>;

beforeAll(async () => {
  t = await createTestApp();
  a = await t.newStore('Store A');
  b = await t.newStore('Store B');
});
afterAll(async () => t.close());

const request = (method: 'GET' | 'PUT', url: string, key: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(key), ...(payload !== undefined && { payload: payload as object }) });

describe('fulfilments through the admin API', () => {
  it('PUT creates, then updates; the order reads with its fulfilments; the other store sees none', async () => {
    expect((await request('PUT', '/api/v1/orders/L-1', a.secretKey, anOrderJson('L-1'))).statusCode).toBe(201);
    const shipment = { carrier: 'UPS', tracking_number: '1Z1', tracking_url: 'https://ups.example/1Z1', shipped_at: '2024-03-02T09:00:00Z',
      lines: [{ product_external_id: 'prod-1', sku: 'MUG', quantity: 2 }] };
    const created = await request('PUT', '/api/v1/orders/L-1/fulfillments/F-1', a.secretKey, shipment);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ result: 'created', data: { external_id: 'F-1', order_external_id: 'L-1', status: 'success', carrier: 'UPS', shipped_at: '2024-03-02T09:00:00.000Z' } });
    expect((await request('PUT', '/api/v1/orders/L-1/fulfillments/F-1', a.secretKey, shipment)).json().result).toBe('unchanged');
    const delivered = await request('PUT', '/api/v1/orders/L-1/fulfillments/F-1', a.secretKey, { shipment_status: 'delivered', delivered_at: '2024-03-04T15:00:00Z' });
    expect(delivered.statusCode).toBe(200);
    expect(delivered.json()).toMatchObject({ result: 'updated', data: { shipment_status: 'delivered', delivered_at: '2024-03-04T15:00:00.000Z', carrier: 'UPS' } });

    const order = (await request('GET', '/api/v1/orders/ext:L-1', a.secretKey)).json();
    expect(order.fulfillments).toHaveLength(1);
    expect(order.fulfillments[0]).toMatchObject({ external_id: 'F-1', lines: [{ product_external_id: 'prod-1', variant_external_id: null, sku: 'MUG', quantity: 2 }] });
    expect((await request('GET', '/api/v1/orders/ext:L-1', b.secretKey)).statusCode).toBe(404);
  });

  it('a fulfilment for an order not yet sent is kept and shows on the order once it arrives', async () => {
    expect((await request('PUT', '/api/v1/orders/L-2/fulfillments/F-2', a.secretKey, { shipped_at: '2024-03-02T09:00:00Z' })).statusCode).toBe(201);
    expect((await request('PUT', '/api/v1/orders/L-2', a.secretKey, anOrderJson('L-2'))).statusCode).toBe(201);
    expect((await request('GET', '/api/v1/orders/ext:L-2', a.secretKey)).json().fulfillments.map((f: { external_id: string }) => f.external_id)).toEqual(['F-2']);
  });

  it('bad input is a 4xx naming the field, and writes nothing', async () => {
    const cases: [unknown, string][] = [
      [{ status: 'shipped' }, 'status'],
      [{ shipped_at: 'yesterday' }, 'shipped_at'],
      [{ tracking_url: 'javascript:alert(1)' }, 'tracking_url'],
      [{ lines: [{ quantity: -1 }] }, 'lines.0.quantity'],
      [{ weight: 3 }, ''],
    ];
    for (const [payload, path] of cases) {
      const response = await request('PUT', '/api/v1/orders/L-1/fulfillments/F-bad', a.secretKey, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      const details = response.json().error.details as { path: string }[];
      expect(details.some((d) => (path === '' ? true : d.path === path)), JSON.stringify(details)).toBe(true);
    }
    expect(await t.services.storage.read.selectFrom('fulfillments').select('id').where('external_id', '=', 'F-bad').execute()).toHaveLength(0);
  });
});

describe('checkouts through the admin API', () => {
  it('lists open, abandoned and completed checkouts of the store only', async () => {
    const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);
    await t.services.commerce.write(a.storeId, { checkouts: [
      { external_id: 'K-old', currency: 'EUR', value: 5000, email: 'old@example.com', updated_at: minutesAgo(120), recovery_url: 'https://shop.example/r/K-old' },
      { external_id: 'K-new', currency: 'EUR', value: 1000, updated_at: minutesAgo(5) },
      { external_id: 'K-done', currency: 'EUR', value: 2000, updated_at: minutesAgo(300) },
    ] }, { source: 'api' });
    await t.services.commerce.write(a.storeId, { orders: [{ ...anOrderJson('L-9'), placed_at: new Date(), checkout_ids: ['K-done'] } as never] });
    const ids = async (query: string, key = a.secretKey) => (await request('GET', `/api/v1/checkouts${query}`, key)).json().data.map((c: { external_id: string }) => c.external_id);
    expect(await ids('?status=abandoned')).toEqual(['K-old']);
    expect(await ids('?status=abandoned&idle_minutes=1')).toEqual(['K-new', 'K-old']);
    expect(await ids('?status=open')).toEqual(['K-new', 'K-old']);
    expect(await ids('?status=completed')).toEqual(['K-done']);
    expect(await ids('', b.secretKey)).toEqual([]);
    const [abandoned] = (await request('GET', '/api/v1/checkouts?status=abandoned', a.secretKey)).json().data;
    expect(abandoned).toMatchObject({ status: 'abandoned', value: 5000, currency: 'EUR', recovery_url: 'https://shop.example/r/K-old', items: [] });
    const completed = (await request('GET', '/api/v1/checkouts?status=completed', a.secretKey)).json().data[0];
    expect(completed).toMatchObject({ status: 'completed', order_external_id: 'L-9' });

    const bad = await request('GET', '/api/v1/checkouts?status=lost', a.secretKey);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details[0].path).toBe('query.status');
    expect((await t.services.checkouts.abandoned(a.storeId, minutesAgo(60))).map((c) => c.external_id)).toEqual(['K-old']);
  });
});
