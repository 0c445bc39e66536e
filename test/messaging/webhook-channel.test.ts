/**
 * The webhook channel against a real local HTTP receiver: each message is one signed JSON POST
 * whose signature the test checks with its own HMAC; a 500 is tried again with the same body and
 * idempotency key and delivered once; a 4xx fails for good; consent and the secret shown once.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';
import { signatureValid, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

let t: TestApp;
let receiver: WebhookReceiver;

beforeAll(async () => {
  t = await createTestApp();
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

async function webhookStore(settings: Record<string, unknown> = {}) {
  const store = await t.newStore('Webhook Store');
  await t.services.commerce.write(store.storeId, {
    customers: [
      { external_id: 'ada', email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace', phone: '+14155550301', email_consent: { status: 'subscribed' as const }, sms_consent: { status: 'never_asked' as const } },
      { external_id: 'bob', email: 'bob@example.com', first_name: 'Bob', email_consent: { status: 'unsubscribed' as const }, sms_consent: { status: 'subscribed' as const } },
    ],
  });
  const rows = await t.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', store.storeId).execute();
  const ids = new Map(rows.map((r) => [r.external_id!, Number(r.id)]));
  const { cookie, csrf } = await t.signIn(store.ownerEmail, store.ownerPassword);
  const owner = { cookie, 'x-csrf-token': csrf, 'x-hearth-store': store.storeId };
  const saved = await t.app.inject({ method: 'PATCH', url: '/api/v1/messaging/settings', headers: owner, payload: { webhook_url: receiver.url, ...settings } });
  expect(saved.statusCode).toBe(200);
  const secret = saved.json().webhook.secret as string;
  return { ...store, ids, owner, secret };
}

const requestsFor = (sendKey: string) => receiver.requests.filter((r) => r.headers['idempotency-key'] === sendKey);

describe('the webhook channel', () => {
  it('posts one signed JSON message per send key, with the customer, the content and the links', async () => {
    const store = await webhookStore();
    expect(store.secret).toMatch(/^whsec_/);
    const queued = await t.services.messages.queueMessages(store.storeId, [{
      channel: 'webhook', sendKey: `campaign:wa:${store.storeId}:ada`, purpose: 'marketing', customerId: store.ids.get('ada')!,
      build: (links) => ({ subject: 'Spring sale', text: `Hi Ada, 20% off. ${links.unsubscribe_url}`, html: '<p>Hi Ada</p>' }),
    }]);
    expect(await t.services.messages.sendBatch(store.storeId, queued.sends.map((s) => s.id))).toMatchObject({ sent: 1 });
    const [request] = requestsFor(`campaign:wa:${store.storeId}:ada`);
    expect(request).toBeDefined();
    expect(request!.headers['content-type']).toBe('application/json');
    expect(signatureValid(store.secret, request!)).toBe(true);
    expect(signatureValid('whsec_wrong', request!)).toBe(false);
    const body = JSON.parse(request!.body);
    expect(body).toMatchObject({
      send_key: `campaign:wa:${store.storeId}:ada`, channel: 'webhook', purpose: 'marketing',
      customer: { id: store.ids.get('ada'), external_id: 'ada', email: 'ada@example.com', phone: '+14155550301', name: 'Ada Lovelace' },
      content: { subject: 'Spring sale', html: '<p>Hi Ada</p>' },
    });
    expect(body.content.text).toContain(body.links.unsubscribe_url);

    // The Outbox shows the exact body posted.
    const detail = (await t.app.inject({ method: 'GET', url: `/api/v1/messages/${queued.sends[0]!.id}`, headers: bearer(store.secretKey) })).json();
    expect(detail.message).toMatchObject({ channel: 'webhook', to: receiver.url, state: 'sent' });
    expect(detail.content.payload).toBe(request!.body);

    // The secret is shown once: later answers give its last four characters only.
    const settings = (await t.app.inject({ method: 'GET', url: '/api/v1/messaging/settings', headers: bearer(store.secretKey) }));
    expect(settings.json().webhook).toMatchObject({ ready: true, url: receiver.url, secret_set: true, secret_hint: store.secret.slice(-4), consent: 'email' });
    expect(settings.body).not.toContain(store.secret);
  });

  it('tries again after a 500 with the same body and key, and the receiver gets it once; a 4xx fails for good', async () => {
    const store = await webhookStore();
    const key = `flow:${store.storeId}:9`;
    const queued = await t.services.messages.queueMessages(store.storeId, [{
      channel: 'webhook', sendKey: key, purpose: 'transactional', customerId: store.ids.get('bob')!, build: () => ({ text: 'Your order shipped' }),
    }]);
    const id = queued.sends[0]!.id;
    receiver.answerNext(500);
    expect(await t.services.messages.sendBatch(store.storeId, [id])).toMatchObject({ sent: 0, retried: 1 });
    expect(await t.services.messages.sendBatch(store.storeId, [id])).toMatchObject({ sent: 1 });
    const attempts = requestsFor(key);
    expect(attempts.map((r) => r.status)).toEqual([500, 200]);
    expect(attempts[1]!.body).toBe(attempts[0]!.body);
    expect(attempts.every((r) => signatureValid(store.secret, r))).toBe(true);
    expect([...receiver.delivered].filter((k) => k === key)).toHaveLength(1);
    const detail = (await t.app.inject({ method: 'GET', url: `/api/v1/messages/${id}`, headers: bearer(store.secretKey) })).json();
    expect(detail.history.map((h: { state: string; attempt: number }) => `${h.state}:${h.attempt}`)).toEqual(['queued:1', 'sending:1', 'queued:2', 'sending:2', 'sent:2']);

    const refusedKey = `flow:${store.storeId}:10`;
    const refused = await t.services.messages.queueMessages(store.storeId, [{
      channel: 'webhook', sendKey: refusedKey, purpose: 'transactional', customerId: store.ids.get('bob')!, build: () => ({ text: 'Receipt' }),
    }]);
    receiver.answerNext(422);
    expect(await t.services.messages.sendBatch(store.storeId, [refused.sends[0]!.id])).toMatchObject({ failed: 1, retried: 0 });
    expect(requestsFor(refusedKey)).toHaveLength(1);
  });

  it('needs the consent the store chose for marketing, and the receiver down is retried', async () => {
    const byEmail = await webhookStore();
    const queue = (store: typeof byEmail, tag: string) => t.services.messages.queueMessages(store.storeId, ['ada', 'bob'].map((p) => ({
      channel: 'webhook' as const, sendKey: `campaign:${tag}:${p}`, purpose: 'marketing' as const, customerId: store.ids.get(p)!, build: () => ({ text: `Hello ${p}` }),
    })));
    const first = await queue(byEmail, `${byEmail.storeId}:e`);
    await t.services.messages.sendBatch(byEmail.storeId, first.sends.map((s) => s.id));
    const states = async (store: typeof byEmail) => (await t.app.inject({ method: 'GET', url: '/api/v1/messages', headers: bearer(store.secretKey) })).json().data
      .map((m: { send_key: string; state: string; reason: string | null }) => `${m.send_key.split(':').at(-1)}:${m.state}:${m.reason ?? ''}`).sort();
    expect(await states(byEmail)).toEqual(['ada:sent:', 'bob:suppressed:no_consent']);
    // The suppression list is read by the customer's email: a complaint stops the next one.
    await t.services.suppressions.add(byEmail.storeId, { address: 'ada@example.com', reason: 'complaint' });
    const later = await queue(byEmail, `${byEmail.storeId}:later`);
    expect(await t.services.messages.sendBatch(byEmail.storeId, later.sends.map((s) => s.id))).toMatchObject({ sent: 0, suppressed: 2 });
    const [adaLater] = (await t.services.messages.list(byEmail.storeId, { limit: 5 })).filter((m) => m.send_key.endsWith(':later:ada'));
    expect(adaLater).toMatchObject({ state: 'suppressed', reason: 'complaint' });

    const bySms = await webhookStore({ webhook_consent: 'sms' });
    const second = await queue(bySms, `${bySms.storeId}:s`);
    await t.services.messages.sendBatch(bySms.storeId, second.sends.map((s) => s.id));
    expect(await states(bySms)).toEqual(['ada:suppressed:no_consent', 'bob:sent:']);

    // A receiver that is not listening: nothing was delivered, so the message waits for its next attempt.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await t.services.messages.updateSettings(bySms.storeId, { webhook_url: `http://127.0.0.1:${port}/nothing-listens` });
    const down = await t.services.messages.queueMessages(bySms.storeId, [{ channel: 'webhook', sendKey: 'test:down', purpose: 'transactional', customerId: bySms.ids.get('bob')!, build: () => ({ text: 'x' }) }]);
    expect(await t.services.messages.sendBatch(bySms.storeId, [down.sends[0]!.id])).toMatchObject({ retried: 1 });
  });

  it('rotates the secret, shows the new one once, and signs with it', async () => {
    const store = await webhookStore();
    const rotated = await t.app.inject({ method: 'POST', url: '/api/v1/messaging/webhook-secret', headers: store.owner });
    expect(rotated.statusCode).toBe(200);
    const secret = rotated.json().webhook.secret as string;
    expect(secret).not.toBe(store.secret);
    const queued = await t.services.messages.queueMessages(store.storeId, [{ channel: 'webhook', sendKey: `test:${store.storeId}:rotated`, purpose: 'transactional', customerId: null, build: () => ({ text: 'ping' }) }]);
    await t.services.messages.sendBatch(store.storeId, [queued.sends[0]!.id]);
    const [request] = requestsFor(`test:${store.storeId}:rotated`);
    expect(signatureValid(secret, request!)).toBe(true);
    expect(signatureValid(store.secret, request!)).toBe(false);

    const notHttp = await t.app.inject({ method: 'PATCH', url: '/api/v1/messaging/settings', headers: store.owner, payload: { webhook_url: 'ftp://example.com/x' } });
    expect(notHttp.statusCode).toBe(422);
    expect(errorOf(notHttp).details).toEqual([expect.objectContaining({ path: 'webhook_url' })]);
    const bySecretKey = await t.app.inject({ method: 'POST', url: '/api/v1/messaging/webhook-secret', headers: bearer(store.secretKey) });
    expect(bySecretKey.statusCode).toBe(403);
  });
});
