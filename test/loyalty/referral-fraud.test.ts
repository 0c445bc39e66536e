/**
 * Every fraud check rejects a referral with its own reason, and a rejected referral never awards
 * points: self-referral by customer, by email after normalising, by shipping address, by payment
 * fingerprint and by device; a friend who had ordered before the click; too many referrals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loyaltyHarness, type LoyaltyHarness } from './harness.js';
import { codeFor, daysAgo, refer, referralSettings } from './referral-helpers.js';

let h: LoyaltyHarness;
let jane: string;
let otto: string;
let n = 0;
const friend = (email: string, extra: Record<string, unknown> = {}) => refer(h, jane, { email, ...extra }, `friend-${++n}`);

beforeAll(async () => {
  h = await loyaltyHarness(referralSettings());
  await h.write({
    customers: [{ external_id: 'jane', email: 'Jane.Doe+shop@gmail.com' }, { external_id: 'otto', email: 'o.tto@outlook.com' }, { external_id: 'old', email: 'old@example.com' }],
    orders: [{ external_id: 'old-1', customer_external_id: 'old', placed_at: daysAgo(30), currency: 'EUR', lines: [{ product_external_id: 'food', quantity: 1, unit_price: 2000 }] }],
  });
  jane = (await codeFor(h, 'jane', 'jane-code', {
    shipping_address: { line1: '12 Main Street', line2: 'Apartment 4', city: 'Springfield', postal_code: '62701', country: 'US' },
    payment_fingerprint: 'fp_1NzQk2Lr',
  })).answer.code;
  otto = (await codeFor(h, 'otto', 'otto-code')).answer.code;
  // Jane's laptop is known from the tracking snippet's identify call.
  const identify = await h.t.app.inject({ method: 'POST', url: '/v1/identify', headers: { authorization: `Bearer ${h.writeKey}` }, payload: { userId: 'jane', anonymousId: 'jane-laptop', messageId: 'id-1', traits: { email: 'Jane.Doe+shop@gmail.com' } } });
  expect(identify.statusCode).toBe(200);
}, 60_000);
afterAll(async () => h.close());

describe('self-referral', () => {
  it('the referrer\'s own customer record: same_customer', async () => {
    expect(await friend('JANE.DOE+shop@gmail.com')).toMatchObject({ state: 'rejected', reason: 'same_customer', offer: null });
  });

  it('the same mailbox after normalising: same_email (plus-tags, and dots only where the provider ignores them)', async () => {
    expect(await friend('JaneDoe+friends@googlemail.com')).toMatchObject({ state: 'rejected', reason: 'same_email' });
    expect(await refer(h, otto, { email: 'O.Tto+promo@Outlook.com' }, 'otto-1')).toMatchObject({ state: 'rejected', reason: 'same_email' });
    // Outlook delivers o.tto and otto to two people: not the same email.
    expect(await refer(h, otto, { email: 'otto@outlook.com' }, 'otto-2')).toMatchObject({ state: 'signed_up', reason: null });
  });

  it('the referrer\'s shipping address however written: same_address', async () => {
    const address = { line1: '12 main st.', line2: 'apt 4', city: 'SPRINGFIELD', postal_code: '62 701', country: 'us' };
    expect(await friend('neighbour@example.com', { shipping_address: address })).toMatchObject({ state: 'rejected', reason: 'same_address' });
    expect(await friend('next-door@example.com', { shipping_address: { ...address, line1: '14 Main Street' } })).toMatchObject({ state: 'signed_up' });
  });

  it('the referrer\'s payment fingerprint: same_payment', async () => {
    expect(await friend('card@example.com', { payment_fingerprint: 'fp_1NzQk2Lr' })).toMatchObject({ state: 'rejected', reason: 'same_payment' });
  });

  it('the referrer\'s device (an anonymous id linked to the referrer): same_device', async () => {
    expect(await friend('laptop@example.com', { anonymous_id: 'jane-laptop' })).toMatchObject({ state: 'rejected', reason: 'same_device' });
  });
});

describe('other checks', () => {
  it('a friend who had ordered before the click: existing_customer', async () => {
    expect(await friend('old@example.com')).toMatchObject({ state: 'rejected', reason: 'existing_customer' });
  });

  it('the referrer using the friend\'s offer code on an own order is rejected at the order, and rejected referrals never award points', async () => {
    const eve = await friend('eve@example.com');
    expect(eve.state).toBe('signed_up');
    await h.write({ orders: [{ external_id: 'jane-1', customer_external_id: 'jane', placed_at: new Date(), currency: 'EUR', discount_codes: [eve.offer!.code], lines: [{ product_external_id: 'food', quantity: 1, unit_price: 3000 }] }] });
    expect(await h.t.services.loyalty.referrals.get(h.storeId, eve.referral_id)).toMatchObject({ state: 'rejected', reason: 'same_customer', award: null });

    // A friend rejected at sign-up who orders anyway earns the referrer nothing either.
    const sneaky = await friend('sneaky@example.com', { payment_fingerprint: 'fp_1NzQk2Lr' });
    await h.write({ customers: [{ external_id: 'sneaky', email: 'sneaky@example.com' }], orders: [{ external_id: 's-1', customer_external_id: 'sneaky', placed_at: new Date(), currency: 'EUR', lines: [{ product_external_id: 'food', quantity: 1, unit_price: 3000 }] }] });
    expect(await h.t.services.loyalty.referrals.get(h.storeId, sneaky.referral_id)).toMatchObject({ state: 'rejected', reason: 'same_payment' });
    const janeId = await h.customerId('jane');
    const history = (await h.t.services.loyalty.history(h.storeId, janeId)).data;
    expect(history.filter((e) => e.source === 'referral')).toEqual([]);

    // The admin list names each rejection's reason.
    const res = await h.t.app.inject({ method: 'GET', url: `/api/v1/loyalty/referrals?state=rejected&referrer=${janeId}&limit=500`, headers: { authorization: `Bearer ${h.secretKey}` } });
    const reasons = new Set(res.json<{ data: { reason: string }[] }>().data.map((r) => r.reason));
    expect(reasons).toEqual(new Set(['same_customer', 'same_email', 'same_address', 'same_payment', 'same_device', 'existing_customer']));
  });

  it('more sign-ups than the store allows per period: too_many_referrals', async () => {
    const busy = await loyaltyHarness(referralSettings({ limit: { max: 2, per: 'month' } }));
    try {
      await busy.write({ customers: [{ external_id: 'busy', email: 'busy@example.com' }] });
      const code = (await codeFor(busy, 'busy', 'busy-code')).answer.code;
      expect(await refer(busy, code, { email: 'a@example.com' }, 'b1')).toMatchObject({ state: 'signed_up' });
      expect(await refer(busy, code, { email: 'b@example.com' }, 'b2')).toMatchObject({ state: 'signed_up' });
      expect(await refer(busy, code, { email: 'c@example.com' }, 'b3')).toMatchObject({ state: 'rejected', reason: 'too_many_referrals' });
    } finally {
      await busy.close();
    }
  });
});
