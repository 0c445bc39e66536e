/**
 * What a flow's email knows of what started it, read back from the mail the SMTP server received:
 * an order placed (its name, items, total and a signed status link that opens the order's status
 * page), a delivery (the carrier and tracking number), a started checkout (its items, total and
 * recovery link), any other trigger (the customer's latest order), and the member's points and
 * tier while the loyalty programme is on. The starters' own templates are used as a store would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLoyaltySettings } from '../../src/modules/loyalty/index.js';
import { addressOf, DAY, flowHarness, type FlowHarness, liveFlow } from './flow-harness.js';

let h: FlowHarness;
const starter = async (key: string) => (await h.request('POST', '/api/v1/templates/from-starter', { starter: key })).json() as { id: string };
const createLive = (name: string, document: unknown) => liveFlow(h, name, document);
const mailsTo = async (name: string) => (await h.sink.parsed()).filter((m) => addressOf(m) === `${name}@example.com`);
const text = (m: { text?: string | false }) => (m.text || '').replace(/\s+/g, ' ');
/** Where a button of the email leads: its tracked link followed to the redirect's target. */
const target = async (html: string, label: string) => {
  const href = new RegExp(`<a\\b[^>]*\\bhref="([^"]+)"[^>]*>\\s*${label}`).exec(html)?.[1];
  if (!href) return undefined;
  const answer = await h.app.inject({ method: 'GET', url: new URL(href.replace(/&amp;/g, '&')).pathname + new URL(href.replace(/&amp;/g, '&')).search });
  return answer.headers.location as string | undefined;
};
const customer = (name: string, extra: Record<string, unknown> = {}) => ({ external_id: name, email: `${name}@example.com`, first_name: name, email_consent: { status: 'subscribed' as const }, ...extra });

beforeAll(async () => {
  h = await flowHarness('Context Store');
  await h.services.commerce.write(h.storeId, {
    products: [
      { external_id: 'kettle', title: 'Copper <Kettle>', price: 4500, currency: 'EUR', image_url: 'https://cdn.shop.example/kettle.jpg' },
      { external_id: 'tea', title: 'Breakfast Tea', price: 900, currency: 'EUR' },
    ],
    customers: [customer('ann'), customer('ben'), customer('cat'), customer('dan')],
  });
}, 60_000);
afterAll(async () => h.close());

describe('a flow email carries what started it', () => {
  it('an order placed: its name, items, total and a signed link to its status page', async () => {
    // An earlier order of Ann's, so the email must name the one that started the run.
    await h.services.commerce.write(h.storeId, { orders: [{ external_id: '1001', customer_external_id: 'ann', placed_at: new Date(h.clock.now().getTime() - 30 * DAY), currency: 'EUR', status: 'paid', lines: [{ product_external_id: 'tea', quantity: 1, unit_price: 900 }] }] });
    await h.settle();
    const template = await starter('post_purchase');
    await createLive('After the order', { trigger: { kind: 'order_placed' }, holdout_share: 0, steps: [{ id: 'thanks', type: 'send_email', template_id: template.id, purpose: 'transactional' }] });
    const before = (await mailsTo('ann')).length;
    await h.services.commerce.write(h.storeId, {
      orders: [{ external_id: '1002', customer_external_id: 'ann', placed_at: h.clock.now(), currency: 'EUR', status: 'paid', shipping: 500,
        lines: [{ product_external_id: 'kettle', quantity: 1, unit_price: 4500 }, { product_external_id: 'tea', quantity: 2, unit_price: 900 }] }],
    });
    await h.settle();
    const mails = (await mailsTo('ann')).slice(before);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.subject).toBe('Getting the most from your order #1002');
    expect(text(mail)).toContain('Your order #1002 is on its way');
    const link = await target(mail.html as string, 'View my order');
    expect(link, 'the status link').toMatch(/\/o\/[^/]+$/);
    const page = await h.app.inject({ method: 'GET', url: new URL(link!).pathname });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('1002');
    // A forged token opens nothing.
    const forged = await h.app.inject({ method: 'GET', url: `${new URL(link!).pathname.slice(0, -3)}AAA` });
    expect(forged.statusCode).toBe(404);
  });

  it('a delivery: the carrier and tracking of the order\'s shipment; a started checkout: its items, total and recovery link', async () => {
    const shipping = await starter('shipping_update');
    const cart = await starter('abandoned_cart');
    await createLive('Delivered', { trigger: { kind: 'order_delivered' }, holdout_share: 0, steps: [{ id: 'delivered', type: 'send_email', template_id: shipping.id, purpose: 'transactional' }] });
    await createLive('Cart', { trigger: { kind: 'checkout_started' }, holdout_share: 0, steps: [{ id: 'cart', type: 'send_email', template_id: cart.id, purpose: 'marketing' }] });
    const delivered = h.clock.now();
    await h.services.commerce.write(h.storeId, {
      orders: [{ external_id: '2001', customer_external_id: 'ben', placed_at: new Date(delivered.getTime() - 3 * DAY), currency: 'EUR', status: 'paid',
        lines: [{ product_external_id: 'kettle', quantity: 1, unit_price: 4500 }],
        fulfillments: [{ external_id: '2001-f', status: 'success', carrier: 'Parcelforce', tracking_number: 'PF123456', tracking_url: 'https://track.example/PF123456', shipped_at: new Date(delivered.getTime() - 2 * DAY), shipment_status: 'delivered', delivered_at: delivered, lines: [{ product_external_id: 'kettle', quantity: 1 }] }] }],
      checkouts: [{ external_id: 'chk-9', customer_external_id: 'cat', currency: 'EUR', recovery_url: 'https://shop.example/checkouts/chk-9/recover', items: [{ product_external_id: 'kettle', quantity: 2, unit_price: 4500 }, { product_external_id: 'tea', quantity: 1, unit_price: 900 }] }],
    });
    await h.settle();
    const [ben] = (await mailsTo('ben')).filter((m) => m.subject?.startsWith('Delivered'));
    expect(ben, 'the delivery email').toBeDefined();
    expect(ben!.subject).toBe('Delivered: your order #2001');
    expect(text(ben!)).toContain('Parcelforce');
    expect(text(ben!)).toContain('PF123456');
    expect(await target(ben!.html as string, 'Track my parcel')).toBe('https://track.example/PF123456');

    const [cat] = await mailsTo('cat');
    expect(cat, 'the cart email').toBeDefined();
    expect(text(cat!)).toContain('The 2 items below are waiting for you');
    // The product's title comes from the catalogue, escaped in the HTML.
    expect(cat!.html as string).toContain('Copper &lt;Kettle&gt;');
    expect(text(cat!)).toContain('Breakfast Tea');
    expect(text(cat!)).toMatch(/Total: \D?99\.00/);
    expect(await target(cat!.html as string, 'Return to my cart')).toBe('https://shop.example/checkouts/chk-9/recover');
  });

  it('another trigger: the latest order; the points, tier and the way to the next tier while the programme is on', async () => {
    await h.services.loyalty.saveSettings(h.storeId, {
      ...defaultLoyaltySettings, enabled: true,
      tiers: { basis: 'points_earned', levels: [{ name: 'Silver', threshold: 100, multiplier: 1 }, { name: 'Gold', threshold: 1000, multiplier: 1.5 }] },
    }, 'test');
    const points = await starter('points_reminder');
    const replenish = await starter('replenishment');
    await createLive('Points', { trigger: { kind: 'event', name: 'Points Page Viewed' }, holdout_share: 0, steps: [
      { id: 'points', type: 'send_email', template_id: points.id, purpose: 'marketing', next: 'wait' },
      { id: 'wait', type: 'wait', duration: { days: 1 }, next: 'again' },
      { id: 'again', type: 'send_email', template_id: replenish.id, purpose: 'marketing' },
    ] });
    const dan = Number((await h.services.customers.get(h.storeId, 'ext:dan')).id);
    await h.services.commerce.write(h.storeId, { orders: [{ external_id: '3001', customer_external_id: 'dan', placed_at: new Date('2026-02-14T10:00:00Z'), currency: 'EUR', status: 'paid', lines: [{ product_external_id: 'tea', quantity: 3, unit_price: 900 }] }] });
    await h.settle();
    await h.services.loyalty.adjust(h.storeId, dan, { points: 340, reason: 'Welcome gift', key: 'ctx-gift', actor: 'test' }, h.clock.now());
    const balance = await h.services.loyalty.balance(h.storeId, dan, h.clock.now());
    expect(balance.available).toBeGreaterThanOrEqual(340);
    const tracked = await h.app.inject({
      method: 'POST', url: '/v1/track', headers: { authorization: `Basic ${Buffer.from(`${h.writeKey}:`).toString('base64')}` },
      payload: { userId: 'dan', event: 'Points Page Viewed', properties: {}, messageId: 'ctx-points-1' },
    });
    expect(tracked.statusCode).toBe(200);
    await h.settle();
    await h.advance(DAY + 60_000);
    const mails = await mailsTo('dan');
    const reminder = mails.find((m) => m.subject?.includes('points waiting'));
    expect(reminder?.subject).toBe(`You have ${balance.available} points waiting`);
    expect(text(reminder!)).toContain(`${balance.next_tier!.missing} more and you reach ${balance.next_tier!.name}`);
    const again = mails.find((m) => m.subject === 'Running low, dan?');
    expect(again, 'the replenishment email').toBeDefined();
    expect(text(again!)).toContain('Based on your last order on 14 February');
  });
});
