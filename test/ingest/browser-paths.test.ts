/**
 * Segment's browser library (`@segment/analytics-next`) posts to one-letter paths (`/v1/t`, `/v1/b`
 * …) and reads CORS headers on every answer: both the short paths and CORS on errors and unknown
 * paths are what keep its events from being lost silently.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basic } from '../helpers/ingest.js';

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Browser Paths');
});
afterAll(async () => t.close());

const origin = 'https://shop.example';

describe('the browser library\'s paths', () => {
  it('stores events sent to the short paths, with CORS headers', async () => {
    const sent = [
      await t.app.inject({ method: 'POST', url: '/v1/t', headers: { ...basic(store.writeKey), origin }, payload: { event: 'Product Viewed', anonymousId: 'a-1', messageId: 'short-1' } }),
      await t.app.inject({ method: 'POST', url: '/v1/p', headers: { ...basic(store.writeKey), origin }, payload: { name: 'Home', anonymousId: 'a-1', messageId: 'short-2' } }),
      await t.app.inject({ method: 'POST', url: '/v1/b', headers: { ...basic(store.writeKey), origin }, payload: { batch: [{ type: 'identify', userId: 'u-1', anonymousId: 'a-1', messageId: 'short-3' }] } }),
    ];
    for (const response of sent) {
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['access-control-allow-origin']).toBe(origin);
    }
    const status = await t.services.ingest.status(store.storeId);
    expect(status.sources.reduce((sum, s) => sum + s.stored, 0)).toBe(3);
  });

  it('answers errors and unknown paths with CORS headers too', async () => {
    const unknown = await t.app.inject({ method: 'POST', url: '/v1/x', headers: { ...basic(store.writeKey), origin }, payload: {} });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['access-control-allow-origin']).toBe(origin);
    const badKey = await t.app.inject({ method: 'POST', url: '/v1/t', headers: { ...basic('hk_write_nope'), origin }, payload: { event: 'X', anonymousId: 'a' } });
    expect(badKey.statusCode).toBe(401);
    expect(badKey.headers['access-control-allow-origin']).toBe(origin);
    const invalid = await t.app.inject({ method: 'POST', url: '/v1/t', headers: { ...basic(store.writeKey), origin }, payload: { anonymousId: 'a' } });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.headers['access-control-allow-origin']).toBe(origin);
  });

  it('allows the headers a preflight asks for: the library\'s retries add X-Retry-Count', async () => {
    const preflight = await t.app.inject({
      method: 'OPTIONS', url: '/v1/t',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-retry-count' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toBe('authorization,content-type,x-retry-count');
    expect(preflight.headers.vary).toContain('Access-Control-Request-Headers');
    const retried = await t.app.inject({ method: 'POST', url: '/v1/t', headers: { ...basic(store.writeKey), origin, 'x-retry-count': '1' }, payload: { event: 'Retried', anonymousId: 'a-2', messageId: 'retry-1' } });
    expect(retried.statusCode, retried.body).toBe(200);
    // A request that is not a list of header names gets the default list.
    const odd = await t.app.inject({ method: 'OPTIONS', url: '/v1/t', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-a\u0000, (b)' } });
    expect(odd.headers['access-control-allow-headers']).toBe('Authorization, Content-Type, Content-Encoding');
  });
});
