/**
 * A flow whose email step names an offer, run by the real engine and sent over SMTP: each
 * recipient's email carries their own code, issued under the step's send key; the offer's holdout
 * gets the email without one; a flow naming an unknown offer is refused naming the step's field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdoutPosition } from '../../src/modules/offers/index.js';
import { addressOf, flowHarness, type FlowHarness } from '../flows/flow-harness.js';

let h: FlowHarness;
beforeAll(async () => {
  h = await flowHarness('Flow Codes');
});
afterAll(async () => h.close());

const mjml = (inner: string) => `<mjml><mj-body><mj-section><mj-column>${inner}
  <mj-text>{{ store.address }}</mj-text><mj-text><a href="{{ links.unsubscribe_url }}">Unsubscribe</a></mj-text>
</mj-column></mj-section></mj-body></mjml>`;

describe('a flow email carrying an offer', () => {
  it('puts each recipient\'s own code in the email, and none for the offer\'s holdout', async () => {
    await h.services.commerce.write(h.storeId, {
      customers: Array.from({ length: 20 }, (_, i) => ({ external_id: `f${i}`, email: `f${i}@example.com`, email_consent: { status: 'subscribed' as const } })),
    });
    const template = (await h.request('POST', '/api/v1/templates', {
      name: 'Flow code', purpose: 'marketing', subject: 'For you',
      body: mjml('<mj-text>{% if discount_code %}Code: [{{ discount_code }}]{% else %}No code today.{% endif %}</mj-text>'),
    })).json() as { id: string };
    const offer = (await h.request('POST', '/api/v1/offers', { name: 'Flow offer', value_kind: 'percent', value: 10, valid_days: 7, pattern: 'FL-??????', holdout_share: 0.3 })).json() as { id: string };
    const document = (offerId: string) => ({
      trigger: { kind: 'manual' }, holdout_share: 0,
      steps: [{ id: 'mail', type: 'send_email', template_id: template.id, offer_id: offerId, next: 'end' }, { id: 'end', type: 'exit' }],
    });
    const refused = await h.request('POST', '/api/v1/flows', { name: 'Bad', document: document('ofr_nope') });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.details).toContainEqual({ path: 'steps.0.offer_id', reason: 'no offer "ofr_nope" in this store' });

    const flow = await h.services.flows.create(h.storeId, { name: 'With a code', document: document(offer.id) as never });
    await h.services.flows.publish(h.storeId, flow.id);
    const segment = await h.services.segments.create(h.storeId, { name: 'All', rule: { kind: 'profile', field: 'email', op: 'is_set' } });
    await h.services.flows.enrolSegment(h.storeId, flow.id, segment.id);
    await h.settle();

    const mails = await h.sink.parsed();
    expect(mails).toHaveLength(20);
    const customers = await h.services.storage.read.selectFrom('customers').select(['id', 'email']).where('store_id', '=', h.storeId).execute();
    const idOf = new Map(customers.map((c) => [c.email!, Number(c.id)]));
    const codes = new Set<string>();
    for (const mail of mails) {
      const code = /Code: \[([A-Z0-9-]+)\]/.exec(mail.text ?? '')?.[1];
      if (holdoutPosition(`offer:${offer.id}`, idOf.get(addressOf(mail))!) < 0.3) expect(mail.text).toContain('No code today.');
      else {
        expect(code).toMatch(/^FL-[A-Z2-9]{6}$/);
        codes.add(code!);
      }
    }
    expect(codes.size).toBeGreaterThan(5);
    const results = (await h.request('GET', `/api/v1/offers/${offer.id}`)).json().results as { issued: number; held_out: number };
    expect(results).toEqual(expect.objectContaining({ issued: codes.size, held_out: 20 - codes.size }));
  });
});
