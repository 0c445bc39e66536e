/**
 * Referrals end to end through the API and the domain events: the code and share links, the
 * storefront's click and sign-up, the friend's first order, the referrer's award pending until the
 * return window has passed, and a refund or cancellation within the window rejecting it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OrderInput } from '../../src/modules/commerce/commerce.input.js';
import { readEvents } from '../../src/modules/domain-events/index.js';
import { loyaltyDb } from '../../src/modules/loyalty/loyalty.table.js';
import { qualifyingFigure } from '../../src/modules/loyalty/loyalty.tiers.js';
import { loyaltyHarness, type LoyaltyHarness } from './harness.js';
import { at, codeFor, daysAgo, refer, referralSettings, storefront } from './referral-helpers.js';

let h: LoyaltyHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const order = (externalId: string, customer: string, overrides: Partial<OrderInput> = {}): OrderInput => ({
  external_id: externalId, customer_external_id: customer, placed_at: new Date(), currency: 'EUR', lines: [{ product_external_id: 'food', quantity: 1, unit_price: 4000 }], ...overrides,
});

async function setUp(): Promise<{ h: LoyaltyHarness; referrer: number; code: string }> {
  const harness = await loyaltyHarness(referralSettings());
  await harness.write({ customers: [{ external_id: 'jane', email: 'Jane.Doe+shop@gmail.com' }] });
  const { answer } = await codeFor(harness, 'jane', 'code-1');
  return { h: harness, referrer: await harness.customerId('jane'), code: answer.code };
}

describe('referral codes and links', () => {
  it('gives each customer one stable, short code, a link with it and correctly encoded share links', async () => {
    const s = await setUp();
    h = s.h;
    expect(s.code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    const again = await codeFor(h, 'jane', 'code-2');
    expect(again.statusCode).toBe(201);
    expect(again.answer.code).toBe(s.code);
    const retry = await codeFor(h, 'jane', 'code-1');
    expect(retry.statusCode).toBe(200);
    expect(retry.answer).toEqual(again.answer);

    const { link, share } = again.answer;
    expect(link).toBe(`https://shop.example/welcome?ref=${s.code}`);
    const message = 'Get 10 % off your first order at Loyal Pets & Co';
    // Each share link read back as the receiving service reads it gives the message and the link.
    const mail = new URL(share.email);
    expect(mail.protocol).toBe('mailto:');
    expect(share.email).not.toMatch(/\+/);
    expect(decodeURIComponent(share.email.split('body=')[1]!)).toBe(`${message}: ${link}`);
    expect(new URL(share.whatsapp).searchParams.get('text')).toBe(`${message}: ${link}`);
    expect(new URL(share.x).searchParams.get('text')).toBe(message);
    expect(new URL(share.x).searchParams.get('url')).toBe(link);
    expect(new URL(share.facebook).searchParams.get('u')).toBe(link);
    // The & of the message does not break the query into another parameter.
    expect([...new URL(share.x).searchParams.keys()]).toEqual(['text', 'url']);

    const other = await h.t.services.customers.get(h.storeId, 'ext:jane');
    expect(other.id).toBe(s.referrer);
  });

  it('refuses a code while referrals are off, and an unknown code by name', async () => {
    h = await loyaltyHarness(referralSettings());
    await h.write({ customers: [{ external_id: 'jane', email: 'jane@example.com' }] });
    const unknown = await storefront(h, 'click', { code: 'NOPE2345' }, 'k1');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { details: [{ path: 'code' }] } });
    await h.t.services.loyalty.saveSettings(h.storeId, { ...referralSettings(), referrals: { ...referralSettings().referrals!, enabled: false } }, 'test');
    expect((await codeFor(h, 'jane', 'k2')).statusCode).toBe(409);
  });
});

describe('an honest referral', () => {
  it('is rewarded only after the friend\'s first order has passed the return window', async () => {
    const s = await setUp();
    h = s.h;
    const signed = await refer(h, s.code, { email: 'amy@example.com', anonymous_id: 'amy-phone' }, 'amy');
    expect(signed).toMatchObject({ state: 'signed_up', reason: null, offer: { kind: 'percent_off', value: 10 } });
    expect(signed.offer!.code).toMatch(/^REF-[A-HJ-NP-Z2-9]{8}$/);

    // The friend orders with the offer code, under another spelling of her email.
    await h.write({ customers: [{ external_id: 'amy', email: 'Amy@Example.com' }], orders: [order('o1', 'amy', { discount_codes: [signed.offer!.code.toLowerCase()] })] });
    let referral = await h.t.services.loyalty.referrals.get(h.storeId, signed.referral_id);
    expect(referral).toMatchObject({ state: 'ordered', friend_customer_id: await h.customerId('amy'), award: { points: 500, available_at: null } });
    expect(await h.t.services.loyalty.balance(h.storeId, s.referrer, at(400))).toMatchObject({ available: 0, pending: 500 });

    const delivered = new Date();
    await h.write({ fulfillments: [{ external_id: 'f1', order_external_id: 'o1', delivered_at: delivered }] });
    const windowEnds = delivered.getTime() + 30 * 86_400_000;
    referral = await h.t.services.loyalty.referrals.get(h.storeId, signed.referral_id, new Date(windowEnds - 1000));
    expect(referral.state).toBe('ordered');
    expect(await h.t.services.loyalty.balance(h.storeId, s.referrer, new Date(windowEnds - 1000))).toMatchObject({ available: 0, pending: 500 });
    referral = await h.t.services.loyalty.referrals.get(h.storeId, signed.referral_id, new Date(windowEnds + 1000));
    expect(referral).toMatchObject({ state: 'rewarded', rewarded_at: new Date(windowEnds) });
    expect(await h.t.services.loyalty.balance(h.storeId, s.referrer, new Date(windowEnds + 1000))).toMatchObject({ available: 500, pending: 0 });

    // A second order of the friend earns the referrer nothing more.
    await h.write({ orders: [order('o2', 'amy')] });
    const history = (await h.t.services.loyalty.history(h.storeId, s.referrer)).data;
    expect(history.filter((e) => e.source === 'referral')).toHaveLength(1);
    // The referrer's thank-you moment, recorded once: flows start on it.
    const ordered = await readEvents(h.t.services.storage.read, 0, Number.MAX_SAFE_INTEGER, ['loyalty.referral_ordered']);
    expect(ordered).toHaveLength(1);
    expect(ordered[0]).toMatchObject({ customerId: s.referrer, data: { referral_id: signed.referral_id, friend_customer_id: await h.customerId('amy'), points: 500, points_available_at: null } });
    expect(await h.t.services.loyalty.check(h.storeId)).toEqual([]);

    // The admin list shows it with its state.
    const list = await h.t.app.inject({ method: 'GET', url: '/api/v1/loyalty/referrals?state=ordered', headers: { authorization: `Bearer ${h.secretKey}` } });
    expect(list.json<{ data: { id: string }[] }>().data.map((r) => r.id)).toEqual([signed.referral_id]);
  });

  it('a refund of the friend\'s order within the window rejects it and takes the points back', async () => {
    const s = await setUp();
    h = s.h;
    const signed = await refer(h, s.code, { email: 'ben@example.com' }, 'ben');
    await h.write({ customers: [{ external_id: 'ben', email: 'ben@example.com' }], orders: [order('o1', 'ben')], fulfillments: [{ external_id: 'f1', order_external_id: 'o1', delivered_at: new Date() }] });
    expect(await h.t.services.loyalty.balance(h.storeId, s.referrer, at(400))).toMatchObject({ available: 500 });
    await h.write({ returns: [{ external_id: 'r1', order_external_id: 'o1', returned_at: new Date(), currency: 'EUR', amount: 1000 }] });
    const referral = await h.t.services.loyalty.referrals.get(h.storeId, signed.referral_id, at(400));
    expect(referral).toMatchObject({ state: 'rejected', reason: 'order_refunded' });
    expect(await h.t.services.loyalty.balance(h.storeId, s.referrer, at(400))).toMatchObject({ available: 0, pending: 0, ledger: 0 });
    // Nor does the rejected award count towards a tier.
    expect(await qualifyingFigure(loyaltyDb(h.t.services.storage.read), h.storeId, s.referrer, 'points_earned', new Date())).toBe(0);
    // Replaying the refund changes nothing.
    await h.write({ returns: [{ external_id: 'r1', order_external_id: 'o1', returned_at: new Date(), currency: 'EUR', amount: 1000 }] });
    expect((await h.t.services.loyalty.history(h.storeId, s.referrer)).data).toHaveLength(2);
    expect(await h.t.services.loyalty.check(h.storeId)).toEqual([]);

    // Every domain event delivered again (delivery is at least once) changes nothing.
    const before = { history: await h.t.services.loyalty.history(h.storeId, s.referrer), referral: await h.t.services.loyalty.referrals.get(h.storeId, signed.referral_id) };
    const events = await readEvents(h.t.services.storage.read, 0, Number.MAX_SAFE_INTEGER);
    await h.t.services.loyalty.handleEvents(events);
    await h.t.services.loyalty.handleEvents(events);
    expect({ history: await h.t.services.loyalty.history(h.storeId, s.referrer), referral: await h.t.services.loyalty.referrals.get(h.storeId, signed.referral_id) }).toEqual(before);
  });

  it('a cancellation within the window rejects it; a refund after the window does not', async () => {
    const s = await setUp();
    h = s.h;
    const cancelled = await refer(h, s.code, { email: 'cat@example.com' }, 'cat');
    // Dan followed the link 70 days ago (the storefront's calls, dated then).
    const click = await h.t.services.loyalty.referrals.click(h.storeId, { code: s.code }, 'dan:click', daysAgo(70));
    const kept = (await h.t.services.loyalty.referrals.signup(h.storeId, { code: s.code, referral_id: click.answer.referral_id, email: 'dan@example.com' }, 'dan:signup', daysAgo(70))).answer;
    expect(kept.state).toBe('signed_up');
    await h.write({
      customers: [{ external_id: 'cat', email: 'cat@example.com' }, { external_id: 'dan', email: 'dan@example.com' }],
      orders: [order('c1', 'cat'), order('d1', 'dan', { placed_at: daysAgo(60) })],
      fulfillments: [{ external_id: 'fd', order_external_id: 'd1', delivered_at: daysAgo(50) }],
    });
    await h.write({ orders: [order('c1', 'cat', { status: 'cancelled' })] });
    expect(await h.t.services.loyalty.referrals.get(h.storeId, cancelled.referral_id)).toMatchObject({ state: 'rejected', reason: 'order_cancelled' });

    // Dan's order was delivered 50 days ago: the window closed 20 days ago, so a refund now keeps the reward.
    await h.write({ returns: [{ external_id: 'rd', order_external_id: 'd1', returned_at: daysAgo(1), currency: 'EUR', amount: 4000 }] });
    expect(await h.t.services.loyalty.referrals.get(h.storeId, kept.referral_id)).toMatchObject({ state: 'rewarded' });
    expect(await h.t.services.loyalty.balance(h.storeId, s.referrer)).toMatchObject({ available: 500 });
  });
});
