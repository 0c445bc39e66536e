/** Calls of the referral API as a shop makes them: the admin API with the secret key, the storefront's with the write key. */
import type { LightMyRequestResponse } from 'fastify';
import type { ReferralAnswer, ReferralCodeView } from '../../src/modules/loyalty/index.js';
import { DAY, settingsWith, type LoyaltyHarness } from './harness.js';

let address = 0;
/** Each call from its own loopback address, so the per-address rate limit is not what a test measures. */
export const nextAddress = (): string => `127.0.${Math.floor(++address / 250) % 250}.${(address % 250) + 1}`;

export const referralSettings = (changes: { limit?: { max: number; per: 'day' | 'week' | 'month' | 'year' } } = {}) => settingsWith({
  pending: { days: 30, from: 'delivery' },
  referrals: {
    enabled: true, referrer_points: 500, friend_offer: { kind: 'percent_off', value: 10 }, link_base: 'https://shop.example/welcome',
    share_message: 'Get 10 % off your first order at Loyal Pets & Co', limit: changes.limit ?? { max: 10, per: 'month' },
  },
});

export const now = Date.now();
export const daysAgo = (days: number): Date => new Date(now - days * DAY);
export const at = (days: number): Date => new Date(now + days * DAY);

export async function codeFor(h: LoyaltyHarness, customer: string, key: string, body?: unknown): Promise<LightMyRequestResponse & { answer: ReferralCodeView }> {
  const res = await h.t.app.inject({
    method: 'POST', url: `/api/v1/loyalty/customers/ext:${customer}/referral-code`,
    headers: { authorization: `Bearer ${h.secretKey}`, 'idempotency-key': key }, ...(body !== undefined && { payload: body as object }),
  });
  return Object.assign(res, { answer: res.json<ReferralCodeView>() });
}

export async function storefront(h: LoyaltyHarness, step: 'click' | 'signup', body: object, key: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse & { answer: ReferralAnswer }> {
  const res = await h.t.app.inject({
    method: 'POST', url: `/v1/referrals/${step}`, remoteAddress: nextAddress(),
    headers: { authorization: `Bearer ${h.writeKey}`, 'idempotency-key': key, ...headers }, payload: body,
  });
  return Object.assign(res, { answer: res.json<ReferralAnswer>() });
}

/** Click then sign-up, as a storefront does for a friend. */
export async function refer(h: LoyaltyHarness, code: string, friend: { email: string; anonymous_id?: string; [k: string]: unknown }, key: string): Promise<ReferralAnswer> {
  const click = await storefront(h, 'click', { code, ...(friend.anonymous_id && { anonymous_id: friend.anonymous_id }) }, `${key}:click`);
  if (click.statusCode !== 201) throw new Error(`click: ${click.statusCode} ${click.body}`);
  const signup = await storefront(h, 'signup', { code, referral_id: click.answer.referral_id, ...friend }, `${key}:signup`);
  if (signup.statusCode !== 201) throw new Error(`signup: ${signup.statusCode} ${signup.body}`);
  return signup.answer;
}
