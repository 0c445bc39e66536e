/**
 * Flows started by what a customer says or sends back — a review (filtered by stars), a survey
 * answer (filtered by survey and category), a return (filtered by amount) — with the steps that
 * award loyalty points and email the store's team. The real engine under the movable clock: the
 * review arrives through the API and as a tracked event, the survey answer through its signed
 * link, the return through the commerce writer; the team's emails go through a real SMTP
 * conversation; points are read back from the loyalty ledger. A step run again after a crash
 * awards and notifies nothing twice; the holdout gets no points and the team hears nothing of it.
 * A step sets a custom attribute on the profile, keeping the others, and a rule reads it after.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLoyaltySettings } from '../../src/modules/loyalty/index.js';
import { errorOf } from '../helpers/app.js';
import { addressOf, DAY, flowHarness, type FlowHarness, liveFlow, rewindRun } from './flow-harness.js';

const TEAM = 'team@shop.test';

let h: FlowHarness;
let apology: { id: string };
beforeAll(async () => {
  h = await flowHarness('Feedback Store');
  await h.services.loyalty.saveSettings(h.storeId, { ...defaultLoyaltySettings, enabled: true }, 'test');
  apology = (await h.request('POST', '/api/v1/templates/from-starter', { starter: 'welcome', name: 'Sorry to hear that' })).json() as { id: string };
});
afterAll(async () => {
  await h.close();
});

interface Run { id: number; customer_id: number; status: string; holdout: boolean; trigger_kind: string; steps: { step_id: string | null; outcome: string; detail: string | null }[] }

const customers = async (names: string[]) => {
  await h.services.commerce.write(h.storeId, { customers: names.map((n) => ({ external_id: n, email: `${n}@example.com`, first_name: n, email_consent: { status: 'subscribed' as const } })) });
  const rows = await h.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', h.storeId).where('external_id', 'in', names).execute();
  return new Map(rows.map((r) => [r.external_id!, Number(r.id)]));
};
const createLive = (name: string, document: unknown) => liveFlow(h, name, document);
const runsOf = async (flowId: string) => ((await h.request('GET', `/api/v1/flows/${flowId}/runs?limit=1000`)).json() as { data: Run[] }).data;
const available = async (customerId: number) => (await h.services.loyalty.balance(h.storeId, customerId, h.clock.now())).available;
const teamMails = async (subject: string) => (await h.sink.parsed()).filter((m) => addressOf(m) === TEAM && m.subject === subject);
const mailsTo = async (address: string) => (await h.sink.parsed()).filter((m) => addressOf(m) === address);
const review = (input: Record<string, unknown>) => h.request('POST', '/api/v1/reviews', input);
const track = (userId: string, event: string, properties: Record<string, unknown>, messageId: string) => h.app.inject({
  method: 'POST', url: '/v1/track', headers: { authorization: `Basic ${Buffer.from(`${h.writeKey}:`).toString('base64')}` },
  payload: { userId, event, properties, messageId },
});

describe('flows on reviews, surveys and returns', () => {
  it('a review of 3 stars or fewer notifies the team, awards points and apologises, once, whether it came through the API or a tracked event', async () => {
    const ids = await customers(['low', 'high', 'tracked']);
    const flow = await createLive('Review recovery', {
      trigger: { kind: 'review_submitted', max_rating: 3 }, holdout_share: 0,
      steps: [
        { id: 'team', type: 'notify_store', to: TEAM, subject: 'Unhappy review', message: 'Call them <today>', next: 'points' },
        { id: 'points', type: 'award_points', points: 200, reason: 'Sorry about your order', next: 'sorry' },
        { id: 'sorry', type: 'send_email', template_id: apology.id, purpose: 'transactional' },
      ],
    });
    const low = { review_id: 'r-low', product_id: 'p-mug', customer_id: 'low', rating: 2, body: 'Chipped on arrival' };
    expect((await review(low)).statusCode).toBeLessThan(300);
    expect((await review({ review_id: 'r-high', product_id: 'p-mug', customer_id: 'high', rating: 5, body: 'Lovely' })).statusCode).toBeLessThan(300);
    expect((await track('tracked', 'Product Reviewed', { product_id: 'p-mug', review_id: 'r-tracked', rating: 3, review_body: 'It is fine' }, 'rev-msg-1')).statusCode).toBe(200);
    await h.settle();
    // The same review sent again is the same review: nobody enters twice.
    expect((await review(low)).statusCode).toBeLessThan(300);
    await h.settle();
    await h.advance(DAY);

    const runs = await runsOf(flow.id);
    expect(runs.map((r) => r.customer_id).sort()).toEqual([ids.get('low'), ids.get('tracked')].sort());
    for (const run of runs) {
      expect(run.status).toBe('completed');
      expect(run.steps.map((s) => `${s.step_id}:${s.outcome}`)).toEqual(['null:entered', 'team:store_notified', 'points:awarded', 'sorry:queued', 'null:completed']);
    }
    expect([await available(ids.get('low')!), await available(ids.get('high')!), await available(ids.get('tracked')!)]).toEqual([200, 0, 200]);
    const history = await h.services.loyalty.history(h.storeId, ids.get('low')!, {}, h.clock.now());
    expect(history.data.map((e) => [e.points, e.reason, e.source])).toEqual([[200, 'Sorry about your order', 'flow']]);
    expect((await mailsTo('low@example.com')).length).toBe(1);
    expect((await mailsTo('high@example.com')).length).toBe(0);

    const notices = await teamMails('Unhappy review');
    expect(notices.length).toBe(2);
    const aboutLow = notices.find((m) => (m.text ?? '').includes('low@example.com'))!;
    expect(aboutLow.text).toContain('rating');
    expect(aboutLow.text).toMatch(/rating\s+2/);
    expect(aboutLow.text).toContain('Review recovery');
    expect(aboutLow.html).toContain('Call them &lt;today&gt;');
    expect(aboutLow.html).not.toContain('<today>');

    // The backtest finds the same entrants in the store's history: reviewers of at most 3 stars.
    const backtest = await h.request('POST', `/api/v1/flows/${flow.id}/backtest`, { days: 30 });
    expect(backtest.statusCode, backtest.body).toBe(200);
    const stored = await sql<{ customer_id: number | null; rating: number }>`select customer_id, rating from reviews where store_id = ${h.storeId}`.execute(h.services.storage.read);
    const unhappy = new Set(stored.rows.filter((r) => r.customer_id !== null && Number(r.rating) <= 3).map((r) => Number(r.customer_id)));
    expect(unhappy.size).toBe(2);
    expect((backtest.json() as { entrants: number }).entrants).toBe(unhappy.size);
  });

  it('a step run again after a crash awards no points and sends the team nothing a second time', async () => {
    const ids = await customers(['again']);
    const flow = await createLive('Four stars, replayed', {
      trigger: { kind: 'review_submitted', min_rating: 4, max_rating: 4 }, holdout_share: 0,
      steps: [
        { id: 'team', type: 'notify_store', to: TEAM, subject: 'Four stars', next: 'points' },
        { id: 'points', type: 'award_points', points: 75 },
      ],
    });
    expect((await review({ review_id: 'r-again', product_id: 'p-mug', customer_id: 'again', rating: 4, body: 'Good' })).statusCode).toBeLessThan(300);
    await h.settle();
    const [run] = await runsOf(flow.id);
    expect(run!.status).toBe('completed');
    await rewindRun(h, run!.id, 'team');

    expect(await available(ids.get('again')!)).toBe(75);
    expect((await teamMails('Four stars')).length).toBe(1);
    const [again] = await runsOf(flow.id);
    expect(again!.steps.map((s) => `${s.step_id}:${s.outcome}`)).toEqual([
      'null:entered', 'team:store_notified', 'points:awarded', 'null:completed', 'team:store_already_notified', 'points:already_awarded', 'null:completed',
    ]);
    const entries = await sql<{ n: number }>`select count(*) as n from loyalty_entries where store_id = ${h.storeId} and customer_id = ${ids.get('again')}`.execute(h.services.storage.read);
    expect(Number(entries.rows[0]!.n)).toBe(1);
  });

  it('an NPS detractor alerts the team and a promoter earns points; a CSAT answer, a changed answer and a passive start nothing', async () => {
    const ids = await customers(['detractor', 'promoter', 'passive', 'csat', 'satisfied']);
    const detractors = await createLive('NPS detractor alert', {
      trigger: { kind: 'survey_answered', survey: 'nps', category: 'detractor' }, holdout_share: 0,
      steps: [{ id: 'team', type: 'notify_store', to: TEAM, subject: 'NPS detractor' }],
    });
    const promoters = await createLive('NPS promoter thanks', {
      trigger: { kind: 'survey_answered', category: 'promoter' }, holdout_share: 0,
      steps: [{ id: 'thanks', type: 'award_points', points: 50 }],
    });
    const answer = async (name: string, kind: 'nps' | 'csat', scores: number[]) => {
      const { url } = await h.services.surveys.link(h.storeId, { customer_id: ids.get(name), kind, key: `k-${name}` }, h.clock.now());
      const token = new URL(url).pathname.split('/').at(-1)!;
      for (const score of scores) await h.services.surveys.answer(token, { score: String(score), comment: `scored ${score}` }, h.clock.now());
    };
    await answer('detractor', 'nps', [3, 5]);
    await answer('promoter', 'nps', [10]);
    await answer('passive', 'nps', [8]);
    // CSAT 1 is a detractor, but of the other survey; CSAT 5 is a promoter (of any survey).
    await answer('csat', 'csat', [1]);
    await answer('satisfied', 'csat', [5]);
    await h.settle();
    await h.advance(DAY);

    expect((await runsOf(detractors.id)).map((r) => r.customer_id)).toEqual([ids.get('detractor')]);
    expect((await runsOf(promoters.id)).map((r) => r.customer_id).sort()).toEqual([ids.get('promoter'), ids.get('satisfied')].sort());
    const alerts = await teamMails('NPS detractor');
    expect(alerts.length).toBe(1);
    expect(alerts[0]!.text).toContain('detractor@example.com');
    expect(alerts[0]!.text).toMatch(/score\s+3/);
    expect(alerts[0]!.text).toContain('scored 3');
    expect(await available(ids.get('promoter')!)).toBe(50);
    expect(await available(ids.get('satisfied')!)).toBe(50);
    expect(await available(ids.get('passive')!)).toBe(0);
  });

  it('a return of at least the given amount notifies the team; a smaller one and the same return sent again do not', async () => {
    const ids = await customers(['big-return', 'small-return']);
    const flow = await createLive('Large return', {
      trigger: { kind: 'return_created', min_amount: 1_000 }, holdout_share: 0,
      steps: [{ id: 'team', type: 'notify_store', to: TEAM, subject: 'Large return' }],
    });
    const now = h.clock.now();
    const order = (id: string, customer: string) => ({ external_id: id, customer_external_id: customer, placed_at: now, currency: 'EUR', lines: [{ product_external_id: 'p-mug', title: 'Mug', quantity: 2, unit_price: 1_500 }] });
    await h.services.commerce.write(h.storeId, { orders: [order('ro-big', 'big-return'), order('ro-small', 'small-return')] });
    await h.settle();
    const returns = [
      { external_id: 'ret-big', order_external_id: 'ro-big', returned_at: now, currency: 'EUR', amount: 1_500, reason: 'too small' },
      { external_id: 'ret-small', order_external_id: 'ro-small', returned_at: now, currency: 'EUR', amount: 500 },
    ];
    await h.services.commerce.write(h.storeId, { returns });
    await h.settle();
    await h.services.commerce.write(h.storeId, { returns });
    await h.advance(DAY);

    const runs = await runsOf(flow.id);
    expect(runs.map((r) => [r.customer_id, r.trigger_kind, r.status])).toEqual([[ids.get('big-return'), 'return_created', 'completed']]);
    const notices = await teamMails('Large return');
    expect(notices.length).toBe(1);
    expect(notices[0]!.text).toContain('big-return@example.com');
    expect(notices[0]!.text).toContain('too small');
  });

  it('a step naming no address emails the store\'s reply-to address, else its owner, and says so when there is neither', async () => {
    const flow = await createLive('Any return', {
      trigger: { kind: 'return_created', min_amount: 100 }, holdout_share: 0,
      steps: [{ id: 'team', type: 'notify_store', subject: 'A return to look at' }],
    });
    const returnFrom = async (customer: string) => {
      await customers([customer]);
      const now = h.clock.now();
      await h.services.commerce.write(h.storeId, { orders: [{ external_id: `o-${customer}`, customer_external_id: customer, placed_at: now, currency: 'EUR', lines: [{ product_external_id: 'p-mug', quantity: 1, unit_price: 1_500 }] }] });
      await h.services.commerce.write(h.storeId, { returns: [{ external_id: `r-${customer}`, order_external_id: `o-${customer}`, returned_at: now, currency: 'EUR', amount: 1_500 }] });
      await h.settle();
      await h.advance(DAY);
    };
    const noticesTo = async (address: string) => (await mailsTo(address)).filter((m) => m.subject === 'A return to look at').map((m) => m.text ?? '');

    await returnFrom('nobody-told');
    const first = (await runsOf(flow.id))[0]!;
    expect(first.status).toBe('completed');
    expect(first.steps.find((s) => s.step_id === 'team')?.outcome).toBe('no_team_address');

    await h.services.accounts.addUser(h.storeId, { email: 'owner@shop.test', password: 'correct horse battery', role: 'owner' });
    await returnFrom('owner-told');
    expect(await noticesTo('owner@shop.test')).toEqual([expect.stringContaining('owner-told@example.com')]);

    await h.services.messages.updateSettings(h.storeId, { reply_to: 'care@shop.test' });
    await returnFrom('care-told');
    expect(await noticesTo('care@shop.test')).toEqual([expect.stringContaining('care-told@example.com')]);
    expect(await noticesTo('owner@shop.test')).toHaveLength(1);
  });

  it('the holdout follows the flow but earns no points and the team hears nothing of it', async () => {
    const names = Array.from({ length: 16 }, (_, i) => `hold${i}`);
    const ids = await customers(names);
    const segment = (await h.request('POST', '/api/v1/segments', { name: 'Hold', rule: { kind: 'profile', field: 'email', op: 'starts_with', value: 'hold' } })).json() as { id: string };
    const flow = await createLive('Held points', {
      trigger: { kind: 'manual' }, holdout_share: 0.5,
      steps: [{ id: 'team', type: 'notify_store', to: TEAM, subject: 'Held points', next: 'points' }, { id: 'points', type: 'award_points', points: 30 }],
    });
    expect((await h.request('POST', `/api/v1/flows/${flow.id}/enrol`, { segment_id: segment.id })).json()).toEqual({ members: 16, enrolled: 16 });
    await h.settle();

    const runs = await runsOf(flow.id);
    const held = runs.filter((r) => r.holdout);
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThan(16);
    for (const run of runs) expect(await available(run.customer_id)).toBe(run.holdout ? 0 : 30);
    for (const run of held) expect(run.steps.map((s) => s.outcome)).toEqual(['entered', 'held_out', 'held_out', 'completed']);
    expect((await teamMails('Held points')).length).toBe(16 - held.length);
    expect(new Set(runs.map((r) => r.customer_id))).toEqual(new Set(ids.values()));
  });

  it('awards nothing while the loyalty programme is off, and says so on the run', async () => {
    const ids = await customers(['off']);
    await h.services.loyalty.saveSettings(h.storeId, { ...defaultLoyaltySettings, enabled: false }, 'test');
    const flow = await createLive('Points while off', { trigger: { kind: 'manual' }, holdout_share: 0, steps: [{ id: 'points', type: 'award_points', points: 10 }] });
    const segment = (await h.request('POST', '/api/v1/segments', { name: 'Off', rule: { kind: 'profile', field: 'email', op: 'eq', value: 'off@example.com' } })).json() as { id: string };
    await h.request('POST', `/api/v1/flows/${flow.id}/enrol`, { segment_id: segment.id });
    await h.settle();
    const [run] = await runsOf(flow.id);
    expect(run!.steps.map((s) => [s.outcome, s.detail])).toEqual([['entered', null], ['skipped', 'the loyalty programme is off'], ['completed', null]]);
    expect(await available(ids.get('off')!)).toBe(0);
    await h.services.loyalty.saveSettings(h.storeId, { ...defaultLoyaltySettings, enabled: true }, 'test');
  });

  it('refuses documents with bad triggers and steps, naming the field', async () => {
    const refused = async (document: unknown) => {
      const response = await h.request('POST', '/api/v1/flows', { name: 'Bad', document });
      expect(response.statusCode).toBe(422);
      return errorOf(response).details.map((d) => d.path);
    };
    const exit = [{ id: 'x', type: 'exit' }];
    expect(await refused({ trigger: { kind: 'review_submitted', min_rating: 4, max_rating: 2 }, steps: exit })).toEqual(['trigger.min_rating']);
    expect(await refused({ trigger: { kind: 'review_submitted', max_rating: 6 }, steps: exit })).toEqual(['trigger.max_rating']);
    expect(await refused({ trigger: { kind: 'survey_answered', category: 'angry' }, steps: exit })).toEqual(['trigger.category']);
    expect(await refused({ trigger: { kind: 'return_created', min_amount: -1 }, steps: exit })).toEqual(['trigger.min_amount']);
    expect(await refused({ trigger: { kind: 'manual' }, steps: [{ id: 'p', type: 'award_points', points: 0 }] })).toEqual(['steps.0.points']);
    expect(await refused({ trigger: { kind: 'manual' }, steps: [{ id: 'n', type: 'notify_store', to: 'not an address', subject: 'Hi' }] })).toEqual(['steps.0.to']);
  });
});

describe('set_attribute', () => {
  it('sets a custom attribute on the profile, keeping the others, which segment rules then see', async () => {
    await h.services.commerce.write(h.storeId, {
      customers: [
        { external_id: 'attr-gold', email: 'attr-gold@example.com', attributes: { plan: 'gold' } },
        { external_id: 'attr-plain', email: 'attr-plain@example.com' },
      ],
    });
    const segment = (await h.request('POST', '/api/v1/segments', { name: 'Attr', rule: { kind: 'profile', field: 'email', op: 'starts_with', value: 'attr-' } })).json() as { id: string };
    const flow = await createLive('Mark for win-back', {
      trigger: { kind: 'manual' }, holdout_share: 0,
      steps: [
        { id: 'mark', type: 'set_attribute', attribute: 'winback_offer', value: 'spring', next: 'later' },
        // Rules are evaluated once per batch of runs: the condition comes in a later one.
        { id: 'later', type: 'wait', duration: { minutes: 1 }, next: 'check' },
        { id: 'check', type: 'condition', rule: { kind: 'attribute', name: 'winback_offer', op: 'eq', value: 'spring' }, yes: 'again', no: 'done' },
        { id: 'again', type: 'set_attribute', attribute: 'winback_offer', value: 'spring', next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    });
    expect((await h.request('POST', `/api/v1/flows/${flow.id}/enrol`, { segment_id: segment.id })).json()).toEqual({ members: 2, enrolled: 2 });
    await h.settle();
    await h.advance(2 * 60_000);

    const rows = await sql<{ external_id: string; attributes: string }>`select external_id, attributes from customers where store_id = ${h.storeId} and external_id like 'attr-%'`.execute(h.services.storage.read);
    const attributes = new Map(rows.rows.map((r) => [r.external_id, JSON.parse(r.attributes) as Record<string, unknown>]));
    expect(attributes.get('attr-gold')).toEqual({ plan: 'gold', winback_offer: 'spring' });
    expect(attributes.get('attr-plain')).toEqual({ winback_offer: 'spring' });
    for (const run of await runsOf(flow.id)) {
      expect(run.steps.map((s) => `${s.step_id}:${s.outcome}`)).toEqual(['null:entered', 'mark:attribute_set', 'later:waited', 'check:yes', 'again:unchanged', 'done:exit']);
    }
  });

  it('refuses an attribute name that is not a plain key', async () => {
    const response = await h.request('POST', '/api/v1/flows', { name: 'Bad', document: { trigger: { kind: 'manual' }, steps: [{ id: 'a', type: 'set_attribute', attribute: 'two words', value: 1 }] } });
    expect(response.statusCode).toBe(422);
    expect(errorOf(response).details.map((d) => d.path)).toEqual(['steps.0.attribute']);
  });
});
