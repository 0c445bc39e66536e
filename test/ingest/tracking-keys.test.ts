/** Tracking routes take API keys: a signed-in dashboard user (an analyst included) cannot send events. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basic } from '../helpers/ingest.js';

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
      expect(response.json().error.message).toMatch(/API key, not a session/);
    }
    const status = await t.services.ingest.status(store.storeId);
    expect(status.sources.reduce((sum, s) => sum + s.stored, 0)).toBe(0);
  });

  it('takes the write key and the secret key', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/v1/track', headers: basic(store.writeKey), payload: event })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: `Bearer ${store.secretKey}` }, payload: { ...event, messageId: 'm-2' } })).statusCode).toBe(200);
  });
});
