/**
 * A welcome series run end to end under the movable clock: a new subscriber enters a segment, gets
 * the welcome email at once, waits three days, and — still without an order — gets the second
 * email; a subscriber who orders in between leaves with the reason "ordered" and gets nothing
 * more. Every message goes through a real SMTP conversation and arrives exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressOf, DAY, flowHarness, type FlowHarness } from './flow-harness.js';

let h: FlowHarness;
beforeAll(async () => {
  h = await flowHarness('Welcome Store');
});
afterAll(async () => {
  await h.close();
});

interface Run { id: number; customer_id: number; status: string; exit_reason: string | null; holdout: boolean; version: number; steps: { step_id: string | null; outcome: string }[] }

describe('a welcome series', () => {
  it('sends the welcome, waits three days, sends the second email to those without an order, and lets a buyer exit', async () => {
    const welcome = (await h.request('POST', '/api/v1/templates/from-starter', { starter: 'welcome', name: 'Welcome' })).json() as { id: string; subject: string };
    const second = (await h.request('POST', '/api/v1/templates/from-starter', { starter: 'welcome', name: 'Welcome, part two' })).json() as { id: string };
    const segment = (await h.request('POST', '/api/v1/segments', {
      name: 'New subscribers', rule: { kind: 'all', rules: [{ kind: 'profile', field: 'accepts_marketing', op: 'eq', value: true }, { kind: 'orders', metric: 'count', op: 'eq', value: 0 }] },
    })).json() as { id: string };
    const document = {
      trigger: { kind: 'segment_entered', segment_id: segment.id },
      exit_when: [{ kind: 'ordered' }, { kind: 'unsubscribed' }],
      holdout_share: 0,
      steps: [
        { id: 'welcome', type: 'send_email', template_id: welcome.id, next: 'wait' },
        { id: 'wait', type: 'wait', duration: { days: 3 }, next: 'check' },
        { id: 'check', type: 'condition', rule: { kind: 'orders', metric: 'count', op: 'eq', value: 0 }, yes: 'second', no: 'done' },
        { id: 'second', type: 'send_email', template_id: second.id, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    };
    const created = await h.request('POST', '/api/v1/flows', { name: 'Welcome series', document });
    expect(created.statusCode).toBe(201);
    const flow = created.json() as { id: string; status: string };
    expect(flow.status).toBe('draft');
    expect((await h.request('POST', `/api/v1/flows/${flow.id}/publish`)).json()).toMatchObject({ status: 'live', live_version: 1 });

    await h.services.commerce.write(h.storeId, {
      customers: ['ann', 'bob'].map((n) => ({ external_id: n, email: `${n}@example.com`, first_name: n.toUpperCase(), email_consent: { status: 'subscribed' as const } })),
    });
    await h.settle();
    const first = await h.sink.parsed();
    expect(first.map(addressOf).sort()).toEqual(['ann@example.com', 'bob@example.com']);

    // A day later Bob orders (at the clock's time).
    await h.advance(DAY);
    await h.services.commerce.write(h.storeId, {
      orders: [{ external_id: 'o-bob', customer_external_id: 'bob', placed_at: h.clock.now(), currency: 'EUR', lines: [{ product_external_id: 'p-1', title: 'Mug', quantity: 1, unit_price: 1_500 }] }],
    });
    await h.settle();
    expect(h.sink.received.length).toBe(2);

    // Not yet three days after the welcome: nothing more.
    await h.advance(DAY);
    expect(h.sink.received.length).toBe(2);
    await h.advance(DAY + 60_000);
    // And nothing ever after.
    await h.advance(30 * DAY);

    const mails = await h.sink.parsed();
    const byAddress = (address: string) => mails.filter((m) => addressOf(m) === address);
    expect(byAddress('ann@example.com').length).toBe(2);
    expect(byAddress('bob@example.com').length).toBe(1);
    expect(mails.length).toBe(3);

    const runs = ((await h.request('GET', `/api/v1/flows/${flow.id}/runs`)).json() as { data: Run[] }).data;
    const customers = await h.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', h.storeId).execute();
    const runOf = (external: string) => runs.find((r) => r.customer_id === Number(customers.find((c) => c.external_id === external)!.id))!;
    expect(runs.length).toBe(2);
    expect(runOf('ann')).toMatchObject({ status: 'completed', exit_reason: null, holdout: false });
    expect(runOf('ann').steps.map((s) => `${s.step_id}:${s.outcome}`)).toEqual(['null:entered', 'welcome:queued', 'wait:waited', 'check:yes', 'second:queued', 'done:exit']);
    expect(runOf('bob')).toMatchObject({ status: 'exited', exit_reason: 'ordered' });
    expect(runOf('bob').steps.map((s) => `${s.step_id}:${s.outcome}`)).toEqual(['null:entered', 'welcome:queued', 'wait:exited']);

    const listed = ((await h.request('GET', '/api/v1/flows')).json() as { data: { id: string; entrants: number; in_progress: number; messages: number }[] }).data;
    expect(listed.find((f) => f.id === flow.id)).toMatchObject({ entrants: 2, in_progress: 0, messages: 3 });
    const annRuns = (await h.request('GET', `/api/v1/customers/${runOf('ann').customer_id}/flow-runs`)).json() as { data: Run[] };
    expect(annRuns.data.map((r) => r.id)).toEqual([runOf('ann').id]);
  });
});
