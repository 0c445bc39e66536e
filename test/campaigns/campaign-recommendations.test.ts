/**
 * The recommendation block of a campaign's email for recipients without orders: each starts from
 * what is popular in their segment of the campaign's audience (the first they belong to, in the
 * campaign's order), said so in the explanation — not the store's best-sellers. Sent for real over
 * SMTP and read back with mailparser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { startSmtpSink, type SmtpSink } from '../messaging/smtp-sink.js';
import { picksIn, picksTemplate } from '../helpers/picks-template.js';

let t: TestApp;
let sink: SmtpSink;
let store: Awaited<ReturnType<TestApp['newStore']>>;
const request = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(store.secretKey), ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });

/** Ten buyers in the US buy kitchenware (the store's best-sellers); four in Great Britain buy apparel. Three newcomers have no orders. */
const buyers = [
  ...Array.from({ length: 10 }, (_, i) => ({ id: `us-${i}`, country: 'US', products: ['K1', i % 2 ? 'K2' : 'K3'] })),
  ...Array.from({ length: 4 }, (_, i) => ({ id: `gb-${i}`, country: 'GB', products: ['A1', i < 3 ? 'A2' : 'A3'] })),
];
const newcomers = [{ id: 'new-gb-1', country: 'GB' }, { id: 'new-gb-2', country: 'GB' }, { id: 'new-us', country: 'US' }];

beforeAll(async () => {
  t = await createTestApp();
  sink = await startSmtpSink();
  store = await t.newStore('Picks', { currency: 'EUR' });
  await t.services.commerce.write(store.storeId, {
    customers: [...buyers, ...newcomers].map((c) => ({ external_id: c.id, email: `${c.id}@example.com`, country: c.country, email_consent: { status: 'subscribed' as const } })),
    orders: buyers.map((b, i) => ({
      external_id: `o-${b.id}`, customer_external_id: b.id, placed_at: new Date(Date.UTC(2026, 8, 1 + i, 10)), currency: 'EUR',
      lines: b.products.map((p) => ({ product_external_id: p, title: `Product ${p}`, quantity: 1, unit_price: 2_000 })),
    })),
  });
  await t.services.accounts.updateStore(store.storeId, { websiteUrl: 'https://shop.example', postalAddress: '1 Harbour Street, Bristol' });
  await t.services.messages.updateSettings(store.storeId, { smtp_url: sink.url, from_address: 'news@shop.test', from_name: 'Picks', frequency_cap_hours: 0 });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

describe('a campaign\'s recommendations for recipients without orders', () => {
  it('start from what is popular in the recipient\'s segment of the audience', async () => {
    const segment = async (name: string, country: string) => {
      const created = await request('POST', '/api/v1/segments', { name, rule: { kind: 'profile', field: 'country', op: 'eq', value: country } });
      expect(created.statusCode, created.body).toBe(201);
      return (created.json() as { id: string }).id;
    };
    const gb = await segment('From Britain', 'GB');
    const us = await segment('From the States', 'US');
    expect((await request('POST', '/api/v1/recommendations/fit-now')).statusCode).toBe(200);
    const template = await request('POST', '/api/v1/templates', picksTemplate);
    expect(template.statusCode, template.body).toBe(201);
    const campaign = await request('POST', '/api/v1/campaigns', { name: 'Picks', segment_ids: [gb, us], template_id: (template.json() as { id: string }).id, holdout_share: 0 });
    expect(campaign.statusCode, campaign.body).toBe(201);
    const id = (campaign.json() as { id: string }).id;
    expect((await request('POST', `/api/v1/campaigns/${id}/start`)).statusCode).toBe(200);
    const rows = await t.services.storage.read.selectFrom('message_sends').select('id').where('store_id', '=', store.storeId).where('source', '=', `campaign:${id}`).execute();
    await t.services.messages.sendBatch(store.storeId, rows.map((r) => Number(r.id)));

    const mails = await sink.parsed();
    expect(mails).toHaveLength(buyers.length + newcomers.length);
    const picks = (address: string) => {
      const mail = mails.find((m) => (Array.isArray(m.to) ? m.to[0] : m.to)!.value[0]!.address === address)!;
      return picksIn(mail.text);
    };
    // Britain's buyers: A1 by all four, A2 by three, A3 by one.
    for (const address of ['new-gb-1@example.com', 'new-gb-2@example.com']) {
      expect(picks(address).slice(0, 3)).toEqual([
        { title: 'Product A1', why: 'popular in From Britain: bought by 4 customers' },
        { title: 'Product A2', why: 'popular in From Britain: bought by 3 customers' },
        { title: 'Product A3', why: 'popular in From Britain: bought by 1 customer' },
      ]);
    }
    // The newcomer from the States is in the second segment only: its best-seller, K1, by all ten.
    expect(picks('new-us@example.com')[0]).toEqual({ title: 'Product K1', why: 'popular in From the States: bought by 10 customers' });
    // A buyer keeps their own recommendations.
    expect(picks('gb-0@example.com').some((p) => p.why.startsWith('popular in'))).toBe(false);
  });
});
