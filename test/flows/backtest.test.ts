/**
 * The backtest against an independent count: a history of checkouts, orders, unsubscribes and
 * tracked events is planted through the product's writer and tracking API, and the figures the
 * backtest computes in SQL are compared with a plain walk over the planted facts in this file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, flowHarness, HOUR, type FlowHarness } from './flow-harness.js';

let h: FlowHarness;
beforeAll(async () => {
  h = await flowHarness('Backtest Store');
});
afterAll(async () => {
  await h.close();
});

interface Backtest {
  entrants: number; entries: number; completed: number; messages: number; summary: string; approximations: string[];
  steps: { id: string; reached: number; waiting: number; exited: Record<string, number>; outcomes: Record<string, number> }[];
}
interface Planted { name: string; checkouts: number[]; orders?: number[]; unsubscribedAt?: number }
interface Figures { reached: number; waiting: number; exited: Record<string, number> }

const MIN = 60_000;
const installed = async (key: string) => ((await h.request('POST', `/api/v1/flows/library/${key}/install`)).json() as { flow: { id: string; document: { holdout_share: number } } }).flow;

describe('the backtest', () => {
  it('counts the abandoned-checkout flow\'s entrants, exits by step and reason, and messages as an independent walk does', async () => {
    const now = h.clock.now().getTime();
    const ago = (ms: number) => now - ms;
    // Times are milliseconds before now; orders and unsubscribes are absolute times too.
    const people: Planted[] = [
      ...[10, 11, 12, 13, 14].map((d, i) => ({ name: `plain${i}`, checkouts: [ago(d * DAY)] })),
      ...[0, 1, 2].map((i) => ({ name: `quick${i}`, checkouts: [ago(20 * DAY)], orders: [ago(20 * DAY) + 30 * MIN] })),
      ...[0, 1].map((i) => ({ name: `later${i}`, checkouts: [ago(30 * DAY)], orders: [ago(30 * DAY) + 5 * HOUR] })),
      { name: 'leaver', checkouts: [ago(40 * DAY)], unsubscribedAt: ago(40 * DAY) + 10 * MIN },
      { name: 'old', checkouts: [ago(100 * DAY)] },
      { name: 'fresh', checkouts: [ago(30 * MIN)] },
      { name: 'midway', checkouts: [ago(5 * HOUR)] },
      { name: 'twice', checkouts: [ago(50 * DAY), ago(47 * DAY)] },
      { name: 'again', checkouts: [ago(60 * DAY), ago(50 * DAY)] },
      { name: 'before', checkouts: [ago(70 * DAY)], orders: [ago(70 * DAY) - HOUR] },
    ];
    await h.services.commerce.write(h.storeId, {
      customers: people.map((p) => ({
        external_id: p.name, email: `${p.name}@example.com`,
        email_consent: p.unsubscribedAt ? { status: 'unsubscribed' as const, at: new Date(p.unsubscribedAt) } : { status: 'subscribed' as const, at: new Date(ago(365 * DAY)) },
      })),
    });
    await h.services.commerce.write(h.storeId, {
      checkouts: people.flatMap((p) => p.checkouts.map((at, i) => ({ external_id: `chk-${p.name}-${i}`, customer_external_id: p.name, currency: 'EUR', value: 3_000, started_at: new Date(at) }))),
      orders: people.flatMap((p) => (p.orders ?? []).map((at, i) => ({
        external_id: `o-${p.name}-${i}`, customer_external_id: p.name, placed_at: new Date(at), currency: 'EUR', lines: [{ product_external_id: 'p-1', quantity: 1, unit_price: 3_000 }],
      }))),
    });
    await h.settle();
    const flow = await installed('abandoned_checkout');

    // The independent walk: entries in the window, 7 days apart; then the steps at their times.
    const days = 90;
    const steps = [{ id: 'hour', at: 0 }, { id: 'first', at: HOUR }, { id: 'day', at: HOUR }, { id: 'second', at: 24 * HOUR }, { id: 'done', at: 24 * HOUR }];
    const expected = new Map<string, Figures>(steps.map((s) => [s.id, { reached: 0, waiting: 0, exited: {} }]));
    let entries = 0;
    let completed = 0;
    const entrants = new Set<string>();
    for (const person of people) {
      let last: number | undefined;
      for (const entry of [...person.checkouts].sort((a, b) => a - b)) {
        if (entry <= ago(days * DAY)) continue;
        if (last !== undefined && entry - last < 7 * DAY) continue;
        last = entry;
        entries += 1;
        entrants.add(person.name);
        for (const step of steps) {
          const at = entry + step.at;
          const figures = expected.get(step.id)!;
          if (at > now) { figures.waiting += 1; break; }
          const reason = (person.orders ?? []).some((o) => o > entry && o <= at) ? 'ordered' : person.unsubscribedAt !== undefined && person.unsubscribedAt <= at ? 'unsubscribed' : null;
          if (reason) { figures.exited[reason] = (figures.exited[reason] ?? 0) + 1; break; }
          figures.reached += 1;
          if (step.id === 'done') completed += 1;
        }
      }
    }

    const response = await h.request('POST', `/api/v1/flows/${flow.id}/backtest`, { days });
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json() as Backtest;
    expect(result.entrants).toBe(entrants.size);
    expect(result.entries).toBe(entries);
    expect(result.completed).toBe(completed);
    for (const step of result.steps) expect({ id: step.id, reached: step.reached, waiting: step.waiting, exited: step.exited }).toEqual({ id: step.id, ...expected.get(step.id)! });
    const sends = expected.get('first')!.reached + expected.get('second')!.reached;
    expect(result.messages).toBe(Math.round(sends * (1 - flow.document.holdout_share)));
    const exitsAtFirst = expected.get('first')!.exited.ordered!;
    expect(result.summary).toBe(`In the last 90 days, ${entrants.size} customers would have entered; ${exitsAtFirst} would have exited at step 2 (first) because they ordered; ${result.messages} messages would have been sent.`);
    expect(result.approximations.join(' ')).toContain('today');

    // A shorter window sees fewer entries; a bad window is refused naming the field.
    const week = (await h.request('POST', `/api/v1/flows/${flow.id}/backtest`, { days: 7 })).json() as Backtest;
    expect(week.entrants).toBe(people.filter((p) => p.checkouts.some((c) => c > ago(7 * DAY))).length);
    const bad = await h.request('POST', `/api/v1/flows/${flow.id}/backtest`, { days: 0 });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ error: { details: [{ path: 'days' }] } });
  });

  it('follows a wait for an event through the tracked history: added to cart in time, timed out, still waiting; the ready browse flow enters the timed out', async () => {
    const now = h.clock.now().getTime();
    const viewers = [
      { name: 'adds', viewed: now - 5 * DAY, added: now - 5 * DAY + HOUR },
      { name: 'leaves', viewed: now - 6 * DAY },
      { name: 'slow', viewed: now - 7 * DAY, added: now - 7 * DAY + 5 * HOUR },
      { name: 'browsing', viewed: now - 2 * HOUR },
    ];
    await h.services.commerce.write(h.storeId, { customers: viewers.map((v) => ({ external_id: v.name, email: `${v.name}@example.com`, email_consent: { status: 'subscribed' as const, at: new Date(now - 365 * DAY) } })) });
    const track = (userId: string, event: string, at: number, messageId: string) => h.app.inject({
      method: 'POST', url: '/v1/track', headers: { authorization: `Basic ${Buffer.from(`${h.writeKey}:`).toString('base64')}` },
      payload: { userId, event, properties: {}, messageId, timestamp: new Date(at).toISOString() },
    });
    for (const v of viewers) {
      expect((await track(v.name, 'Product Viewed', v.viewed, `view-${v.name}`)).statusCode).toBe(200);
      if (v.added) expect((await track(v.name, 'Product Added', v.added, `add-${v.name}`)).statusCode).toBe(200);
    }
    await h.settle();
    const template = (await h.request('POST', '/api/v1/templates/from-starter', { starter: 'browse_abandonment', name: 'Second look' })).json() as { id: string };
    const created = await h.request('POST', '/api/v1/flows', { name: 'Viewed, then added?', document: {
      trigger: { kind: 'event', name: 'Product Viewed' }, entry: { re_entry: 'after', after_days: 7 }, holdout_share: 0,
      steps: [
        { id: 'added', type: 'wait_for_event', event: 'Product Added', timeout: { hours: 4 }, next: 'done', timeout_next: 'email' },
        // Each customer who times out is sent an email, a text and a webhook message; the note to the team is no message to the customer.
        { id: 'email', type: 'send_email', template_id: template.id, next: 'text' },
        { id: 'text', type: 'send_sms', text: 'Still thinking about it?', next: 'chat' },
        { id: 'chat', type: 'send_webhook', event: 'browse_reminder', next: 'team' },
        { id: 'team', type: 'notify_store', to: 'team@shop.test', subject: 'A browser was reminded', next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    } });
    expect(created.statusCode, created.body).toBe(201);
    const flow = created.json() as { id: string };
    const result = (await h.request('POST', `/api/v1/flows/${flow.id}/backtest`, { days: 30 })).json() as Backtest;

    const timeout = 4 * HOUR;
    const inTime = viewers.filter((v) => v.added !== undefined && v.added - v.viewed <= timeout);
    const timedOut = viewers.filter((v) => !inTime.includes(v) && v.viewed + timeout <= now);
    const stillWaiting = viewers.filter((v) => !inTime.includes(v) && v.viewed + timeout > now);
    expect(result.entrants).toBe(viewers.length);
    const byId = new Map(result.steps.map((s) => [s.id, s]));
    expect(byId.get('added')!.outcomes).toEqual({ event: inTime.length, timed_out: timedOut.length });
    expect(byId.get('email')).toMatchObject({ reached: timedOut.length, waiting: stillWaiting.length });
    expect(result.completed).toBe(inTime.length + timedOut.length);
    for (const id of ['text', 'chat', 'team']) expect(byId.get(id)!.reached).toBe(timedOut.length);
    // No holdout: every message step each timed-out viewer reached is a message, whatever its channel.
    expect(result.messages).toBe(3 * timedOut.length);
    expect(result.summary).toContain(`${3 * timedOut.length} messages would have been sent.`);

    // The ready browse-abandonment flow: a view enters once four hours pass with no add to cart.
    const ready = await installed('browse_abandonment');
    const abandoned = (await h.request('POST', `/api/v1/flows/${ready.id}/backtest`, { days: 30 })).json() as Backtest;
    expect(abandoned.entrants).toBe(timedOut.length);
    expect(abandoned.messages).toBe(timedOut.length);
  });

  it('ranks first orders, leaves out the triggering order from "ordered", and splits a condition on today\'s values', async () => {
    const now = h.clock.now().getTime();
    // Each buyer: the days ago of their orders (the first one triggers the flow when in the window).
    const buyers: Record<string, number[]> = {
      one: [40], onelate: [20], two_in_wait: [50, 45], two_after: [80, 20], old_first: [200, 30], fresh: [10], three: [85, 70, 5],
    };
    await h.services.commerce.write(h.storeId, {
      customers: Object.keys(buyers).map((n) => ({ external_id: `b-${n}`, email: `b-${n}@example.com`, email_consent: { status: 'subscribed' as const, at: new Date(now - 400 * DAY) } })),
      orders: Object.entries(buyers).flatMap(([n, days]) => days.map((d, i) => ({
        external_id: `bo-${n}-${i}`, customer_external_id: `b-${n}`, placed_at: new Date(now - d * DAY), currency: 'EUR', lines: [{ product_external_id: 'p-linen', quantity: 1, unit_price: 2_000 }],
      }))),
    });
    await h.settle();
    const template = (await h.request('POST', '/api/v1/templates/from-starter', { starter: 'post_purchase', name: 'Second order nudge' })).json() as { id: string };
    const created = await h.request('POST', '/api/v1/flows', { name: 'Second order', document: {
      // Only these buyers' orders hold this product (the other tests' customers bought p-1).
      trigger: { kind: 'order_placed', nth: 1, product: 'p-linen' }, exit_when: [{ kind: 'ordered' }], holdout_share: 0,
      steps: [
        { id: 'wait', type: 'wait', duration: { days: 14 }, next: 'single' },
        { id: 'single', type: 'condition', rule: { kind: 'orders', metric: 'count', op: 'eq', value: 1 }, yes: 'nudge', no: 'done' },
        { id: 'nudge', type: 'send_email', template_id: template.id, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    } });
    expect(created.statusCode, created.body).toBe(201);
    const flow = created.json() as { id: string };
    const result = (await h.request('POST', `/api/v1/flows/${flow.id}/backtest`, { days: 90 })).json() as Backtest;

    // The walk: the first order in the window enters; an order within the 14 days exits; the condition uses today's count.
    const entered = Object.entries(buyers).filter(([, days]) => Math.max(...days) < 90);
    const waiting = entered.filter(([, days]) => Math.max(...days) < 14);
    const arrived = entered.filter(([, days]) => Math.max(...days) >= 14);
    const ordered = arrived.filter(([, days]) => days.some((d) => d < Math.max(...days) && d >= Math.max(...days) - 14));
    const atCondition = arrived.filter((b) => !ordered.includes(b));
    const yes = atCondition.filter(([, days]) => days.length === 1);
    expect(result.entrants).toBe(entered.length);
    const byId = new Map(result.steps.map((s) => [s.id, s]));
    expect(byId.get('single')).toMatchObject({ reached: atCondition.length, waiting: waiting.length, exited: ordered.length ? { ordered: ordered.length } : {} });
    expect(byId.get('single')!.outcomes).toEqual({ yes: yes.length, no: atCondition.length - yes.length });
    expect(byId.get('nudge')!.reached).toBe(yes.length);
    expect(result.completed).toBe(atCondition.length);
    expect(result.messages).toBe(yes.length);
  });
});

