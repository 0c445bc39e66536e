/**
 * A lone UTF-16 surrogate is valid JSON but not text. Sent in traits or properties it used to be
 * stored and then break every segment preview of the store (500, "no low surrogate"); tracking now
 * repairs it to U+FFFD at the edge, and the admin API refuses it naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basic } from '../helpers/ingest.js';

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Surrogate Store');
  await t.services.accounts.updateStore(store.storeId, { shopifySecret: key });
});
afterAll(async () => t.close());

const key = 'shpss_surrogates_0123456789abcdef';
const secret = () => ({ authorization: `Bearer ${store.secretKey}`, 'content-type': 'application/json' });

describe('lone surrogates', () => {
  it('tracked traits and properties are repaired, and segment previews over them keep working', async () => {
    // Written as JSON text: JSON.stringify would escape the surrogate the same way a broken client does.
    const body = '{"batch":[{"type":"identify","userId":"u-1","traits":{"plan":"gold\\ud800","email":"u1@example.com"},"messageId":"s-1"},'
      + '{"type":"track","event":"Product Viewed","userId":"u-1","properties":{"category":"shoes\\udc00","\\ud801key":1},"messageId":"s-2"}]}';
    const sent = await t.app.inject({ method: 'POST', url: '/v1/batch', headers: { ...basic(store.writeKey), 'content-type': 'application/json' }, payload: body });
    expect(sent.statusCode).toBe(200);
    expect(sent.json()).toMatchObject({ stored: 2 });
    for (const rule of [
      { kind: 'attribute', name: 'plan', op: 'eq', value: 'gold\ufffd' },
      { kind: 'event', name: 'Product Viewed', where: [{ property: 'category', op: 'eq', value: 'shoes\ufffd' }] },
    ]) {
      const preview = await t.app.inject({ method: 'POST', url: '/api/v1/segments/preview', headers: secret(), payload: { rule } });
      expect(preview.statusCode, preview.body).toBe(200);
      expect(preview.json().count).toBe(1);
    }
  });

  it('the admin API refuses them with a 422 naming the field, writing nothing', async () => {
    const body = '{"email":"x@example.com","attributes":{"plan":"gold\\ud800"}}';
    const response = await t.app.inject({ method: 'PUT', url: '/api/v1/customers/c-bad', headers: secret(), payload: body });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.details).toEqual([expect.objectContaining({ path: 'attributes.plan' })]);
    const read = await t.app.inject({ method: 'GET', url: '/api/v1/customers/c-bad', headers: secret() });
    expect(read.statusCode).toBe(404);
  });

  it('a Shopify webhook\'s customer name is repaired', async () => {
    const { createHmac } = await import('node:crypto');
    const body = '{"id":4242,"email":"s@example.com","first_name":"Jo\\udc00"}';
    const response = await t.app.inject({ method: 'POST', url: `/webhooks/shopify/${store.storeId}`, payload: body, headers: {
      'content-type': 'application/json', 'x-shopify-topic': 'customers/create', 'x-shopify-webhook-id': 'sur-1',
      'x-shopify-hmac-sha256': createHmac('sha256', key).update(body).digest('base64'),
    } });
    expect(response.statusCode).toBe(200);
    const row = await t.services.storage.read.selectFrom('customers').select('first_name').where('external_id', '=', '4242').executeTakeFirstOrThrow();
    expect(row.first_name).toBe('Jo\ufffd');
  });
});
