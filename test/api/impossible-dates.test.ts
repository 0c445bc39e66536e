/** A date that does not exist (2024-02-30) is refused naming the field, never rolled over to March. */
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
