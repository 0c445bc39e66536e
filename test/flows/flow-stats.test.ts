/**
 * `GET /api/v1/flows/:id/stats` against the real engine: each step's reached / waiting / exited by
 * reason and each edge's count agree with what the runs' own step logs say, also after a customer
 * orders and leaves on the exit condition.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, flowHarness, type FlowHarness } from './flow-harness.js';

let h: FlowHarness;
let template: { id: string };

beforeAll(async () => {
  h = await flowHarness('Stats Store');
  template = (await h.request('POST', '/api/v1/templates/from-starter', { starter: 'welcome', name: 'Hello' })).json() as { id: string };
}, 60_000);
afterAll(async () => {
  await h.close();
});

interface Run { id: number; customer_id: number; status: string; step_id: string | null; exit_reason: string | null; steps: { step_id: string | null; outcome: string; detail: string | null }[] }
interface Stats {
  version: number | null;
  runs: { entered: number; in_progress: number; completed: number; exited: number; holdout: number };
  steps: { step_id: string; reached: number; waiting: number; exited: { reason: string; runs: number }[] }[];
  edges: { from: string; field: string; to: string | null; taken: number }[];
}

/** The same figures worked out from the runs API, one run at a time. */
function expectedFrom(runs: Run[], stepIds: string[]) {
  return stepIds.map((id) => ({
    step_id: id,
    reached: runs.filter((r) => r.steps.some((s) => s.step_id === id && s.outcome !== 'event_arrived') || (r.status === 'active' && r.step_id === id)).length,
    waiting: runs.filter((r) => r.status === 'active' && r.step_id === id).length,
    exitedAt: runs.filter((r) => r.steps.some((s) => s.step_id === id && s.outcome === 'exited')).length,
  }));
}

describe('flow stats', () => {
  it('counts runs per step and per edge as the step logs record them', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `${i % 3 === 0 ? 'vip' : 'std'}${i}`);
    await h.services.commerce.write(h.storeId, { customers: names.map((n) => ({ external_id: n, email: `${n}@example.com`, first_name: n, email_consent: { status: 'subscribed' as const } })) });
    const segment = (await h.request('POST', '/api/v1/segments', { name: 'Everyone', rule: { kind: 'profile', field: 'email', op: 'contains', value: '@example.com' } })).json() as { id: string };
    const document = {
      trigger: { kind: 'manual' }, exit_when: [{ kind: 'ordered' }], holdout_share: 0,
      steps: [
        { id: 'check', type: 'condition', rule: { kind: 'profile', field: 'email', op: 'starts_with', value: 'vip' }, yes: 'hello', no: 'wait' },
        { id: 'hello', type: 'send_email', template_id: template.id, next: 'wait' },
        { id: 'wait', type: 'wait', duration: { days: 2 }, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    };
    const created = (await h.request('POST', '/api/v1/flows', { name: 'Stats', document })).json() as { id: string };
    expect((await h.request('POST', `/api/v1/flows/${created.id}/publish`)).statusCode).toBe(200);
    expect((await h.request('POST', `/api/v1/flows/${created.id}/enrol`, { segment_id: segment.id })).json()).toMatchObject({ enrolled: names.length });
    await h.settle();

    const read = async () => {
      const stats = (await h.request('GET', `/api/v1/flows/${created.id}/stats`)).json() as Stats;
      const runs = ((await h.request('GET', `/api/v1/flows/${created.id}/runs?limit=1000`)).json() as { data: Run[] }).data;
      return { stats, runs };
    };
    let { stats, runs } = await read();
    expect(stats.version).toBe(1);
    expect(stats.runs.entered).toBe(names.length);
    const vips = names.filter((n) => n.startsWith('vip')).length;
    expect(stats.edges.find((e) => e.from === 'check' && e.field === 'yes')).toEqual({ from: 'check', field: 'yes', to: 'hello', taken: vips });
    expect(stats.edges.find((e) => e.from === 'check' && e.field === 'no')!.taken).toBe(names.length - vips);
    expect(stats.edges.find((e) => e.from === 'hello')!.taken).toBe(vips);
    for (const e of expectedFrom(runs, ['check', 'hello', 'wait', 'done'])) {
      const step = stats.steps.find((s) => s.step_id === e.step_id)!;
      expect([step.reached, step.waiting], e.step_id).toEqual([e.reached, e.waiting]);
    }
    expect(stats.steps.find((s) => s.step_id === 'wait')!.waiting).toBe(names.length);

    // One customer orders while waiting: they leave at the wait, with the reason.
    await h.services.commerce.write(h.storeId, {
      orders: [{ external_id: 'o-std1', customer_external_id: 'std1', placed_at: h.clock.now(), currency: 'EUR', lines: [{ product_external_id: 'p-1', title: 'Mug', quantity: 1, unit_price: 1_500 }] }],
    });
    await h.advance(2 * DAY + 60_000);
    ({ stats, runs } = await read());
    const wait = stats.steps.find((s) => s.step_id === 'wait')!;
    const expected = expectedFrom(runs, ['wait'])[0]!;
    expect(wait.exited).toEqual([{ reason: 'ordered', runs: expected.exitedAt }]);
    expect(expected.exitedAt).toBe(1);
    expect(wait.waiting).toBe(0);
    expect(stats.edges.find((e) => e.from === 'wait')!.taken).toBe(names.length - 1);
    expect(stats.runs).toMatchObject({ in_progress: 0, completed: names.length - 1, exited: 1 });
    expect(stats.steps.find((s) => s.step_id === 'done')!.reached).toBe(runs.filter((r) => r.steps.some((s) => s.outcome === 'exit')).length);
  }, 60_000);

  it('answers 404 for a flow of another store and 422 for a bad version', async () => {
    expect((await h.request('GET', '/api/v1/flows/flow_nope/stats')).statusCode).toBe(404);
    expect((await h.request('GET', '/api/v1/flows/flow_nope/stats?version=0')).statusCode).toBe(422);
  });
});
