/** Input Hearth cannot store faithfully — a date that does not exist (2024-02-30), an amount past 2^53 — is a 422 naming the field, never rolled over or a 500. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basic } from '../helpers/ingest.js';

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Calendar Store');
});
afterAll(async () => t.close());

describe('impossible dates', () => {
  it('an order placed on 2024-02-30 is a 422 naming placed_at, and nothing is written', async () => {
    const response = await t.app.inject({ method: 'PUT', url: '/api/v1/orders/feb-30', headers: { authorization: `Bearer ${store.secretKey}` }, payload: {
      customer_external_id: 'c-1', placed_at: '2024-02-30T10:00:00Z', currency: 'USD', lines: [{ product_external_id: 'p', quantity: 1, unit_price: 100 }],
    } });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.details).toEqual([expect.objectContaining({ path: 'placed_at' })]);
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/orders', headers: { authorization: `Bearer ${store.secretKey}` } });
    expect(JSON.stringify(listed.json())).not.toContain('feb-30');
  });

  it('a tracked event with an impossible timestamp is rejected by index, the rest stored', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/batch', headers: basic(store.writeKey), payload: { batch: [
      { type: 'track', event: 'Viewed', anonymousId: 'a', timestamp: '2024-02-30T10:00:00Z', messageId: 'bad-day' },
      { type: 'track', event: 'Viewed', anonymousId: 'a', timestamp: '2024-02-29T10:00:00Z', messageId: 'leap-day' },
    ] } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ stored: 1, rejected: [expect.objectContaining({ index: 0, path: 'timestamp' })] });
  });
});

describe('amounts beyond what Hearth stores exactly', () => {
  const put = (id: string, body: Record<string, unknown>) =>
    t.app.inject({ method: 'PUT', url: `/api/v1/orders/${id}`, headers: { authorization: `Bearer ${store.secretKey}` }, payload: body });
  const base = { customer_external_id: 'c-1', placed_at: '2024-02-29T10:00:00Z', currency: 'USD' };

  it('a line whose quantity × price overflows is a 422 naming it, not a 500', async () => {
    const response = await put('huge-line', { ...base, lines: [{ product_external_id: 'p', quantity: 2147483, unit_price: 9007199254740991 }] });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.details).toEqual([expect.objectContaining({ path: 'lines.0.unit_price' })]);
  });

  it('lines that add up past the limit, or parts whose total does, are a 422 naming the field', async () => {
    const big = 9007199254740000;
    const lines = await put('huge-sum', { ...base, lines: [{ product_external_id: 'p', quantity: 1, unit_price: big }, { product_external_id: 'q', quantity: 1, unit_price: big }] });
    expect(lines.statusCode).toBe(422);
    expect(lines.json().error.details).toEqual([expect.objectContaining({ path: 'lines' })]);
    const parts = await put('huge-total', { ...base, shipping: big, tax: big, lines: [{ product_external_id: 'p', quantity: 1, unit_price: 100 }] });
    expect(parts.statusCode).toBe(422);
    expect(parts.json().error.details).toEqual([expect.objectContaining({ path: 'total' })]);
  });
});
