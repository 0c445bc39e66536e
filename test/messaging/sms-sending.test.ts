/**
 * SMS for real: messages go through the product's HTTP client to a local stand-in of a
 * Twilio-compatible API that checks the credentials and speaks the documented request and answer.
 * What the stand-in received, and the ledger the API shows, are what is checked: SMS consent, the
 * number in E.164 form, the opt-out line, segments, idempotent queuing, a retry after a 503 with
 * exactly one message delivered, and the API's refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';
import { smsSettings, startSmsApi, type SmsApi } from '../helpers/sms-api.js';

let t: TestApp;
let api: SmsApi;

beforeAll(async () => {
  t = await createTestApp();
  api = await startSmsApi();
});
afterAll(async () => {
  await t.close();
  await api.close();
});

type Consent = 'subscribed' | 'unsubscribed' | 'never_asked';

async function smsStore(customers: { id: string; phone: string | null; country?: string; sms: Consent }[], credentials = { sid: api.accountSid, token: api.authToken }) {
  const store = await t.newStore('SMS Store');
  await t.services.commerce.write(store.storeId, {
    customers: customers.map((c) => ({ external_id: c.id, email: `${c.id}@example.com`, first_name: c.id, phone: c.phone, country: c.country ?? null, sms_consent: { status: c.sms } })),
  });
  const rows = await t.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', store.storeId).execute();
  const ids = new Map(rows.map((r) => [r.external_id!, Number(r.id)]));
  const { cookie, csrf } = await t.signIn(store.ownerEmail, store.ownerPassword);
  const patched = await t.app.inject({
    method: 'PATCH', url: '/api/v1/messaging/settings', headers: { cookie, 'x-csrf-token': csrf, 'x-hearth-store': store.storeId },
    payload: smsSettings({ ...api, accountSid: credentials.sid, authToken: credentials.token }),
  });
  expect(patched.statusCode).toBe(200);
  return { ...store, ids };
}

async function ledger(store: { secretKey: string }) {
  const response = await t.app.inject({ method: 'GET', url: '/api/v1/messages?limit=200', headers: bearer(store.secretKey) });
  expect(response.statusCode).toBe(200);
  return response.json().data as { id: number; send_key: string; channel: string; to: string; state: string; reason: string | null; attempts: number; provider_message_id: string | null; sms: { encoding: string; segments: number } | null }[];
}

const sentTo = (number: string) => api.sent.filter((m) => m.to === number);

describe('sending SMS through a Twilio-compatible API', () => {
  it('texts subscribed customers once, in E.164, with the opt-out line, and suppresses the rest with the reason', async () => {
    const store = await smsStore([
      { id: 'ada', phone: '+1 (415) 555-0101', sms: 'subscribed' },
      { id: 'bob', phone: '+14155550102', sms: 'never_asked' },
      { id: 'cy', phone: '+14155550103', sms: 'unsubscribed' },
      { id: 'dee', phone: '07700 900123', country: 'GB', sms: 'subscribed' },
      { id: 'eve', phone: 'call me maybe', sms: 'subscribed' },
      { id: 'fay', phone: null, sms: 'subscribed' },
    ]);
    const people = ['ada', 'bob', 'cy', 'dee', 'eve', 'fay'];
    const queue = () => t.services.messages.queueMessages(store.storeId, people.map((p) => ({
      channel: 'sms' as const, sendKey: `campaign:spring:${p}`, purpose: 'marketing' as const, customerId: store.ids.get(p)!, source: 'campaign:spring',
      build: () => ({ text: `Hi ${p}, spring is here: 20% off until Sunday.` }),
    })));
    const first = await queue();
    expect(first.queued).toBe(6);
    const result = await t.services.messages.sendBatch(store.storeId, first.sends.map((s) => s.id));
    expect(result).toMatchObject({ sent: 2, failed: 0, uncertain: 0, retried: 0 });

    expect(sentTo('+14155550101')).toHaveLength(1);
    expect(sentTo('+447700900123')).toHaveLength(1);
    const ada = sentTo('+14155550101')[0]!;
    expect(ada.body).toBe('Hi ada, spring is here: 20% off until Sunday.\nReply STOP to opt out');
    expect(ada.from).toBe('+15005550006');
    expect(ada.statusCallback).toMatch(new RegExp(`/webhooks/sms/twilio/${store.storeId}/[\\w-]+/status$`));

    const rows = new Map((await ledger(store)).map((m) => [m.send_key.split(':')[2]!, m]));
    expect(rows.get('ada')).toMatchObject({ channel: 'sms', to: '+14155550101', state: 'sent', provider_message_id: ada.sid });
    expect(rows.get('bob')).toMatchObject({ state: 'suppressed', reason: 'no_consent' });
    expect(rows.get('cy')).toMatchObject({ state: 'suppressed', reason: 'no_consent' });
    expect(rows.get('eve')).toMatchObject({ state: 'suppressed', reason: 'invalid_address' });
    expect(rows.get('fay')).toMatchObject({ state: 'suppressed', reason: 'no_address' });

    // Queuing the same keys again queues and sends nothing.
    const before = api.sent.length;
    const again = await queue();
    expect(again).toMatchObject({ queued: 0, existing: 6, job_ids: [] });
    await t.services.messages.sendBatch(store.storeId, first.sends.map((s) => s.id));
    expect(api.sent.length).toBe(before);
  });

  it('records the encoding and segments of each body', async () => {
    const store = await smsStore([{ id: 'ada', phone: '+14155550111', sms: 'subscribed' }]);
    const bodies = { short: 'Your order has shipped.', long: 'x'.repeat(200), braces: '{'.repeat(81), emoji: `Thanks for your order 🎉 ${'y'.repeat(60)}` };
    const queued = await t.services.messages.queueMessages(store.storeId, Object.entries(bodies).map(([name, text]) => ({
      channel: 'sms' as const, sendKey: `test:${name}`, purpose: 'transactional' as const, customerId: store.ids.get('ada')!, build: () => ({ text }),
    })));
    await t.services.messages.sendBatch(store.storeId, queued.sends.map((s) => s.id));
    const rows = new Map((await ledger(store)).map((m) => [m.send_key.slice(5), m.sms]));
    // GSM-7: 160 septets in one message, 153 a segment after; `{` takes two. UCS-2: 70 units, 67 a segment.
    expect(rows.get('short')).toEqual({ encoding: 'GSM-7', segments: 1, units: bodies.short.length });
    expect(rows.get('long')).toEqual({ encoding: 'GSM-7', segments: Math.ceil(200 / 153), units: 200 });
    expect(rows.get('braces')).toEqual({ encoding: 'GSM-7', segments: Math.ceil(162 / 153), units: 162 });
    expect(rows.get('emoji')).toEqual({ encoding: 'UCS-2', segments: Math.ceil(bodies.emoji.length / 67), units: bodies.emoji.length });
    // Transactional texts carry no opt-out line.
    expect(sentTo('+14155550111').map((m) => m.body).sort()).toEqual(Object.values(bodies).sort());
  });

  it('tries again after a 503 and delivers exactly one message, with the attempts in the ledger', async () => {
    const store = await smsStore([{ id: 'gus', phone: '+14155550121', sms: 'subscribed' }]);
    const queued = await t.services.messages.queueMessages(store.storeId, [{
      channel: 'sms', sendKey: 'flow:7:1', purpose: 'transactional', customerId: store.ids.get('gus')!, build: () => ({ text: 'Your parcel is on its way.' }),
    }]);
    const id = queued.sends[0]!.id;
    api.failNext(1, 503);
    const requestsBefore = api.requests;
    const start = Date.now();
    expect(await t.services.messages.sendBatch(store.storeId, [id])).toMatchObject({ sent: 0, failed: 0, retried: 1 });
    const [waiting] = (await ledger(store)).filter((m) => m.id === id);
    expect(waiting).toMatchObject({ state: 'queued', reason: 'retry', attempts: 2 });
    // The retry is a job on the durable queue, due after the back-off.
    const jobs = await t.services.storage.read.selectFrom('jobs').select(['payload', 'run_at']).where('store_id', '=', store.storeId).where('kind', '=', 'messages.send').orderBy('id').execute();
    const retry = jobs.at(-1)!;
    expect(JSON.parse(retry.payload)).toEqual({ store_id: store.storeId, ids: [id] });
    expect(new Date(retry.run_at).getTime()).toBeGreaterThanOrEqual(start + 1000);

    expect(await t.services.messages.sendBatch(store.storeId, [id])).toMatchObject({ sent: 1, retried: 0 });
    expect(api.requests - requestsBefore).toBe(2);
    expect(sentTo('+14155550121')).toHaveLength(1);
    const history = (await t.app.inject({ method: 'GET', url: `/api/v1/messages/${id}`, headers: bearer(store.secretKey) })).json().history as { state: string; attempt: number }[];
    expect(history.map((h) => `${h.state}:${h.attempt}`)).toEqual(['queued:1', 'sending:1', 'queued:2', 'sending:2', 'sent:2']);
  });

  it('fails for good on the API\'s refusals: an opted-out number is suppressed as unsubscribed, bad credentials are a transport error', async () => {
    const store = await smsStore([{ id: 'hal', phone: '+14155550131', sms: 'subscribed' }]);
    api.optedOut.add('+14155550131');
    const queued = await t.services.messages.queueMessages(store.storeId, [{
      channel: 'sms', sendKey: 'test:optout', purpose: 'transactional', customerId: store.ids.get('hal')!, build: () => ({ text: 'Receipt #1001' }),
    }]);
    expect(await t.services.messages.sendBatch(store.storeId, [queued.sends[0]!.id])).toMatchObject({ failed: 1 });
    expect((await ledger(store))[0]).toMatchObject({ state: 'failed', reason: 'unsubscribed' });
    const suppressions = await t.app.inject({ method: 'GET', url: '/api/v1/suppressions', headers: bearer(store.secretKey) });
    expect(suppressions.json().data).toEqual([expect.objectContaining({ address: '+14155550131', reason: 'unsubscribed', source: 'sms' })]);

    const wrong = await smsStore([{ id: 'ivy', phone: '+14155550141', sms: 'subscribed' }], { sid: api.accountSid, token: 'not-the-token' });
    const requestsBefore = api.requests;
    const bad = await t.services.messages.queueMessages(wrong.storeId, [{
      channel: 'sms', sendKey: 'test:auth', purpose: 'transactional', customerId: wrong.ids.get('ivy')!, build: () => ({ text: 'Receipt #1002' }),
    }]);
    expect(await t.services.messages.sendBatch(wrong.storeId, [bad.sends[0]!.id])).toMatchObject({ failed: 1 });
    expect((await ledger(wrong))[0]).toMatchObject({ state: 'failed', reason: 'transport_error' });
    expect(api.requests).toBe(requestsBefore);
    expect(sentTo('+14155550141')).toHaveLength(0);
  });

  it('queues an SMS through the API: a number it cannot read is refused naming the field; settings never show the token', async () => {
    const store = await smsStore([]);
    const invalid = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: bearer(store.secretKey), payload: { channel: 'sms', to: '555-0199', text: 'Hello' } });
    expect(invalid.statusCode).toBe(422);
    expect(errorOf(invalid).details).toEqual([expect.objectContaining({ path: 'to' })]);
    const noBody = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: bearer(store.secretKey), payload: { channel: 'sms', to: '+14155550151' } });
    expect(noBody.statusCode).toBe(422);
    expect(errorOf(noBody).details).toEqual([expect.objectContaining({ path: 'text' })]);

    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: bearer(store.secretKey), payload: { channel: 'sms', to: '+44 7700 900 456', text: 'Your code is 1234', send_key: 'otp:1' } });
    expect(ok.statusCode).toBe(202);
    expect(ok.json().message).toMatchObject({ channel: 'sms', to: '+447700900456', state: 'queued', sms: { encoding: 'GSM-7', segments: 1 } });
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: bearer(store.secretKey), payload: { channel: 'sms', to: '+44 7700 900 456', text: 'Your code is 1234', send_key: 'otp:1' } });
    expect(again.statusCode).toBe(200);
    expect(again.json().created).toBe(false);

    const settings = await t.app.inject({ method: 'GET', url: '/api/v1/messaging/settings', headers: bearer(store.secretKey) });
    expect(settings.json().sms).toMatchObject({ ready: true, base_url: api.baseUrl, account_sid: api.accountSid, auth_token_set: true, from: '+15005550006' });
    expect(settings.body).not.toContain(api.authToken);

    // A number can be suppressed by hand, like an address; the next text to it is not sent.
    const manual = await t.app.inject({ method: 'POST', url: '/api/v1/suppressions', headers: bearer(store.secretKey), payload: { address: '+447700900456' } });
    expect(manual.statusCode).toBe(201);
    const notNumber = await t.app.inject({ method: 'POST', url: '/api/v1/suppressions', headers: bearer(store.secretKey), payload: { address: '7700 900456' } });
    expect(notNumber.statusCode).toBe(422);
    expect(errorOf(notNumber).details).toEqual([expect.objectContaining({ path: 'address' })]);
    const later = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: bearer(store.secretKey), payload: { channel: 'sms', to: '+447700900456', text: 'Another code', send_key: 'otp:2' } });
    expect(await t.services.messages.sendBatch(store.storeId, [later.json().message.id])).toMatchObject({ sent: 0, suppressed: 1 });

    const unset = await t.newStore('No SMS');
    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/messages', headers: bearer(unset.secretKey), payload: { channel: 'sms', to: '+14155550161', text: 'Hi' } });
    expect(refused.statusCode).toBe(422);
    expect(errorOf(refused).details).toEqual([expect.objectContaining({ path: 'channel' })]);
  });
});
