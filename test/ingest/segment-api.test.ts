import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, ingestApp, messageId, rows, rudderStyle } from '../helpers/ingest.js';

type App = Awaited<ReturnType<typeof ingestApp>>;
let t: App;

beforeAll(async () => {
  t = await ingestApp();
});
afterAll(async () => {
  await t.close();
});

const batch = (app: App, events: unknown[], headers: Record<string, string> = basic(app.serverKey)) =>
  app.app.inject({ method: 'POST', url: '/v1/batch', headers, payload: { batch: events, sentAt: new Date().toISOString() } });

describe('Segment tracking API', () => {
  it('stores a batch, and a retried batch stores each event once', async () => {
    const events = [
      { type: 'page', anonymousId: 'anon-1', messageId: messageId(), name: 'Home', properties: { url: 'https://shop.test/' } },
      { type: 'track', anonymousId: 'anon-1', messageId: messageId(), event: 'Product Viewed', properties: { product_id: 'p1', price: 19.5 } },
    ];
    const first = await batch(t, events);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ success: true, received: 2, stored: 2, duplicates: 0, rejected: [] });
    const retry = await batch(t, events);
    expect(retry.json()).toMatchObject({ stored: 0, duplicates: 2 });
    const stored = await rows<{ n: number }>(t.services, 'select count(*) as n from events where store_id = ? and anonymous_id = ?', t.storeId, 'anon-1');
    expect(Number(stored[0]!.n)).toBe(2);
    const page = await rows<{ url: string; name: string; type: string }>(t.services, "select url, name, type from events where store_id = ? and type = 'page' and anonymous_id = ?", t.storeId, 'anon-1');
    expect(page[0]).toEqual({ url: 'https://shop.test/', name: 'Home', type: 'page' });
  });

  it('rejects each invalid event with its index and reason and keeps the valid ones', async () => {
    const response = await batch(t, [
      { type: 'track', anonymousId: 'anon-2', messageId: messageId(), event: 'Signed Up' },
      { type: 'track', anonymousId: 'anon-2', messageId: messageId() },
      { type: 'teleport', userId: 'u' },
      { type: 'page', messageId: messageId() },
      { type: 'track', anonymousId: 'anon-2', event: 'Big', properties: { blob: 'x'.repeat(33 * 1024) } },
      { type: 'track', anonymousId: 'anon-2', event: 'Order Completed', properties: { total: 10 } },
    ]);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.stored).toBe(1);
    expect(body.rejected.map((r: { index: number; path: string }) => [r.index, r.path])).toEqual([
      [1, 'event'], [2, 'type'], [3, 'userId'], [4, ''], [5, 'properties.order_id'],
    ]);
    expect(body.rejected[2].reason).toBe('userId or anonymousId is required');
    expect(body.rejected[3].reason).toMatch(/at most 32768 bytes/);
  });

  it('answers 422 naming the fields when every event is invalid', async () => {
    const response = await batch(t, [{ type: 'track', userId: 'u1' }]);
    expect(response.statusCode).toBe(422);
    expect(response.json().error.details).toEqual([{ path: 'batch.0.event', reason: 'is required for track' }]);
  });

  it('accepts gzip labelled as a form (RudderStack) and writeKey in the body', async () => {
    const gz = rudderStyle({ batch: [{ type: 'track', anonymousId: 'anon-3', messageId: messageId(), event: 'Gzipped' }] });
    const response = await t.app.inject({ method: 'POST', url: '/v1/batch', headers: { ...gz.headers, ...basic(t.writeKey) }, payload: gz.payload });
    expect(response.statusCode).toBe(200);
    expect(response.json().stored).toBe(1);
    const inBody = await t.app.inject({ method: 'POST', url: '/v1/track', payload: { writeKey: t.writeKey, anonymousId: 'anon-3', event: 'Key In Body' } });
    expect(inBody.statusCode).toBe(200);
    const names = await rows<{ name: string }>(t.services, 'select name from events where store_id = ? and anonymous_id = ? order by id', t.storeId, 'anon-3');
    expect(names.map((r) => r.name)).toEqual(['Gzipped', 'Key In Body']);
  });

  it('refuses missing or unknown keys, corrupt gzip and oversized batches', async () => {
    const event = { anonymousId: 'a', event: 'X' };
    expect((await t.app.inject({ method: 'POST', url: '/v1/track', payload: event })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/v1/track', headers: basic('hk_write_nope'), payload: event })).statusCode).toBe(401);
    const corrupt = await t.app.inject({ method: 'POST', url: '/v1/batch', headers: { ...basic(t.writeKey), 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: Buffer.from('not gzip at all') });
    expect(corrupt.statusCode).toBe(400);
    const big = Array.from({ length: 40 }, () => ({ type: 'track', anonymousId: 'a', event: 'Big', properties: { blob: 'y'.repeat(15_000) } }));
    const tooLarge = await batch(t, big);
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().error.code).toBe('payload_too_large');
  });

  it('answers CORS preflight for the snippet', async () => {
    const response = await t.app.inject({ method: 'OPTIONS', url: '/v1/batch', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('https://shop.example');
  });

  it('identify upserts the customer and stitches earlier anonymous browsing to the profile', async () => {
    await batch(t, [{ type: 'track', anonymousId: 'anon-9', messageId: messageId(), event: 'Product Viewed', properties: { product_id: 'p9' } }]);
    const identify = await t.app.inject({
      method: 'POST', url: '/v1/identify', headers: basic(t.serverKey),
      payload: { userId: 'cust-9', anonymousId: 'anon-9', traits: { email: 'Ada@Example.com', name: 'Ada Lovelace', phone: '+44 20 7946 0000', address: { city: 'London', country: 'GB' }, birthday: '1815-12-10', accepts_marketing: true, sms_consent: 'unsubscribed', plan: 'gold' },
        context: { timezone: 'Europe/London', locale: 'en-GB' } },
    });
    expect(identify.statusCode).toBe(200);
    const customer = await rows<{ id: number; email: string; first_name: string; last_name: string; city: string; accepts_marketing: boolean; attributes: string }>(t.services,
      `select id, email, first_name, last_name, city, accepts_marketing, attributes, birthday, language, timezone, email_consent, email_consent_source, sms_consent
       from customers where store_id = ? and external_id = ?`, t.storeId, 'cust-9');
    expect(customer[0]).toMatchObject({
      email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace', city: 'London', accepts_marketing: true,
      birthday: '1815-12-10', language: 'en-GB', timezone: 'Europe/London', email_consent: 'subscribed', email_consent_source: 'api', sms_consent: 'unsubscribed',
    });
    expect(JSON.parse(customer[0]!.attributes)).toEqual({ address: { city: 'London', country: 'GB' }, plan: 'gold' });
    // A later anonymous event of the same browser also lands on the profile.
    await batch(t, [{ type: 'track', anonymousId: 'anon-9', messageId: messageId(), event: 'Cart Viewed' }]);
    const timeline = await t.services.events.timelineOf(t.storeId, customer[0]!.id);
    expect(timeline.map((e) => e.name ?? e.type)).toEqual(['Cart Viewed', 'identify', 'Product Viewed']);
    const unattached = await rows<{ n: number }>(t.services, 'select count(*) as n from events where store_id = ? and anonymous_id = ? and customer_id is null', t.storeId, 'anon-9');
    expect(Number(unattached[0]!.n)).toBe(0);
  });

  it('alias links a previous id to the customer', async () => {
    await batch(t, [
      { type: 'page', anonymousId: 'anon-old', messageId: messageId(), name: 'Landing' },
      { type: 'identify', userId: 'cust-10', messageId: messageId(), traits: { email: 'bo@example.com' } },
      { type: 'alias', previousId: 'anon-old', userId: 'cust-10', messageId: messageId() },
    ]);
    const [customer] = await rows<{ id: number }>(t.services, 'select id from customers where store_id = ? and external_id = ?', t.storeId, 'cust-10');
    const timeline = await t.services.events.timelineOf(t.storeId, customer!.id);
    expect(timeline.map((e) => e.type).sort()).toEqual(['alias', 'identify', 'page']);
  });

  it('shows received, stored, rejected with reasons and deduplicated per source', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/ingest/status', headers: { authorization: `Bearer ${t.secretKey}` } });
    expect(response.statusCode).toBe(200);
    const api = response.json().sources.find((s: { source: string }) => s.source === 'api');
    const [counts] = await rows<{ n: number }>(t.services, 'select count(*) as n from events where store_id = ?', t.storeId);
    expect(api.stored).toBe(Number(counts!.n));
    expect(api.deduplicated).toBe(2);
    expect(api.rejected).toBe(6);
    expect(api.received).toBe(api.stored + api.rejected + api.deduplicated);
    expect(api.top_rejections.map((r: { reason: string }) => r.reason)).toContain('event: is required for track');
  });

  it('admits only the store\'s tracking origins once it lists them, and names a bad one', async () => {
    const shop = await t.newStore('Origin Shop');
    const session = await t.signIn(shop.ownerEmail, shop.ownerPassword);
    const owner = { cookie: session.cookie, 'x-csrf-token': session.csrf };
    const patch = (tracking_origins: unknown) => t.app.inject({ method: 'PATCH', url: '/api/v1/store', headers: owner, payload: { tracking_origins } });

    const bad = await patch(['https://shop.example', 'https://shop.example/products']);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details).toEqual([expect.objectContaining({ path: 'tracking_origins.1', reason: expect.stringContaining('without a path') })]);
    const set = await patch(['https://shop.example', 'https://*.shop-cdn.example']);
    expect(set.statusCode).toBe(200);
    expect(set.json().tracking_origins).toEqual(['https://shop.example', 'https://*.shop-cdn.example']);

    const send = (origin: string | undefined, id: string) => t.app.inject({
      method: 'POST', url: '/v1/batch', headers: { ...basic(shop.writeKey), ...(origin && { origin }) },
      payload: { batch: [{ type: 'track', anonymousId: 'o-1', event: 'Origin Test', messageId: id }] },
    });
    const foreign = await send('https://elsewhere.example', 'origin-foreign');
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().error.message).toContain('https://elsewhere.example');
    expect((await send('https://shop.example', 'origin-own')).statusCode).toBe(200);
    expect((await send('https://www.shop-cdn.example', 'origin-sub')).statusCode).toBe(200);
    expect((await send('https://shop-cdn.example', 'origin-bare')).statusCode).toBe(403);
    expect((await send(undefined, 'origin-server')).statusCode).toBe(200); // servers send no Origin
    const stored = await rows<{ message_id: string }>(t.services, 'select message_id from events where store_id = ? order by message_id', shop.storeId);
    expect(stored.map((r) => r.message_id)).toEqual(['origin-own', 'origin-server', 'origin-sub']);
  });
});

