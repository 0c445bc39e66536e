/**
 * The library of ready flows: every one validates, installs as a draft with its starter templates
 * and segment, installs once however often it is asked, and publishes. Three run end to end on a
 * small store under the movable clock with every message through a real SMTP conversation: the
 * welcome series, the abandoned checkout and the win-back; the NPS and VIP flows check the new
 * "n-th delivered order" and "loyalty tier changed" triggers, the referral thank-you its
 * "referral ordered" trigger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyFlows } from '../../src/modules/flows/index.js';
import { settingsWith, type LoyaltyHarness } from '../loyalty/harness.js';
import { codeFor, refer, referralSettings } from '../loyalty/referral-helpers.js';
import { addressOf, DAY, flowHarness, HOUR, type FlowHarness } from './flow-harness.js';

let h: FlowHarness;
beforeAll(async () => {
  h = await flowHarness('Library Store');
});
afterAll(async () => {
  await h.close();
});

interface Run { customer_id: number; status: string; exit_reason: string | null; steps: { step_id: string | null; outcome: string }[] }
interface Installed { created: boolean; flow: { id: string; status: string; name: string; document: { holdout_share: number; trigger: { kind: string; segment_id?: string }; steps: { id: string; type: string; template_id?: string }[] } } }

const install = async (key: string) => {
  const response = await h.request('POST', `/api/v1/flows/library/${key}/install`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Installed;
};
/** Installs, turns the holdout off (so every test customer gets the messages) and publishes. */
const installLive = async (key: string) => {
  const { flow } = await install(key);
  expect((await h.request('PATCH', `/api/v1/flows/${flow.id}`, { document: { ...flow.document, holdout_share: 0 } })).statusCode).toBe(200);
  expect((await h.request('POST', `/api/v1/flows/${flow.id}/publish`)).json()).toMatchObject({ status: 'live' });
  return flow;
};
const customers = async (names: string[]) => {
  await h.services.commerce.write(h.storeId, { customers: names.map((n) => ({ external_id: n, email: `${n}@example.com`, first_name: n, email_consent: { status: 'subscribed' as const } })) });
  const rows = await h.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', h.storeId).where('external_id', 'in', names).execute();
  return new Map(rows.map((r) => [r.external_id!, Number(r.id)]));
};
const order = (external: string, customer: string, placedAt: Date) => ({
  external_id: external, customer_external_id: customer, placed_at: placedAt, currency: 'EUR', lines: [{ product_external_id: 'p-1', title: 'Mug', quantity: 1, unit_price: 1_500 }],
});
const runsOf = async (flowId: string) => ((await h.request('GET', `/api/v1/flows/${flowId}/runs?limit=1000`)).json() as { data: Run[] }).data;
/** Messages received per address, for these addresses. */
const received = async (names: string[]) => {
  const mails = (await h.sink.parsed()).map(addressOf);
  return Object.fromEntries(names.map((n) => [n, mails.filter((a) => a === `${n}@example.com`).length]));
};
const subjectsTo = async (name: string) => (await h.sink.parsed()).filter((m) => addressOf(m) === `${name}@example.com`).map((m) => m.subject);

describe('the library of ready flows', () => {
  it('lists every ready flow with why it works, and each installs once as a valid draft with its templates and segment', async () => {
    const listed = (await h.request('GET', '/api/v1/flows/library')).json() as { data: { key: string; why: string; steps: unknown[]; installed_flow_id: string | null; templates: { starter: string; name: string }[]; segment: { name: string } | null }[] };
    expect(listed.data.map((f) => f.key)).toEqual(readyFlows.map((f) => f.key));
    expect(listed.data.length).toBeGreaterThanOrEqual(12);
    for (const ready of listed.data) {
      expect(ready.why.length, ready.key).toBeGreaterThan(100);
      expect(ready.installed_flow_id).toBeNull();
    }

    for (const ready of listed.data) {
      const first = await install(ready.key);
      expect(first.created, ready.key).toBe(true);
      expect(first.flow.status).toBe('draft');
      // The templates it sends are the store's copies of the starters it names.
      const sent = first.flow.document.steps.filter((s) => s.type === 'send_email').map((s) => s.template_id!);
      for (const id of sent) {
        const template = (await h.request('GET', `/api/v1/templates/${id}`)).json() as { starter_key: string; name: string };
        expect(ready.templates, ready.key).toContainEqual({ starter: template.starter_key, name: template.name });
      }
      if (ready.segment) {
        const segment = (await h.request('GET', `/api/v1/segments/${first.flow.document.trigger.segment_id}`)).json() as { name: string };
        expect(segment.name).toBe(ready.segment.name);
      }
      const again = await install(ready.key);
      expect(again).toMatchObject({ created: false, flow: { id: first.flow.id } });
    }

    const templates = ((await h.request('GET', '/api/v1/templates')).json() as { data: { id: string }[] }).data.length;
    const segments = ((await h.request('GET', '/api/v1/segments')).json() as { data: { id: string }[] }).data.length;
    const flows = ((await h.request('GET', '/api/v1/flows')).json() as { data: { id: string }[] }).data.length;
    expect(flows).toBe(listed.data.length);
    // Installing everything again creates nothing.
    await Promise.all(listed.data.map((f) => install(f.key)));
    expect(((await h.request('GET', '/api/v1/templates')).json() as { data: unknown[] }).data.length).toBe(templates);
    expect(((await h.request('GET', '/api/v1/segments')).json() as { data: unknown[] }).data.length).toBe(segments);
    expect(((await h.request('GET', '/api/v1/flows')).json() as { data: unknown[] }).data.length).toBe(flows);

    const after = (await h.request('GET', '/api/v1/flows/library')).json() as { data: { installed_flow_id: string | null }[] };
    expect(after.data.every((f) => f.installed_flow_id !== null)).toBe(true);
    expect((await h.request('POST', '/api/v1/flows/library/nope/install')).statusCode).toBe(404);
  });

  it('welcome series: the welcome at once, the second email three days later only to those who have not ordered', async () => {
    const flow = await installLive('welcome_series');
    const ids = await customers(['wann', 'wbob']);
    await h.settle();
    expect(await received(['wann', 'wbob'])).toEqual({ wann: 1, wbob: 1 });
    await h.advance(DAY);
    await h.services.commerce.write(h.storeId, { orders: [order('o-wbob', 'wbob', h.clock.now())] });
    await h.settle();
    await h.advance(2 * DAY + 60_000);
    await h.advance(30 * DAY);
    expect(await received(['wann', 'wbob'])).toEqual({ wann: 2, wbob: 1 });
    const runs = await runsOf(flow.id);
    expect(runs.find((r) => r.customer_id === ids.get('wann'))).toMatchObject({ status: 'completed' });
    expect(runs.find((r) => r.customer_id === ids.get('wbob'))).toMatchObject({ status: 'exited', exit_reason: 'ordered' });
    await h.request('POST', `/api/v1/flows/${flow.id}/pause`);
  });

  it('abandoned checkout: a reminder after an hour, a second a day later, and nothing more once the customer ordered', async () => {
    const flow = await installLive('abandoned_checkout');
    const ids = await customers(['cart', 'back']);
    await h.settle();
    await h.services.commerce.write(h.storeId, {
      checkouts: ['cart', 'back'].map((n) => ({ external_id: `chk-${n}`, customer_external_id: n, currency: 'EUR', value: 4_500, recovery_url: `https://shop.example/recover/${n}` })),
    });
    await h.settle();
    await h.advance(30 * 60_000);
    expect(await received(['cart', 'back'])).toEqual({ cart: 0, back: 0 });
    await h.advance(31 * 60_000);
    expect(await received(['cart', 'back'])).toEqual({ cart: 1, back: 1 });
    await h.services.commerce.write(h.storeId, { orders: [order('o-back', 'back', h.clock.now())] });
    await h.settle();
    await h.advance(23 * HOUR);
    await h.advance(7 * DAY);
    expect(await received(['cart', 'back'])).toEqual({ cart: 2, back: 1 });
    const runs = await runsOf(flow.id);
    expect(runs.find((r) => r.customer_id === ids.get('cart'))!.steps.map((s) => `${s.step_id}:${s.outcome}`))
      .toEqual(['null:entered', 'hour:waited', 'first:queued', 'day:waited', 'second:queued', 'done:exit']);
    expect(runs.find((r) => r.customer_id === ids.get('back'))).toMatchObject({ status: 'exited', exit_reason: 'ordered' });
    await h.request('POST', `/api/v1/flows/${flow.id}/pause`);
  });

  it('win-back: a customer slipping away gets "we miss you", then the offer a week later; one who orders gets no offer', async () => {
    const flow = await installLive('win_back');
    const segmentId = flow.document.trigger.segment_id!;
    const ids = await customers(['lapsed', 'stays', 'recent']);
    const longAgo = new Date(h.clock.now().getTime() - 130 * DAY);
    await h.services.commerce.write(h.storeId, { orders: [order('o-lapsed', 'lapsed', longAgo), order('o-stays', 'stays', longAgo), order('o-recent', 'recent', new Date(h.clock.now().getTime() - 10 * DAY))] });
    await h.settle();
    // The daily refresh of segments that read the clock.
    await h.services.segments.refresh(h.storeId, segmentId, h.clock.now());
    await h.settle();
    expect(await received(['lapsed', 'stays', 'recent'])).toEqual({ lapsed: 1, stays: 1, recent: 0 });
    await h.advance(2 * DAY);
    await h.services.commerce.write(h.storeId, { orders: [order('o-stays-2', 'stays', h.clock.now())] });
    await h.settle();
    await h.advance(5 * DAY + 60_000);
    await h.advance(30 * DAY);
    expect(await received(['lapsed', 'stays', 'recent'])).toEqual({ lapsed: 2, stays: 1, recent: 0 });
    expect((await subjectsTo('lapsed')).length).toBe(2);
    const runs = await runsOf(flow.id);
    expect(runs.map((r) => r.customer_id).sort()).toEqual([ids.get('lapsed'), ids.get('stays')].sort());
    expect(runs.find((r) => r.customer_id === ids.get('lapsed'))).toMatchObject({ status: 'completed' });
    expect(runs.find((r) => r.customer_id === ids.get('stays'))).toMatchObject({ status: 'exited', exit_reason: 'ordered' });
    await h.request('POST', `/api/v1/flows/${flow.id}/pause`);
  });

  it('NPS after the second delivery: only the second delivered order starts it, and the survey goes three days later', async () => {
    const flow = await installLive('nps_after_second_delivery');
    const ids = await customers(['nina']);
    const now = h.clock.now();
    await h.services.commerce.write(h.storeId, { orders: [{ ...order('n1', 'nina', now), fulfillments: [{ external_id: 'n1-f', delivered_at: now }] }] });
    await h.settle();
    await h.advance(4 * DAY);
    expect(await received(['nina'])).toEqual({ nina: 0 });
    const later = h.clock.now();
    await h.services.commerce.write(h.storeId, { orders: [{ ...order('n2', 'nina', later), fulfillments: [{ external_id: 'n2-f', delivered_at: later }] }] });
    await h.settle();
    await h.advance(2 * DAY);
    expect(await received(['nina'])).toEqual({ nina: 0 });
    await h.advance(DAY + 60_000);
    await h.advance(10 * DAY);
    expect(await received(['nina'])).toEqual({ nina: 1 });
    expect((await runsOf(flow.id)).map((r) => [r.customer_id, r.status])).toEqual([[ids.get('nina'), 'completed']]);
  });

  it('VIP welcome: a customer who moves up a loyalty tier is welcomed once; one who stays below is not', async () => {
    await h.services.loyalty.saveSettings(h.storeId, settingsWith({
      earning: { points_per_currency_unit: 1 }, pending: { days: 0 },
      tiers: { basis: 'points_earned', levels: [{ name: 'Gold', threshold: 100, multiplier: 1.5 }] },
    }), 'test');
    const flow = await installLive('vip_welcome');
    const ids = await customers(['goldie', 'small']);
    const now = h.clock.now();
    const spend = (name: string, euros: number) => ({
      external_id: `vip-${name}`, customer_external_id: name, placed_at: now, currency: 'EUR',
      lines: [{ product_external_id: 'p-1', quantity: 1, unit_price: euros * 100 }], fulfillments: [{ external_id: `vip-${name}-f`, delivered_at: now }],
    });
    await h.services.commerce.write(h.storeId, { orders: [spend('goldie', 150), spend('small', 20)] });
    await h.settle();
    await h.advance(DAY);
    expect(await received(['goldie', 'small'])).toEqual({ goldie: 1, small: 0 });
    expect((await runsOf(flow.id)).map((r) => [r.customer_id, r.status])).toEqual([[ids.get('goldie'), 'completed']]);
  });

  it('Referral thank-you: the referrer is thanked once, when the friend\'s first order passes the checks', async () => {
    await h.services.loyalty.saveSettings(h.storeId, referralSettings(), 'test');
    const flow = await installLive('referral_thanks');
    const ids = await customers(['ref-rita', 'ref-bo']);
    // The referral calls as the shop makes them (the admin API and the storefront's).
    const shop = { t: { app: h.app }, secretKey: h.secretKey, writeKey: h.writeKey } as unknown as LoyaltyHarness;
    const { answer } = await codeFor(shop, 'ref-rita', 'rita-code');
    await refer(shop, answer.code, { email: 'ref-friend@example.com' }, 'rita-friend');
    await h.settle();
    expect(await runsOf(flow.id)).toEqual([]);
    await h.services.commerce.write(h.storeId, {
      customers: [{ external_id: 'ref-friend', email: 'ref-friend@example.com' }],
      orders: [order('ref-o1', 'ref-friend', h.clock.now()), order('ref-o2', 'ref-friend', h.clock.now())],
    });
    await h.settle();
    expect(await received(['ref-rita', 'ref-bo'])).toEqual({ 'ref-rita': 1, 'ref-bo': 0 });
    expect((await runsOf(flow.id)).map((r) => r.customer_id)).toEqual([ids.get('ref-rita')]);
  });
});
