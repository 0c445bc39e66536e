/** Bad input reproduced from real reports: each is a 4xx in the API's error shape, never a 500. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Hostile Input');
});
afterAll(async () => t.close());

const auth = () => ({ authorization: `Bearer ${store.secretKey}` });
const expectClientError = (response: { statusCode: number; json: () => unknown; body: string }, status?: number) => {
  expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
  expect(response.statusCode, response.body).toBeLessThan(500);
  if (status) expect(response.statusCode, response.body).toBe(status);
  expect(response.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String), details: expect.any(Array) } });
};

describe('no 500s on bad input', () => {
  it('an empty store settings patch', async () => {
    const response = await t.app.inject({ method: 'PATCH', url: '/api/v1/store', headers: auth(), payload: {} });
    expect(response.statusCode, response.body).toBeLessThan(500);
  });

  it('forged list cursors', async () => {
    for (const cursor of [JSON.stringify(['a', 1]), JSON.stringify([9e99]), 'not-base64-$$', Buffer.from('[9e99]').toString('base64url'), Buffer.from('["a",1]').toString('base64url')]) {
      for (const list of ['customers', 'orders', 'products', 'returns']) {
        const response = await t.app.inject({ method: 'GET', url: `/api/v1/${list}?cursor=${encodeURIComponent(cursor)}`, headers: auth() });
        expectClientError(response);
      }
    }
  });

  it('a deeply nested segment rule', async () => {
    // Written as text: the client's own JSON.stringify would overflow first.
    const depth = 5000;
    const rule = `${'{"kind":"not","rule":'.repeat(depth)}{"kind":"profile","field":"country","op":"eq","value":"US"}${'}'.repeat(depth)}`;
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/segments/preview', headers: { ...auth(), 'content-type': 'application/json' }, payload: `{"rule":${rule}}` });
    expectClientError(response, 422);
    expect(response.json().error.details[0]).toMatchObject({ path: 'rule', reason: expect.stringMatching(/nested more than/) });
  });

  it("router errors: bad percent-encoding and a too-long URL, in the API's own shape", async () => {
    expectClientError(await t.app.inject({ method: 'GET', url: '/api/v1/customers/%E0%A4%A', headers: auth() }));
    expectClientError(await t.app.inject({ method: 'GET', url: `/api/v1/customers/${'x'.repeat(20_000)}`, headers: auth() }));
  });

  it('external ids up to 255 characters can be created and addressed by URL; longer ones are refused', async () => {
    const id = 'e'.repeat(200);
    const created = await t.app.inject({ method: 'PUT', url: `/api/v1/customers/${id}`, headers: auth(), payload: { email: 'long@example.com' } });
    expect(created.statusCode, created.body).toBe(201);
    const read = await t.app.inject({ method: "GET", url: `/api/v1/customers/ext:${id}`, headers: auth() });
    expect(read.statusCode, read.body).toBe(200);
    expectClientError(await t.app.inject({ method: 'PUT', url: `/api/v1/customers/${'e'.repeat(300)}`, headers: auth(), payload: {} }));
  });

  it('a JSON body sent to the file import', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/imports', headers: auth(), payload: { format: 'jsonl' } });
    expectClientError(response);
  });

  it('an import upload with no body, or with a JSON body and a format in the query, is a 415 naming the body', async () => {
    const none = await t.app.inject({ method: 'POST', url: '/api/v1/imports?format=cdnow', headers: auth() });
    expectClientError(none, 415);
    expect(none.json().error.details).toEqual([{ path: '(body)', reason: expect.stringMatching(/^missing/) }]);
    const json = await t.app.inject({ method: 'POST', url: '/api/v1/imports?format=jsonl', headers: auth(), payload: { id: 'c-1' } });
    expectClientError(json, 415);
    expect(json.json().error.details).toEqual([{ path: '(body)', reason: expect.stringMatching(/not JSON/) }]);
  });
});
