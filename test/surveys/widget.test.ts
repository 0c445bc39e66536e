/**
 * The storefront survey routes for a customer the shop's server signed (with node:crypto, as a
 * shop would): the state before and after an answer, one answer per customer, kind and key shared
 * with the hosted page, a changed score that updates it, the domain events once, refusals naming
 * the field, forged signatures and foreign origins refused; and the loyalty programme's survey
 * points: written once per answer (a replayed event or a changed answer writes nothing more), the
 * thank-yous saying so, nothing and no claim for a non-member or with the programme off.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderInput } from '../../src/modules/commerce/commerce.input.js';
import { readEvents, type DomainEvent } from '../../src/modules/domain-events/index.js';
import { bearer, errorOf } from '../helpers/app.js';
import { loyaltyHarness, settingsWith, type LoyaltyHarness } from '../loyalty/harness.js';

let h: LoyaltyHarness;
let key: Buffer;
const SURVEY_POINTS = 20;
const settings = settingsWith({ earning: { points_per_currency_unit: 1, points_per_order: 0, signup_points: 0, survey_points: SURVEY_POINTS }, pending: { days: 0, from: 'payment' } });

const order = (externalId: string, customer: string, euros: number): OrderInput => ({
  external_id: externalId, customer_external_id: customer, placed_at: new Date(Date.now() - 86_400_000), currency: 'EUR',
  lines: [{ product_external_id: 'tea', quantity: 1, unit_price: euros * 100 }],
});
const sign = (customer: string) => createHmac('sha256', key).update(customer).digest('hex');
const state = (customer: string, kind: string, surveyKey: string, signature = sign(customer), headers: Record<string, string> = {}) => h.t.app.inject({
  method: 'GET', url: `/v1/surveys/state?key=${h.writeKey}&customer=${encodeURIComponent(customer)}&signature=${signature}&kind=${kind}&survey_key=${encodeURIComponent(surveyKey)}`, headers,
});
const answer = (customer: string, body: Record<string, unknown>, signature = sign(customer), headers: Record<string, string> = {}) => h.t.app.inject({
  method: 'POST', url: '/v1/surveys/answers', payload: { customer, signature, ...body }, headers: { ...bearer(h.writeKey), ...headers },
});
const admin = (url: string) => h.t.app.inject({ method: 'GET', url, headers: bearer(h.secretKey) });
const answersOf = async (customerId: number) => (await admin(`/api/v1/surveys/answers?customer_id=${customerId}`)).json().data as { id: string; kind: string; score: number; follow_up: string | null }[];
const surveyEntries = async (customerId: number) => ((await admin(`/api/v1/loyalty/customers/${customerId}/history?limit=100`)).json().data as { points: number; source: string }[])
  .filter((e) => e.source.startsWith('rule:survey'));
const events = async (type: DomainEvent['type']) => (await readEvents(h.t.services.storage.read, 0, Number.MAX_SAFE_INTEGER, [type])).filter((e) => e.storeId === h.storeId);

beforeAll(async () => {
  h = await loyaltyHarness(settings);
  await h.write({ customers: ['ada', 'bob', 'cyd', 'dee'].map((c) => ({ external_id: c, email: `${c}@example.com` })) });
  // Ada, Cyd and Dee ordered while the programme ran: members. Bob has no ledger row.
  await h.write({ orders: [order('a1', 'ada', 30), order('c1', 'cyd', 10), order('d1', 'dee', 10)] });
  key = Buffer.from((await admin('/api/v1/storefront/key')).json().key, 'hex');
}, 60_000);
afterAll(async () => h.close());

describe('the storefront survey routes', () => {
  it('ask, take the answer, then the follow-up, and show the thank-you with the points once written', async () => {
    const ada = await h.customerId('ada');
    const before = await state('ada', 'nps', 'order-a1');
    expect(before.statusCode, before.body).toBe(200);
    expect(before.json()).toEqual({
      known: true, question: 'How likely are you to recommend Loyal Pets to a friend or colleague?', from: 0, to: 10, ends: ['Not at all likely', 'Extremely likely'],
      answered: false, score: null, follow_up_question: null, followed_up: false, points: 0, points_awarded: false, points_message: null,
    });

    const first = await answer('ada', { kind: 'nps', survey_key: 'order-a1', score: 9 });
    expect(first.statusCode, first.body).toBe(201);
    // Due by the rules, not written yet: no claim that it was earned.
    expect(first.json()).toMatchObject({ answered: true, score: 9, follow_up_question: 'What do you like most about us?', points: SURVEY_POINTS, points_awarded: false, points_message: `You will receive ${SURVEY_POINTS} points for your answer.` });
    const follow = await answer('ada', { kind: 'nps', survey_key: 'order-a1', score: 9, follow_up: 'The smoky oolong' });
    expect(follow.statusCode, follow.body).toBe(200);
    expect(follow.json()).toMatchObject({ followed_up: true });

    const stored = await answersOf(ada);
    expect(stored).toEqual([expect.objectContaining({ kind: 'nps', score: 9, follow_up: 'The smoky oolong', category: 'promoter' })]);
    expect((await events('survey.answered')).filter((e) => e.customerId === ada)).toEqual([expect.objectContaining({ data: expect.objectContaining({ answer_id: stored[0]!.id, kind: 'nps', key: 'order-a1', score: 9 }) })]);

    await h.idle();
    expect(await surveyEntries(ada)).toEqual([expect.objectContaining({ points: SURVEY_POINTS, source: 'rule:survey:nps:order-a1' })]);
    // 30 EUR at one point each, and the survey's points.
    expect((await admin(`/api/v1/loyalty/customers/${ada}`)).json().available).toBe(30 + SURVEY_POINTS);
    expect((await state('ada', 'nps', 'order-a1')).json()).toMatchObject({ answered: true, score: 9, followed_up: true, points: SURVEY_POINTS, points_awarded: true, points_message: `You earned ${SURVEY_POINTS} points.` });
    // Another survey key is another survey.
    expect((await state('ada', 'nps', 'order-a2')).json()).toMatchObject({ answered: false });
  });

  it('keep one answer per customer, kind and key: a replayed post, a changed score, a replayed event and the hosted page add nothing', async () => {
    const cyd = await h.customerId('cyd');
    const body = { kind: 'csat', survey_key: 'order-c1', score: 4, comment: 'Quick' };
    const posts = [await answer('cyd', body), await answer('cyd', body)];
    expect(posts.map((p) => p.statusCode)).toEqual([201, 200]);
    // Sent again at once, as a retrying page might: still the one answer.
    const burst = await Promise.all(Array.from({ length: 6 }, () => answer('cyd', { ...body, survey_key: 'burst' })));
    expect(burst.map((p) => p.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    const changed = await answer('cyd', { ...body, score: 1 });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ score: 1, follow_up_question: 'What is the one thing we should do better?' });
    // The hosted page's link for the same customer, kind and key opens the same answer.
    const link = await h.t.services.surveys.link(h.storeId, { customer_id: cyd, kind: 'csat', key: 'order-c1' });
    const page = await h.t.app.inject({ method: 'GET', url: new URL(link.url).pathname });
    expect(page.body).toContain('Your answer (1) is saved.');

    const stored = await answersOf(cyd);
    expect(stored.map((a) => [a.kind, a.score]).sort()).toEqual([['csat', 1], ['csat', 4]]);
    const answered = (await events('survey.answered')).filter((e) => e.customerId === cyd);
    expect(answered).toHaveLength(2);
    expect((await events('survey.detractor')).filter((e) => e.customerId === cyd)).toHaveLength(1);

    await h.idle();
    // One award per answer: two surveys, two awards.
    expect(await surveyEntries(cyd)).toEqual([expect.objectContaining({ points: SURVEY_POINTS }), expect.objectContaining({ points: SURVEY_POINTS })]);
    // The events delivered again (delivery is at least once) find their keys taken.
    await h.t.services.loyalty.handleEvents(answered);
    await h.t.services.loyalty.handleEvents(answered);
    expect(await surveyEntries(cyd)).toHaveLength(2);
    expect((await admin(`/api/v1/loyalty/customers/${cyd}`)).json().available).toBe(10 + 2 * SURVEY_POINTS);
  });

  it('say "You earned N points" on the hosted page\'s thank-you once written', async () => {
    const dee = await h.customerId('dee');
    const link = await h.t.services.surveys.link(h.storeId, { customer_id: dee, kind: 'nps', key: 'spring' });
    const path = new URL(link.url).pathname;
    const posted = await h.t.app.inject({ method: 'POST', url: path, payload: 'score=10', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' } });
    expect(posted.statusCode).toBe(200);
    expect(posted.body).toContain(`You will receive ${SURVEY_POINTS} points for your answer.`);
    await h.idle();
    expect((await h.t.app.inject({ method: 'GET', url: path })).body).toContain(`You earned ${SURVEY_POINTS} points.`);
    expect(await surveyEntries(dee)).toEqual([expect.objectContaining({ points: SURVEY_POINTS, source: 'rule:survey:nps:spring' })]);
  });

  it('give a non-member no points and claim none', async () => {
    const bob = await h.customerId('bob');
    const posted = await answer('bob', { kind: 'nps', survey_key: 'visit', score: 7 });
    expect(posted.statusCode).toBe(201);
    expect(posted.json()).toMatchObject({ points: 0, points_message: null });
    await h.idle();
    expect((await admin(`/api/v1/loyalty/customers/${bob}/history`)).json().data).toEqual([]);
    expect((await state('bob', 'nps', 'visit')).json()).toMatchObject({ answered: true, points: 0, points_message: null });
  });

  it('refuse a score out of the scale, a bad field, a forged signature, an unknown customer and a foreign origin', async () => {
    for (const [body, path, reason] of [
      [{ kind: 'nps', survey_key: 'r', score: 11 }, 'score', 'from 0 to 10'],
      [{ kind: 'nps', survey_key: 'r', score: -1 }, 'score', 'from 0 to 10'],
      [{ kind: 'csat', survey_key: 'r', score: 0 }, 'score', 'from 1 to 5'],
      [{ kind: 'csat', survey_key: 'r', score: 6 }, 'score', 'from 1 to 5'],
      [{ kind: 'nps', survey_key: 'r', score: 4.5 }, 'score', 'a whole number'],
      [{ kind: 'nps', survey_key: 'r', score: '9' }, 'score', 'a whole number'],
      [{ kind: 'ces', survey_key: 'r', score: 3 }, 'kind', ''],
      [{ kind: 'nps', survey_key: 'order 1/2', score: 3 }, 'survey_key', 'letters, digits'],
      [{ kind: 'nps', survey_key: 'r', score: 3, follow_up: 'x'.repeat(4001) }, 'follow_up', '4,000'],
    ] as const) {
      const response = await answer('ada', body);
      expect(response.statusCode, `${path}: ${reason}`).toBe(422);
      expect(errorOf(response).details, `${path}: ${reason}`).toEqual([expect.objectContaining({ path: expect.stringMatching(new RegExp(`(^|\\.)${path}$`)), reason: expect.stringContaining(reason) })]);
    }
    expect(await answersOf(await h.customerId('ada'))).toHaveLength(1);

    // Bob's page cannot answer for Ada, nor read her answer.
    expect(errorOf(await answer('ada', { kind: 'nps', survey_key: 'forged', score: 0 }, sign('bob'))).code).toBe('forbidden');
    expect((await state('ada', 'nps', 'order-a1', sign('bob'))).statusCode).toBe(403);
    expect((await state('ada', 'nps', 'order-a1', 'not-hex')).statusCode).toBe(403);
    expect((await h.t.app.inject({ method: 'GET', url: `/v1/surveys/state?key=not-a-key-at-all&customer=ada&signature=${sign('ada')}&kind=nps&survey_key=x` })).statusCode).toBe(401);
    expect((await h.t.app.inject({ method: 'POST', url: '/v1/surveys/answers', payload: { customer: 'ada', signature: sign('ada'), kind: 'nps', survey_key: 'x', score: 1 } })).statusCode).toBe(401);
    // A customer Hearth does not know: nothing asked, nothing stored.
    expect((await state('newcomer', 'nps', 'x')).json()).toMatchObject({ known: false, answered: false });
    expect((await answer('newcomer', { kind: 'nps', survey_key: 'x', score: 5 })).statusCode).toBe(404);

    await h.t.services.accounts.updateStore(h.storeId, { trackingOrigins: ['https://shop.example'] });
    expect((await state('ada', 'nps', 'order-a1', sign('ada'), { origin: 'https://shop.example' })).statusCode).toBe(200);
    expect((await state('ada', 'nps', 'order-a1', sign('ada'), { origin: 'https://elsewhere.example' })).statusCode).toBe(403);
    expect((await answer('ada', { kind: 'nps', survey_key: 'origin', score: 5 }, sign('ada'), { origin: 'https://elsewhere.example' })).statusCode).toBe(403);
    await h.t.services.accounts.updateStore(h.storeId, { trackingOrigins: null });
    expect(await answersOf(await h.customerId('ada'))).toHaveLength(1);
  });

  it('take the survey points as a setting refused when negative or not whole, and award none while the programme is off', async () => {
    const current = (await admin('/api/v1/loyalty/settings')).json().settings;
    expect(current.earning.survey_points).toBe(SURVEY_POINTS);
    for (const bad of [-1, 2.5, '20']) {
      const response = await h.t.app.inject({ method: 'PUT', url: '/api/v1/loyalty/settings', headers: bearer(h.secretKey), payload: { ...current, earning: { ...current.earning, survey_points: bad } } });
      expect(response.statusCode, String(bad)).toBe(422);
      expect(errorOf(response).details.map((d) => d.path)).toEqual([expect.stringMatching(/(^|\.)earning\.survey_points$/)]);
    }
    const off = await h.t.app.inject({ method: 'PUT', url: '/api/v1/loyalty/settings', headers: bearer(h.secretKey), payload: { ...current, enabled: false } });
    expect(off.statusCode, off.body).toBe(200);
    const ada = await h.customerId('ada');
    const posted = await answer('ada', { kind: 'csat', survey_key: 'while-off', score: 5 });
    expect(posted.statusCode).toBe(201);
    expect(posted.json()).toMatchObject({ points: 0, points_message: null });
    await h.idle();
    expect(await surveyEntries(ada)).toHaveLength(1);
  });

  it('serve the widget script', async () => {
    const script = await h.t.app.inject({ method: 'GET', url: '/v1/surveys/widget.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toContain('application/javascript');
    expect(script.body).toContain('/v1/surveys/answers');
    expect(script.body).not.toContain('innerHTML');
  });
});
