/**
 * A segment-entry flow's email with a recommendation block: a newcomer without orders who enters
 * the segment is recommended what is popular in it, said so — not the store's best-sellers — over
 * a real SMTP conversation under the movable clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { picksIn, picksTemplate } from '../helpers/picks-template.js';
import { addressOf, flowHarness, type FlowHarness } from './flow-harness.js';

let h: FlowHarness;
beforeAll(async () => {
  h = await flowHarness('Picks Store');
});
afterAll(async () => {
  await h.close();
});

describe('a segment-entry flow\'s recommendations', () => {
  it('start a newcomer without orders from what is popular in the flow\'s segment', async () => {
    // Eight buyers in the US buy the store's best-seller K1; three in Britain buy A1 (and two of them A2).
    const buyers = [
      ...Array.from({ length: 8 }, (_, i) => ({ id: `us-${i}`, country: 'US', products: ['K1'] })),
      ...Array.from({ length: 3 }, (_, i) => ({ id: `gb-${i}`, country: 'GB', products: i < 2 ? ['A1', 'A2'] : ['A1'] })),
    ];
    await h.services.commerce.write(h.storeId, {
      customers: buyers.map((b) => ({ external_id: b.id, email: `${b.id}@example.com`, country: b.country })),
      orders: buyers.map((b, i) => ({
        external_id: `o-${b.id}`, customer_external_id: b.id, placed_at: new Date(h.clock.now().getTime() - (i + 1) * 86_400_000), currency: 'EUR',
        lines: b.products.map((p) => ({ product_external_id: p, title: `Product ${p}`, quantity: 1, unit_price: 2_000 })),
      })),
    });
    await h.settle();
    const segment = await h.request('POST', '/api/v1/segments', { name: 'From Britain', rule: { kind: 'profile', field: 'country', op: 'eq', value: 'GB' } });
    expect(segment.statusCode, segment.body).toBe(201);
    expect((await h.request('POST', '/api/v1/recommendations/fit-now')).statusCode).toBe(200);
    const template = await h.request('POST', '/api/v1/templates', picksTemplate);
    expect(template.statusCode, template.body).toBe(201);
    const document = {
      trigger: { kind: 'segment_entered', segment_id: (segment.json() as { id: string }).id }, holdout_share: 0,
      steps: [{ id: 'picks', type: 'send_email', template_id: (template.json() as { id: string }).id, next: 'done' }, { id: 'done', type: 'exit' }],
    };
    const flow = (await h.request('POST', '/api/v1/flows', { name: 'Picks', document })).json() as { id: string };
    expect((await h.request('POST', `/api/v1/flows/${flow.id}/publish`)).statusCode).toBe(200);

    await h.services.commerce.write(h.storeId, { customers: [{ external_id: 'newcomer', email: 'newcomer@example.com', country: 'GB', email_consent: { status: 'subscribed' as const } }] });
    await h.settle();
    const mails = (await h.sink.parsed()).filter((m) => addressOf(m) === 'newcomer@example.com');
    expect(mails).toHaveLength(1);
    const picks = picksIn(mails[0]!.text).map((p) => `${p.title} / ${p.why}`);
    expect(picks.slice(0, 2)).toEqual(['Product A1 / popular in From Britain: bought by 3 customers', 'Product A2 / popular in From Britain: bought by 2 customers']);
    // After them, the store's own best-seller.
    expect(picks[2]).toBe('Product K1 / popular: bought by 8 customers');
  });
});
