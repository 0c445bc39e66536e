/**
 * Campaigns by SMS and webhook: the audience is who has a phone and SMS consent (or the webhook's
 * consent), a random holdout gets nothing, each recipient gets the text rendered for them exactly
 * once — also after a second start and a second run of the sender — through the local stand-in of
 * a Twilio-compatible API or the local webhook receiver, under the send key
 * `campaign:<id>:<customer>`, and the results count the messages. Fields the channel does not send,
 * a text that does not compile and a channel not set up are refused naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../src/modules/messaging/index.js';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';
import { smsSettings, startSmsApi, type SmsApi } from '../helpers/sms-api.js';
import { signatureValid, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

let t: TestApp;
let api: SmsApi;
let receiver: WebhookReceiver;
let store: Awaited<ReturnType<TestApp['newStore']>>;
let segment: { id: string };
const secret = newWebhookSecret();
const request = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(store.secretKey), ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });

const phoneOf = (i: number) => `+1415556${String(1000 + i)}`;

beforeAll(async () => {
  t = await createTestApp();
  api = await startSmsApi();
  receiver = await startWebhookReceiver();
  store = await t.newStore('Campaign Texts');
  // 60 members: 0–9 without a phone, 10–19 never asked for SMS, 20–59 subscribed to SMS; all subscribed to email.
  await t.services.commerce.write(store.storeId, {
    customers: Array.from({ length: 60 }, (_, i) => ({
      external_id: `m-${i}`, email: `m${i}@example.com`, first_name: `Name${i}`, phone: i < 10 ? null : phoneOf(i),
      email_consent: { status: 'subscribed' as const }, sms_consent: { status: i < 20 ? 'never_asked' as const : 'subscribed' as const },
    })),
  });
  segment = (await request('POST', '/api/v1/segments', { name: 'Members', rule: { kind: 'profile', field: 'email', op: 'starts_with', value: 'm' } })).json() as { id: string };
});
afterAll(async () => {
  await t.close();
  await api.close();
  await receiver.close();
});

/** Runs the campaign's queued sends, as the worker would. */
async function sendQueued(campaignId: string) {
  const rows = await t.services.storage.read.selectFrom('message_sends').select('id').where('store_id', '=', store.storeId).where('source', '=', `campaign:${campaignId}`).execute();
  return t.services.messages.sendBatch(store.storeId, rows.map((r) => Number(r.id)));
}

async function groupsOf(campaignId: string): Promise<{ customer_id: number; group: string }[]> {
  return ((await request('GET', `/api/v1/campaigns/${campaignId}/recipients?limit=1000`)).json() as { data: { customer_id: number; group: string }[] }).data;
}

async function externalIds(): Promise<Map<number, number>> {
  const rows = await t.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', store.storeId).execute();
  return new Map(rows.map((r) => [Number(r.id), Number(r.external_id!.slice(2))]));
}

describe('campaigns by SMS and webhook', () => {
  it('refuses what the channel does not send, a text that does not compile, and a channel not set up, naming the field', async () => {
    const template = (await request('POST', '/api/v1/templates/from-starter', { starter: 'win_back', name: 'We miss you' })).json() as { id: string };
    const mixed = await request('POST', '/api/v1/campaigns', { name: 'Mixed', channel: 'sms', segment_ids: [segment.id], template_id: template.id, text: 'Hi' });
    expect(mixed.statusCode).toBe(422);
    expect(errorOf(mixed).details).toEqual([{ path: 'template_id', reason: 'an SMS campaign sends its text: template_id is for email campaigns' }]);
    const emailText = await request('POST', '/api/v1/campaigns', { name: 'Email with text', segment_ids: [segment.id], template_id: template.id, text: 'Hi' });
    expect(errorOf(emailText).details).toEqual([{ path: 'text', reason: 'an email campaign sends its template: text is for SMS and webhook campaigns' }]);
    const typo = await request('POST', '/api/v1/campaigns', { name: 'Typo', channel: 'sms', segment_ids: [segment.id], text: 'Hi\n{{ customer.frist_name }}' });
    expect(typo.statusCode).toBe(422);
    expect(errorOf(typo).details).toEqual([expect.objectContaining({ path: 'text', reason: 'line 2, column 4: unknown variable "customer.frist_name"' })]);
    const tooLong = await request('POST', '/api/v1/campaigns', { name: 'Long', channel: 'sms', segment_ids: [segment.id], text: 'x'.repeat(1601) });
    expect(errorOf(tooLong).details.map((d) => d.path)).toEqual(['text']);

    // A draft without a text, or with SMS not set up, cannot start.
    const draft = (await request('POST', '/api/v1/campaigns', { name: 'Draft', channel: 'sms', segment_ids: [segment.id] })).json() as { id: string; channel: string; text: string | null };
    expect(draft).toMatchObject({ channel: 'sms', text: null });
    expect(errorOf(await request('POST', `/api/v1/campaigns/${draft.id}/start`)).details).toEqual([{ path: 'text', reason: 'write the text to send before starting' }]);
    expect((await request('PATCH', `/api/v1/campaigns/${draft.id}`, { text: 'Hi {{ customer.first_name }}' })).json()).toMatchObject({ text: 'Hi {{ customer.first_name }}' });
    const unset = await request('POST', `/api/v1/campaigns/${draft.id}/start`);
    expect(unset.statusCode).toBe(422);
    expect(errorOf(unset).details.map((d) => d.path)).toEqual(['channel']);
    expect((await request('GET', `/api/v1/campaigns/${draft.id}`)).json()).toMatchObject({ status: 'draft', started_at: null });
  });

  it('texts every member with a phone and SMS consent outside the holdout exactly once, and counts the messages in the results', async () => {
    await t.services.messages.updateSettings(store.storeId, { ...smsSettings(api), frequency_cap_hours: 0 });
    const audience = (await request('POST', '/api/v1/campaigns/audience', { segment_ids: [segment.id], channel: 'sms', holdout_share: 0.2 })).json();
    expect(audience).toEqual({ in_segments: 60, excluded: 0, without_email: 0, without_address: 10, without_consent: 10, audience: 40, holdout_expected: 8 });

    const campaign = (await request('POST', '/api/v1/campaigns', {
      name: 'Spring texts', channel: 'sms', segment_ids: [segment.id], holdout_share: 0.2, text: '{{ customer.first_name }}, spring sale: 20% off until Sunday',
    })).json() as { id: string };
    const started = (await request('POST', `/api/v1/campaigns/${campaign.id}/start`)).json() as { audience: number; holdout: number; recipients: number };
    expect(started.audience).toBe(40);
    expect(started.holdout).toBeGreaterThan(0);
    await sendQueued(campaign.id);
    await request('POST', `/api/v1/campaigns/${campaign.id}/start`);
    await sendQueued(campaign.id);

    const numberOf = await externalIds();
    const groups = await groupsOf(campaign.id);
    const sent = groups.filter((g) => g.group === 'sent').map((g) => numberOf.get(g.customer_id)!);
    const held = groups.filter((g) => g.group === 'holdout').map((g) => numberOf.get(g.customer_id)!);
    expect(held.length).toBe(started.holdout);
    expect([...sent, ...held].every((n) => n >= 20)).toBe(true);
    const texts = api.sent.filter((m) => m.body.includes('spring sale'));
    expect(texts.map((m) => m.to).sort()).toEqual(sent.map(phoneOf).sort());
    for (const n of sent) expect(texts.find((m) => m.to === phoneOf(n))!.body).toBe(`Name${n}, spring sale: 20% off until Sunday\nReply STOP to opt out`);

    const ledger = (await request('GET', `/api/v1/messages?limit=200&source=campaign:${campaign.id}`)).json() as { data: { send_key: string; channel: string; customer_id: number; state: string }[] };
    expect(ledger.data).toHaveLength(sent.length);
    for (const row of ledger.data) expect(row).toMatchObject({ send_key: `campaign:${campaign.id}:${row.customer_id}`, channel: 'sms', state: 'sent' });
    const results = (await request('GET', `/api/v1/campaigns/${campaign.id}/results`)).json() as { messages: { sent: number; queued: number } };
    expect(results.messages).toMatchObject({ sent: sent.length, queued: 0 });
  });

  it('posts one signed body per recipient to the store\'s webhook, to those with the consent the store chose', async () => {
    await t.services.messages.updateSettings(store.storeId, { webhook_url: receiver.url, webhook_secret: secret, webhook_consent: 'sms' });
    const campaign = (await request('POST', '/api/v1/campaigns', {
      name: 'WhatsApp hello', channel: 'webhook', segment_ids: [segment.id], holdout_share: 0, text: 'Hello {{ customer.first_name }} from {{ store.name }}',
    })).json() as { id: string };
    expect((await request('POST', `/api/v1/campaigns/${campaign.id}/start`)).json()).toMatchObject({ audience: 40, holdout: 0, recipients: 40 });
    await sendQueued(campaign.id);
    await sendQueued(campaign.id);

    const posted = receiver.requests.filter((r) => String(r.headers['idempotency-key']).startsWith(`campaign:${campaign.id}:`));
    expect(posted).toHaveLength(40);
    expect(posted.every((r) => signatureValid(secret, r))).toBe(true);
    const numberOf = await externalIds();
    for (const request of posted) {
      const body = JSON.parse(request.body) as { send_key: string; customer: { id: number }; content: { text: string } };
      expect(body.send_key).toBe(`campaign:${campaign.id}:${body.customer.id}`);
      expect(body.content.text).toBe(`Hello Name${numberOf.get(body.customer.id)} from Campaign Texts`);
    }
  });
});
