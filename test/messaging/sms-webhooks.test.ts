/**
 * What the SMS provider posts back, signed as Twilio signs (the signature computed by the test's
 * own stand-in, not the product's code): a STOP reply unsubscribes the number from SMS (a consent
 * change on the profile and a suppression), START subscribes it again, HELP changes nothing, a
 * forged signature is refused with 403 and changes nothing; status callbacks append the delivery
 * state to the ledger, and an unreachable number is suppressed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { smsSettings, startSmsApi, twilioSignatureOf, type SmsApi } from '../helpers/sms-api.js';

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

async function smsStore() {
  const store = await t.newStore('SMS Replies');
  await t.services.commerce.write(store.storeId, {
    customers: [
      { external_id: 'ada', email: 'ada@example.com', phone: '+1 415 555 0201', sms_consent: { status: 'subscribed' as const } },
      { external_id: 'ben', email: 'ben@example.com', phone: '(415) 555-0202', country: 'US', sms_consent: { status: 'subscribed' as const } },
    ],
  });
  const rows = await t.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', store.storeId).execute();
  const ids = new Map(rows.map((r) => [r.external_id!, Number(r.id)]));
  const { cookie, csrf } = await t.signIn(store.ownerEmail, store.ownerPassword);
  const settings = await t.app.inject({
    method: 'PATCH', url: '/api/v1/messaging/settings', headers: { cookie, 'x-csrf-token': csrf, 'x-hearth-store': store.storeId },
    payload: smsSettings(api, { sms_messaging_service_sid: 'MG0123456789abcdef0123456789abcdef' }),
  });
  expect(settings.statusCode).toBe(200);
  const urls = settings.json().sms.webhook_urls as { incoming: string; status: string };
  return { ...store, ids, urls };
}

/** Posts a form as the provider does: to the URL it was given, signed over that URL and the parameters. */
async function post(url: string, params: Record<string, string>, signature = twilioSignatureOf(api.authToken, url, params)) {
  return t.app.inject({
    method: 'POST', url: new URL(url).pathname, payload: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
  });
}

const incoming = (from: string, body: string) => ({
  MessageSid: `SM${Math.random().toString(16).slice(2).padEnd(32, '0')}`, AccountSid: api.accountSid, From: from, To: '+15005550006', Body: body, NumMedia: '0', SmsStatus: 'received',
});

async function consent(store: { secretKey: string }, id: number) {
  const profile = await t.app.inject({ method: 'GET', url: `/api/v1/customers/${id}/profile`, headers: bearer(store.secretKey) });
  return profile.json().consent.sms as { status: string; source: string | null };
}

async function suppressions(store: { secretKey: string }) {
  return (await t.app.inject({ method: 'GET', url: '/api/v1/suppressions', headers: bearer(store.secretKey) })).json().data as { address: string; reason: string; source: string }[];
}

describe('incoming SMS: STOP and START', () => {
  it('refuses a forged signature with 403 and changes nothing', async () => {
    const store = await smsStore();
    const forged = await post(store.urls.incoming, incoming('+14155550201', 'STOP'), twilioSignatureOf('someone-else', store.urls.incoming, incoming('+14155550201', 'STOP')));
    expect(forged.statusCode).toBe(403);
    const unsigned = await post(store.urls.incoming, incoming('+14155550201', 'STOP'), '');
    expect(unsigned.statusCode).toBe(403);
    const wrongToken = await post(store.urls.incoming.replace(/\/[^/]+$/, '/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), incoming('+14155550201', 'STOP'));
    expect(wrongToken.statusCode).toBe(404);
    expect(await consent(store, store.ids.get('ada')!)).toMatchObject({ status: 'subscribed' });
    expect(await suppressions(store)).toEqual([]);
  });

  it('STOP unsubscribes the number (a consent change on the profile, a suppression); START subscribes it again; HELP changes nothing', async () => {
    const store = await smsStore();
    const stop = await post(store.urls.incoming, incoming('+14155550202', ' stop '));
    expect(stop.statusCode).toBe(200);
    expect(stop.headers['content-type']).toContain('text/xml');
    expect(stop.body).toContain('<Response></Response>');
    // Ben's number is stored without its country code; his country reads it.
    const ben = store.ids.get('ben')!;
    expect(await consent(store, ben)).toMatchObject({ status: 'unsubscribed', source: 'sms_stop' });
    expect(await consent(store, store.ids.get('ada')!)).toMatchObject({ status: 'subscribed' });
    expect(await suppressions(store)).toEqual([expect.objectContaining({ address: '+14155550202', reason: 'unsubscribed', source: 'sms_stop' })]);
    const events = await t.services.storage.read.selectFrom('domain_events').select('data')
      .where('store_id', '=', store.storeId).where('type', '=', 'customer.consent_changed').where('customer_id', '=', ben).execute();
    expect(events.map((e) => JSON.parse(e.data))).toEqual([expect.objectContaining({ external_id: 'ben', sms: 'unsubscribed', previous_sms: 'subscribed' })]);

    // The next marketing text to Ben is not sent.
    const queued = await t.services.messages.queueMessages(store.storeId, [{
      channel: 'sms', sendKey: 'campaign:after-stop:ben', purpose: 'marketing', customerId: ben, build: () => ({ text: 'New arrivals' }),
    }]);
    const before = api.sent.length;
    expect(await t.services.messages.sendBatch(store.storeId, [queued.sends[0]!.id])).toMatchObject({ sent: 0, suppressed: 1 });
    expect(api.sent.length).toBe(before);

    const help = await post(store.urls.incoming, incoming('+14155550202', 'HELP'));
    expect(help.statusCode).toBe(200);
    expect(await consent(store, ben)).toMatchObject({ status: 'unsubscribed' });

    const start = await post(store.urls.incoming, incoming('+14155550202', 'Start'));
    expect(start.statusCode).toBe(200);
    expect(await consent(store, ben)).toMatchObject({ status: 'subscribed', source: 'sms_start' });
    expect(await suppressions(store)).toEqual([]);
  });

  it('each STOP synonym unsubscribes, and a keyword the provider marks as an opt-out', async () => {
    for (const word of ['STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']) {
      const store = await smsStore();
      expect((await post(store.urls.incoming, incoming('+14155550201', word))).statusCode).toBe(200);
      expect(await consent(store, store.ids.get('ada')!)).toMatchObject({ status: 'unsubscribed' });
    }
    // With Advanced Opt-Out the provider names the kind of a store's own keyword.
    const store = await smsStore();
    expect((await post(store.urls.incoming, { ...incoming('+14155550201', 'ARRET'), OptOutType: 'STOP' })).statusCode).toBe(200);
    expect(await consent(store, store.ids.get('ada')!)).toMatchObject({ status: 'unsubscribed' });
  });
});

describe('status callbacks', () => {
  it('append delivered or failed to the ledger once; an unreachable number is suppressed', async () => {
    const store = await smsStore();
    const queued = await t.services.messages.queueMessages(store.storeId, ['ada', 'ben'].map((p) => ({
      channel: 'sms' as const, sendKey: `flow:1:${p}`, purpose: 'transactional' as const, customerId: store.ids.get(p)!, build: () => ({ text: `Hi ${p}, your order shipped` }),
    })));
    expect(await t.services.messages.sendBatch(store.storeId, queued.sends.map((s) => s.id))).toMatchObject({ sent: 2 });
    const [toAda, toBen] = ['+14155550201', '+14155550202'].map((n) => api.sent.find((m) => m.to === n)!);
    expect(toAda!.messagingServiceSid).toBe('MG0123456789abcdef0123456789abcdef');
    expect(toAda!.statusCallback).toBe(store.urls.status);

    const callback = (sent: typeof toAda, status: string, errorCode?: string) => ({
      MessageSid: sent!.sid, SmsSid: sent!.sid, AccountSid: api.accountSid, MessageStatus: status, SmsStatus: status, To: sent!.to, From: '+15005550006', ApiVersion: '2010-04-01',
      ...(errorCode && { ErrorCode: errorCode }),
    });
    expect((await post(toAda!.statusCallback!, callback(toAda, 'sent'))).statusCode).toBe(200);
    expect((await post(toAda!.statusCallback!, callback(toAda, 'delivered'))).statusCode).toBe(200);
    expect((await post(toAda!.statusCallback!, callback(toAda, 'delivered'))).statusCode).toBe(200);
    expect((await post(toBen!.statusCallback!, callback(toBen, 'undelivered', '30003'))).statusCode).toBe(200);
    const forged = await post(toBen!.statusCallback!, callback(toBen, 'delivered'), 'bm90IGEgc2lnbmF0dXJl');
    expect(forged.statusCode).toBe(403);

    const history = async (id: number) => (await t.app.inject({ method: 'GET', url: `/api/v1/messages/${id}`, headers: bearer(store.secretKey) })).json();
    const ada = await history(queued.sends[0]!.id);
    expect(ada.message).toMatchObject({ state: 'sent', reason: 'delivered' });
    expect(ada.history.map((h: { state: string }) => h.state)).toEqual(['queued', 'sending', 'sent', 'sent']);
    const ben = await history(queued.sends[1]!.id);
    expect(ben.message).toMatchObject({ state: 'failed', reason: 'invalid_address' });
    expect(ben.message.detail).toContain('30003');
    expect(await suppressions(store)).toEqual([expect.objectContaining({ address: '+14155550202', reason: 'invalid_address', source: 'sms_status' })]);
  });
});
