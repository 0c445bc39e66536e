/**
 * The storefront's referral calls as a browser makes them: idempotency keys (a retry gets the first
 * answer, 50 concurrent retries make one referral), the write key, CORS and the store's origins,
 * the per-address rate limit, and bad input named by field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loyaltyHarness, type LoyaltyHarness } from './harness.js';
import { codeFor, referralSettings, storefront } from './referral-helpers.js';

let h: LoyaltyHarness;
let code: string;

beforeAll(async () => {
  h = await loyaltyHarness(referralSettings());
  await h.write({ customers: [{ external_id: 'jane', email: 'jane@example.com' }] });
  code = (await codeFor(h, 'jane', 'jane-code')).answer.code;
}, 60_000);
afterAll(async () => h.close());

const referralCount = async () => (await h.t.services.loyalty.referrals.list(h.storeId, { limit: 500 })).data.length;

describe('idempotency', () => {
  it('a retried click gets the first answer; the same key for another request is refused', async () => {
    const first = await storefront(h, 'click', { code, anonymous_id: 'v1' }, 'click-1');
    const retry = await storefront(h, 'click', { code, anonymous_id: 'v1' }, 'click-1');
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(200);
    expect(retry.answer).toEqual(first.answer);
    // The same fields in another order are the same request.
    const reordered = await storefront(h, 'click', { anonymous_id: 'v1', code }, 'click-1');
    expect(reordered.statusCode).toBe(200);
    expect(reordered.answer).toEqual(first.answer);
    const other = await storefront(h, 'click', { code, anonymous_id: 'v2' }, 'click-1');
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ error: { details: [{ path: 'headers.idempotency-key' }] } });
    const missing = await h.t.app.inject({ method: 'POST', url: '/v1/referrals/click', remoteAddress: '127.9.9.9', headers: { authorization: `Bearer ${h.writeKey}` }, payload: { code } });
    expect(missing.statusCode).toBe(422);
    expect(missing.json()).toMatchObject({ error: { details: [{ path: 'headers.idempotency-key' }] } });
  });

  it('50 concurrent sign-ups with the same code and key make one referral and one offer', async () => {
    const before = await referralCount();
    const body = { code, email: 'many@example.com', anonymous_id: 'many-phone' };
    const answers = await Promise.all(Array.from({ length: 50 }, () => storefront(h, 'signup', body, 'signup-many')));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([...Array(49).fill(200), 201].sort());
    expect(new Set(answers.map((a) => a.answer.referral_id)).size).toBe(1);
    expect(new Set(answers.map((a) => a.answer.offer?.code)).size).toBe(1);
    expect(answers[0]!.answer.state).toBe('signed_up');
    expect(await referralCount()).toBe(before + 1);
  });

  it('a second sign-up on a referral already signed up is a conflict, not a second offer', async () => {
    const click = await storefront(h, 'click', { code }, 'click-twice');
    const one = await storefront(h, 'signup', { code, referral_id: click.answer.referral_id, email: 'twice@example.com' }, 'signup-twice-1');
    const two = await storefront(h, 'signup', { code, referral_id: click.answer.referral_id, email: 'twice@example.com' }, 'signup-twice-2');
    expect(one.statusCode).toBe(201);
    expect(two.statusCode).toBe(409);
    expect(two.json()).toMatchObject({ error: { details: [{ path: 'referral_id', reason: 'already signed_up' }] } });
  });
});

describe('the public routes', () => {
  it('need a key of the store, answer browsers with CORS and refuse origins the store does not list', async () => {
    const anonymous = await h.t.app.inject({ method: 'POST', url: '/v1/referrals/click', remoteAddress: '127.8.0.1', headers: { 'idempotency-key': 'x' }, payload: { code } });
    expect(anonymous.statusCode).toBe(401);
    // Another store's key does not know this store's codes.
    const other = await h.t.newStore('Other Shop');
    await h.t.services.loyalty.saveSettings(other.storeId, referralSettings(), 'test');
    const foreign = await h.t.app.inject({ method: 'POST', url: '/v1/referrals/click', remoteAddress: '127.8.0.2', headers: { authorization: `Bearer ${other.writeKey}`, 'idempotency-key': 'x' }, payload: { code } });
    expect(foreign.statusCode).toBe(404);

    const preflight = await h.t.app.inject({ method: 'OPTIONS', url: '/v1/referrals/signup', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, idempotency-key' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain('idempotency-key');

    await h.t.services.accounts.updateStore(h.storeId, { trackingOrigins: ['https://shop.example'] });
    const allowed = await storefront(h, 'click', { code }, 'origin-ok', { origin: 'https://shop.example' });
    expect(allowed.statusCode).toBe(201);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example');
    const refused = await storefront(h, 'click', { code }, 'origin-bad', { origin: 'https://evil.example' });
    expect(refused.statusCode).toBe(403);
    await h.t.services.accounts.updateStore(h.storeId, { trackingOrigins: null });
  });

  it('limit each address, answering 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 31; i += 1) {
      last = await h.t.app.inject({ method: 'POST', url: '/v1/referrals/click', remoteAddress: '127.7.7.7', headers: { authorization: `Bearer ${h.writeKey}`, 'idempotency-key': `burst-${i}` }, payload: { code } });
      statuses.push(last.statusCode);
    }
    expect(statuses.slice(0, 30).every((s) => s === 201)).toBe(true);
    expect(statuses[30]).toBe(429);
    expect(last!.headers['retry-after']).toBeDefined();
  });

  it('name the bad field and the reason', async () => {
    const email = await storefront(h, 'signup', { code, email: 'not-an-email' }, 'bad-email');
    expect(email.statusCode).toBe(422);
    expect(email.json()).toMatchObject({ error: { details: [{ path: 'email' }] } });
    const country = await storefront(h, 'signup', { code, email: 'x@example.com', shipping_address: { line1: '1 A St', city: 'B', country: 'Germany' } }, 'bad-country');
    expect(country.statusCode).toBe(422);
    expect(country.json()).toMatchObject({ error: { details: [{ path: 'shipping_address.country' }] } });
    const badCode = await storefront(h, 'click', { code: 'a b' }, 'bad-code');
    expect(badCode.statusCode).toBe(422);
    expect(badCode.json()).toMatchObject({ error: { details: [{ path: 'code' }] } });
  });
});
