/**
 * A campaign that names an offer, sent for real over SMTP and read back with mailparser: each
 * recipient's email carries their own code in `{{ discount_code }}`, issued under the campaign's
 * send key — a second start and a second run of the sender send no second copy and hand out no
 * second code — and the offer's holdout gets the email without one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdoutPosition } from '../../src/modules/offers/index.js';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';
import { startSmtpSink, type SmtpSink } from '../messaging/smtp-sink.js';

let t: TestApp;
let sink: SmtpSink;
let store: Awaited<ReturnType<TestApp['newStore']>>;
const request = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(store.secretKey), ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });

const mjml = (inner: string) => `<mjml><mj-body><mj-section><mj-column>${inner}
  <mj-text>{{ store.address }}</mj-text><mj-text><a href="{{ links.unsubscribe_url }}">Unsubscribe</a></mj-text>
</mj-column></mj-section></mj-body></mjml>`;

beforeAll(async () => {
  t = await createTestApp();
  sink = await startSmtpSink();
  store = await t.newStore('Code Mail', { currency: 'EUR' });
  await t.services.commerce.write(store.storeId, {
    customers: Array.from({ length: 30 }, (_, i) => ({ external_id: `c-${i}`, email: `c${i}@example.com`, first_name: `Name${i}`, email_consent: { status: 'subscribed' as const } })),
  });
  await t.services.accounts.updateStore(store.storeId, { websiteUrl: 'https://shop.example', postalAddress: '1 Harbour Street, Bristol' });
  await t.services.messages.updateSettings(store.storeId, { smtp_url: sink.url, from_address: 'news@shop.test', from_name: 'Code Mail', frequency_cap_hours: 0 });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

async function sendQueued(campaignId: string) {
  const rows = await t.services.storage.read.selectFrom('message_sends').select('id').where('store_id', '=', store.storeId).where('source', '=', `campaign:${campaignId}`).execute();
  return t.services.messages.sendBatch(store.storeId, rows.map((r) => Number(r.id)));
}

const addressOf = (mail: Awaited<ReturnType<SmtpSink['parsed']>>[number]) => (Array.isArray(mail.to) ? mail.to[0] : mail.to)!.value[0]!.address!;

describe('a campaign carrying an offer', () => {
  it('sends each recipient their own code, once, and the offer\'s holdout none', async () => {
    const segment = (await request('POST', '/api/v1/segments', { name: 'Everyone', rule: { kind: 'profile', field: 'email', op: 'is_set' } })).json() as { id: string };
    const template = await request('POST', '/api/v1/templates', {
      name: 'Your code', purpose: 'marketing', subject: 'A gift, {{ customer.first_name }}',
      body: mjml('<mj-text>{% if discount_code %}Your code: [{{ discount_code }}]{% else %}Thank you for being with us.{% endif %}</mj-text>'),
    });
    expect(template.statusCode).toBe(201);
    const offer = (await request('POST', '/api/v1/offers', { name: 'Five off', value_kind: 'fixed', value: 500, valid_days: 14, pattern: 'CM-??????', pool_size: 10, holdout_share: 0.3 })).json() as { id: string };

    const unknown = await request('POST', '/api/v1/campaigns', { name: 'Gift', segment_ids: [segment.id], template_id: template.json().id, holdout_share: 0, offer_id: 'ofr_nope' });
    expect(unknown.statusCode).toBe(422);
    expect(errorOf(unknown).details).toEqual([{ path: 'offer_id', reason: 'no offer ofr_nope in this store' }]);

    const campaign = (await request('POST', '/api/v1/campaigns', { name: 'Gift', segment_ids: [segment.id], template_id: template.json().id, holdout_share: 0, offer_id: offer.id })).json() as { id: string; offer_id: string };
    expect(campaign.offer_id).toBe(offer.id);
    expect((await request('POST', `/api/v1/campaigns/${campaign.id}/start`)).statusCode).toBe(200);
    await sendQueued(campaign.id);
    await request('POST', `/api/v1/campaigns/${campaign.id}/start`);
    await sendQueued(campaign.id);

    const mails = await sink.parsed();
    expect(mails).toHaveLength(30);
    const customers = await t.services.storage.read.selectFrom('customers').select(['id', 'email']).where('store_id', '=', store.storeId).execute();
    const idOf = new Map(customers.map((c) => [c.email!, Number(c.id)]));
    const codes = new Map<number, string>();
    for (const mail of mails) {
      const customerId = idOf.get(addressOf(mail))!;
      const code = /Your code: \[([A-Z0-9-]+)\]/.exec(mail.text ?? '')?.[1];
      if (holdoutPosition(`offer:${offer.id}`, customerId) < 0.3) {
        expect(code, addressOf(mail)).toBeUndefined();
        expect(mail.text).toContain('Thank you for being with us.');
      } else {
        expect(code, addressOf(mail)).toMatch(/^CM-[A-Z2-9]{6}$/);
        codes.set(customerId, code!);
      }
    }
    expect(new Set(codes.values()).size).toBe(codes.size);
    expect(codes.size).toBeGreaterThan(10);

    // The offer's codes list shows each code issued to the customer whose email carried it, under the send key.
    const listed = (await request('GET', `/api/v1/offers/${offer.id}/codes?status=issued&limit=100`)).json().data as { code: string; customer_id: number }[];
    expect(new Map(listed.map((c) => [c.customer_id, c.code]))).toEqual(codes);
    const [customerId, code] = [...codes][0]!;
    const again = await request('POST', `/api/v1/offers/${offer.id}/issue`, { customer_id: customerId });
    expect(again.statusCode).toBe(422);
    const retried = await t.app.inject({ method: 'POST', url: `/api/v1/offers/${offer.id}/issue`, headers: { ...bearer(store.secretKey), 'idempotency-key': `campaign:${campaign.id}:${customerId}` }, payload: { customer_id: customerId } });
    expect(retried.json()).toMatchObject({ code, outcome: 'issued' });
    const results = (await request('GET', `/api/v1/offers/${offer.id}`)).json().results as { issued: number; held_out: number };
    expect(results).toMatchObject({ issued: codes.size, held_out: 30 - codes.size });
  });
});
