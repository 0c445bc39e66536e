/**
 * Flow steps that text and post: `send_sms` through the local stand-in of a Twilio-compatible API
 * and `send_webhook` to a local receiver, on the real engine. What the stand-in and the receiver
 * got is what is checked: the Liquid text rendered for the customer and their order, one SMS per
 * run when the step runs again after a crash and when the API answers 503 once, no marketing SMS
 * without SMS consent, none to the holdout, one signed webhook body about the run, a channel that is not set up
 * recorded on the run, and texts that do not compile refused with the step and the line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../src/modules/messaging/index.js';
import { errorOf } from '../helpers/app.js';
import { smsSettings, startSmsApi, type SmsApi } from '../helpers/sms-api.js';
import { signatureValid, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { flowHarness, type FlowHarness, HOUR, liveFlow, rewindRun } from './flow-harness.js';

let h: FlowHarness;
let api: SmsApi;
let receiver: WebhookReceiver;
const secret = newWebhookSecret();

beforeAll(async () => {
  h = await flowHarness('Channel Store');
  api = await startSmsApi();
  receiver = await startWebhookReceiver();
  await h.services.messages.updateSettings(h.storeId, { ...smsSettings(api), webhook_url: receiver.url, webhook_secret: secret });
});
afterAll(async () => {
  await h.close();
  await api.close();
  await receiver.close();
});

interface Run { id: number; customer_id: number; status: string; steps: { step_id: string | null; outcome: string; detail: string | null }[] }
interface Message { send_key: string; channel: string; to: string; state: string; reason: string | null; source: string | null }

type Consent = 'subscribed' | 'unsubscribed' | 'never_asked';

async function customers(list: { id: string; phone: string; sms: Consent; email?: Consent }[]): Promise<Map<string, number>> {
  await h.services.commerce.write(h.storeId, {
    customers: list.map((c) => ({
      external_id: c.id, email: `${c.id}@example.com`, first_name: c.id[0]!.toUpperCase() + c.id.slice(1), phone: c.phone,
      sms_consent: { status: c.sms }, email_consent: { status: c.email ?? 'subscribed' },
    })),
  });
  const rows = await h.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', h.storeId).where('external_id', 'in', list.map((c) => c.id)).execute();
  return new Map(rows.map((r) => [r.external_id!, Number(r.id)]));
}

const order = (id: string, customer: string) => h.services.commerce.write(h.storeId, {
  orders: [{ external_id: id, customer_external_id: customer, placed_at: h.clock.now(), currency: 'EUR', lines: [{ product_external_id: 'p-mug', title: 'Mug', quantity: 1, unit_price: 2_400 }] }],
});
const runsOf = async (flowId: string) => ((await h.request('GET', `/api/v1/flows/${flowId}/runs?limit=100`)).json() as { data: Run[] }).data;
const ledger = async (source: string) => ((await h.request('GET', `/api/v1/messages?limit=200&source=${encodeURIComponent(source)}`)).json() as { data: Message[] }).data;
const textsTo = (number: string) => api.sent.filter((m) => m.to === number).map((m) => m.body);
const log = (run: Run) => run.steps.map((s) => `${s.step_id}:${s.outcome}`);


describe('flow steps that send SMS and webhook messages', () => {
  it('texts the customer their order once, rendered and with the STOP line, even when the step runs again and the API fails once', async () => {
    const ids = await customers([{ id: 'ada', phone: '+1 (415) 555-0401', sms: 'subscribed' }]);
    const flow = await liveFlow(h, 'Order texts', {
      trigger: { kind: 'order_placed', nth: 1 }, holdout_share: 0,
      steps: [{ id: 'thanks', type: 'send_sms', text: 'Hi {{ customer.first_name }}, thanks for order {{ order.name }} ({{ order.line_items.first.title }}).' }],
    });
    api.failNext(1, 503);
    await order('sms-1', 'ada');
    await h.settle();
    expect(textsTo('+14155550401')).toEqual([]);
    // The send is tried again after its back-off.
    await h.advance(HOUR);
    expect(textsTo('+14155550401')).toEqual(['Hi Ada, thanks for order #sms-1 (Mug).\nReply STOP to opt out']);

    const [run] = await runsOf(flow.id);
    expect(run).toMatchObject({ customer_id: ids.get('ada'), status: 'completed' });
    expect(log(run!)).toEqual(['null:entered', 'thanks:sms_queued', 'null:completed']);
    await rewindRun(h, run!.id, 'thanks');
    await h.advance(HOUR);

    expect(textsTo('+14155550401')).toHaveLength(1);
    expect(log((await runsOf(flow.id))[0]!)).toEqual(['null:entered', 'thanks:sms_queued', 'null:completed', 'thanks:already_queued', 'null:completed']);
    const messages = await ledger(`flow:${flow.id}`);
    expect(messages).toEqual([expect.objectContaining({ send_key: `flow:${run!.id}:thanks`, channel: 'sms', to: '+14155550401', state: 'sent' })]);
  });

  it('sends a marketing SMS only with SMS consent; a transactional one without it; none for a number that cannot be read', async () => {
    await customers([
      { id: 'bea', phone: '+14155550402', sms: 'subscribed' },
      { id: 'cal', phone: '+14155550403', sms: 'never_asked' },
      { id: 'dot', phone: '+14155550404', sms: 'unsubscribed' },
      { id: 'eli', phone: 'not a number', sms: 'subscribed' },
    ]);
    const marketing = await liveFlow(h, 'Marketing texts', {
      trigger: { kind: 'event', name: 'Joined Club' }, holdout_share: 0,
      steps: [{ id: 'promo', type: 'send_sms', text: '{{ customer.first_name }}, 10% off this week at {{ store.name }}' }],
    });
    const service = await liveFlow(h, 'Service texts', {
      trigger: { kind: 'event', name: 'Joined Club' }, holdout_share: 0,
      steps: [{ id: 'notice', type: 'send_sms', purpose: 'transactional', text: 'Your club card is ready, {{ customer.first_name }}.' }],
    });
    for (const id of ['bea', 'cal', 'dot', 'eli']) {
      const tracked = await h.app.inject({
        method: 'POST', url: '/v1/track', headers: { authorization: `Basic ${Buffer.from(`${h.writeKey}:`).toString('base64')}` },
        payload: { userId: id, event: 'Joined Club', messageId: `club-${id}` },
      });
      expect(tracked.statusCode).toBe(200);
    }
    await h.settle();

    expect(textsTo('+14155550402')).toEqual(['Bea, 10% off this week at Channel Store\nReply STOP to opt out', 'Your club card is ready, Bea.']);
    expect(textsTo('+14155550403')).toEqual(['Your club card is ready, Cal.']);
    expect(textsTo('+14155550404')).toEqual(['Your club card is ready, Dot.']);
    const promo = new Map((await ledger(`flow:${marketing.id}`)).map((m) => [m.to, m]));
    expect(promo.get('+14155550403')).toMatchObject({ state: 'suppressed', reason: 'no_consent' });
    expect(promo.get('+14155550404')).toMatchObject({ state: 'suppressed', reason: 'no_consent' });
    // The number that cannot be read is suppressed when queued: the run says so.
    expect(promo.get('not a number')).toMatchObject({ state: 'suppressed', reason: 'invalid_address' });
    const eli = (await runsOf(service.id)).find((r) => r.steps.some((s) => s.outcome === 'suppressed'))!;
    expect(eli.steps.find((s) => s.step_id === 'notice')).toMatchObject({ outcome: 'suppressed', detail: expect.stringContaining('not a number') });
  });

  it('texts nobody in the holdout, who follows the flow all the same', async () => {
    const list = Array.from({ length: 30 }, (_, i) => ({ id: `held${i}`, phone: `+1415555${String(1000 + i)}`, sms: 'subscribed' as const }));
    const ids = await customers(list);
    const segment = (await h.request('POST', '/api/v1/segments', { name: 'Held texts', rule: { kind: 'profile', field: 'email', op: 'starts_with', value: 'held' } })).json() as { id: string };
    const flow = await liveFlow(h, 'Held texts', {
      trigger: { kind: 'manual' }, holdout_share: 0.3,
      steps: [{ id: 'promo', type: 'send_sms', text: 'Winter sale, {{ customer.first_name }}' }],
    });
    expect((await h.request('POST', `/api/v1/flows/${flow.id}/enrol`, { segment_id: segment.id })).json()).toEqual({ members: 30, enrolled: 30 });
    await h.settle();

    const runs = await runsOf(flow.id);
    const held = runs.filter((r) => r.steps.some((s) => s.outcome === 'held_out'));
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThan(30);
    const phoneOf = new Map(list.map((c) => [ids.get(c.id)!, c.phone]));
    for (const run of runs) expect(textsTo(phoneOf.get(run.customer_id)!), String(run.customer_id)).toHaveLength(held.includes(run) ? 0 : 1);
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
  });

  it('posts one signed JSON body about the customer, the flow, the step and the order that started the run', async () => {
    const ids = await customers([{ id: 'fay', phone: '+14155550405', sms: 'never_asked' }]);
    const flow = await liveFlow(h, 'Chat welcome', {
      trigger: { kind: 'order_placed' }, holdout_share: 0,
      steps: [
        { id: 'wait', type: 'wait', duration: { hours: 2 }, next: 'chat' },
        { id: 'chat', name: 'Ask on WhatsApp', type: 'send_webhook', event: 'whatsapp_welcome', text: 'Hi {{ customer.first_name }}, how is your {{ order.line_items.first.title }}?' },
      ],
    });
    await order('hook-1', 'fay');
    await h.settle();
    await h.advance(2 * HOUR + 60_000);
    const [run] = await runsOf(flow.id);
    await rewindRun(h, run!.id, 'chat');

    const posted = receiver.requests.filter((r) => r.headers['idempotency-key'] === `flow:${run!.id}:chat`);
    expect(posted).toHaveLength(1);
    expect(signatureValid(secret, posted[0]!)).toBe(true);
    const body = JSON.parse(posted[0]!.body);
    expect(body).toMatchObject({
      send_key: `flow:${run!.id}:chat`, channel: 'webhook', purpose: 'marketing',
      customer: { id: ids.get('fay'), external_id: 'fay', email: 'fay@example.com', phone: '+14155550405', first_name: 'Fay' },
      content: { text: 'Hi Fay, how is your Mug?' },
      context: {
        source: 'flow', event: 'whatsapp_welcome', flow: { id: flow.id, name: 'Chat welcome' }, step: { id: 'chat', name: 'Ask on WhatsApp' },
        run: { id: run!.id }, trigger: { kind: 'order_placed', event: { type: 'order.placed' } },
      },
    });
    expect(log((await runsOf(flow.id))[0]!)).toEqual(['null:entered', 'wait:waited', 'chat:webhook_queued', 'null:completed', 'chat:already_queued', 'null:completed']);
  });

  it('records on the run that the store has not set up the channel, and goes on', async () => {
    await customers([{ id: 'gus', phone: '+14155550406', sms: 'subscribed' }]);
    const flow = await liveFlow(h, 'Unset channel', {
      trigger: { kind: 'event', name: 'Asked For Help' }, holdout_share: 0,
      steps: [{ id: 'hook', type: 'send_webhook', event: 'help', next: 'tag' }, { id: 'tag', type: 'tag', tag: 'asked-for-help' }],
    });
    await h.services.messages.updateSettings(h.storeId, { webhook_url: null });
    try {
      await h.app.inject({
        method: 'POST', url: '/v1/track', headers: { authorization: `Basic ${Buffer.from(`${h.writeKey}:`).toString('base64')}` },
        payload: { userId: 'gus', event: 'Asked For Help', messageId: 'help-gus' },
      });
      await h.settle();
    } finally {
      await h.services.messages.updateSettings(h.storeId, { webhook_url: receiver.url });
    }
    const [run] = await runsOf(flow.id);
    expect(log(run!)).toEqual(['null:entered', 'hook:not_set_up', 'tag:tagged', 'null:completed']);
    expect(run!.steps[1]!.detail).toMatch(/webhook channel.*webhook URL/);
    expect(await ledger(`flow:${flow.id}`)).toEqual([]);
  });

  it('refuses a text that does not compile, naming the step and the line', async () => {
    const created = await h.request('POST', '/api/v1/flows', {
      name: 'Broken texts',
      document: {
        trigger: { kind: 'manual' },
        steps: [
          { id: 'first', type: 'send_sms', text: 'Hello {{ customer.first_name }}', next: 'typo' },
          { id: 'typo', type: 'send_sms', text: 'Hello\n{{ customer.frist_name }}', next: 'open' },
          { id: 'open', type: 'send_webhook', text: '{% if customer.first_name %}Hi' },
        ],
      },
    });
    expect(created.statusCode).toBe(422);
    const details = errorOf(created).details;
    expect(details.map((d) => d.path)).toEqual(['steps.1.text', 'steps.2.text']);
    expect(details[0]!.reason).toBe('step "typo", line 2, column 4: unknown variable "customer.frist_name"');
    expect(details[1]!.reason).toMatch(/^step "open", line 1, column 1: .*if/);
  });
});
