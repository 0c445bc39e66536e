/**
 * The global holdout through the real engine: a live flow with a split sends marketing and
 * transactional email over SMTP; customers in the global holdout get the transactional message
 * only (their marketing one is in the ledger as suppressed, reason `global_holdout`), and they are
 * left out of the flow's and the split's experiments, whose arms come from the runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inGlobalHoldout } from '../../src/modules/messaging/index.js';
import { bearer } from '../helpers/app.js';
import { addressOf, flowHarness, type FlowHarness } from '../flows/flow-harness.js';

let h: FlowHarness;
const people = new Map<string, number>();
const put = (url: string, payload: unknown) => h.app.inject({ method: 'PUT', url, headers: bearer(h.secretKey), payload: payload as Record<string, unknown> });

beforeAll(async () => {
  h = await flowHarness('Global Holdout Store');
  const names = Array.from({ length: 60 }, (_, i) => `g${i}`);
  await h.services.commerce.write(h.storeId, { customers: names.map((n) => ({ external_id: n, email: `${n}@example.com`, first_name: n, email_consent: { status: 'subscribed' as const } })) });
  const rows = await h.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', h.storeId).execute();
  for (const r of rows) people.set(`${r.external_id}@example.com`, Number(r.id));
});
afterAll(async () => h?.close());

describe('the global holdout', () => {
  it('refuses a share outside 0–0.2, naming the field', async () => {
    for (const share of [0.25, -0.1, 'a lot']) {
      const response = await put('/api/v1/experiments/global-holdout', { share });
      expect(response.statusCode).toBe(422);
      expect(response.json().error.details[0].path).toBe('share');
    }
    expect((await h.request('GET', '/api/v1/experiments/global-holdout')).json()).toEqual({ share: 0, since: null, experiment_id: null });
  });

  it('keeps marketing from held-out customers on every flow step, sends their transactional mail, and leaves them out of the other experiments', async () => {
    const on = await put('/api/v1/experiments/global-holdout', { share: 0.2 });
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json()).toMatchObject({ share: 0.2, experiment_id: expect.stringMatching(/^exp_/) });
    const template = (await h.request('POST', '/api/v1/templates/from-starter', { starter: 'win_back', name: 'Back' })).json() as { id: string };
    const segment = (await h.request('POST', '/api/v1/segments', { name: 'G', rule: { kind: 'profile', field: 'email', op: 'starts_with', value: 'g' } })).json() as { id: string };
    const created = await h.request('POST', '/api/v1/flows', {
      name: 'Measured flow', document: {
        trigger: { kind: 'manual' }, holdout_share: 0.2,
        steps: [
          { id: 'split', type: 'split', branches: [{ weight: 1, next: 'promo' }, { weight: 3, next: 'notice' }] },
          { id: 'promo', type: 'send_email', template_id: template.id, next: 'notice' },
          { id: 'notice', type: 'send_email', template_id: template.id, purpose: 'transactional' },
        ],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const flow = created.json() as { id: string };
    expect((await h.request('POST', `/api/v1/flows/${flow.id}/publish`)).statusCode).toBe(200);
    expect((await h.request('POST', `/api/v1/flows/${flow.id}/enrol`, { segment_id: segment.id })).json()).toMatchObject({ enrolled: 60 });
    await h.settle();

    const runs = ((await h.request('GET', `/api/v1/flows/${flow.id}/runs?limit=1000`)).json() as { data: { customer_id: number; holdout: boolean; steps: { step_id: string | null; outcome: string }[] }[] }).data;
    expect(runs).toHaveLength(60);
    const branchOf = new Map(runs.map((r) => [r.customer_id, r.steps.find((s) => s.step_id === 'split')?.outcome]));
    const flowHoldout = new Set(runs.filter((r) => r.holdout).map((r) => r.customer_id));
    const global = new Set([...people.values()].filter((id) => inGlobalHoldout(h.storeId, id, 0.2)));
    expect(global.size).toBeGreaterThan(0);
    expect(global.size).toBeLessThan(30);

    // Mail received: per customer, how many messages.
    const received = new Map<number, number>();
    for (const mail of await h.sink.parsed()) {
      const id = people.get(addressOf(mail))!;
      received.set(id, (received.get(id) ?? 0) + 1);
    }
    for (const [, id] of people) {
      const marketing = !flowHoldout.has(id) && branchOf.get(id) === 'branch 1' && !global.has(id) ? 1 : 0;
      const transactional = flowHoldout.has(id) ? 0 : 1;
      expect(received.get(id) ?? 0, `customer ${id}`).toBe(marketing + transactional);
    }
    const suppressed = (await h.request('GET', '/api/v1/messages?state=suppressed&limit=200')).json() as { data: { customer_id: number; reason: string; purpose: string }[] };
    const expectedSuppressed = [...global].filter((id) => !flowHoldout.has(id) && branchOf.get(id) === 'branch 1').sort();
    expect(suppressed.data.map((m) => m.customer_id).sort()).toEqual(expectedSuppressed);
    expect(suppressed.data.every((m) => m.reason === 'global_holdout' && m.purpose === 'marketing')).toBe(true);

    // The experiments: the flow's arms from the runs, the split's among those the flow sends to; the global holdout out of both.
    const list = (await h.request('GET', '/api/v1/experiments')).json() as { data: { id: string; kind: string; source_id: string; arms: { key: string; share: number; people: number }[] }[] };
    const flowExperiment = list.data.find((e) => e.kind === 'flow' && e.source_id === flow.id)!;
    const outside = runs.filter((r) => !global.has(r.customer_id));
    expect(flowExperiment.arms).toEqual([
      { key: 'entered', share: 0.8, people: outside.filter((r) => !r.holdout).length },
      { key: 'holdout', share: 0.2, people: outside.filter((r) => r.holdout).length },
    ]);
    const split = list.data.find((e) => e.kind === 'flow_split' && e.source_id === `${flow.id}:split`)!;
    const treated = outside.filter((r) => !r.holdout);
    expect(split.arms).toEqual([
      { key: 'branch 1', share: 0.25, people: treated.filter((r) => branchOf.get(r.customer_id) === 'branch 1').length },
      { key: 'branch 2', share: 0.75, people: treated.filter((r) => branchOf.get(r.customer_id) === 'branch 2').length },
    ]);
    const globalExperiment = list.data.find((e) => e.kind === 'global')!;
    expect(globalExperiment.arms.find((a) => a.key === 'holdout')!.people).toBe(global.size);

    // A campaign's results leave them out of both groups too: they got no message whichever group they were drawn into.
    const campaign = (await h.request('POST', '/api/v1/campaigns', { name: 'Held back', segment_ids: [segment.id], template_id: template.id, holdout_share: 0.3 })).json() as { id: string };
    expect((await h.request('POST', `/api/v1/campaigns/${campaign.id}/start`)).statusCode).toBe(200);
    const recipients = ((await h.request('GET', `/api/v1/campaigns/${campaign.id}/recipients?limit=1000`)).json() as { data: { customer_id: number; group: string }[] }).data;
    expect(recipients).toHaveLength(60);
    const counted = (group: string) => recipients.filter((r) => (r.group === 'holdout') === (group === 'holdout') && !global.has(r.customer_id)).length;
    const groupsOf = async () => ((await h.request('GET', `/api/v1/campaigns/${campaign.id}/results`)).json() as { groups: { group: string; people: number }[] }).groups;
    expect((await groupsOf()).map((g) => [g.group, g.people])).toEqual([['sent', counted('sent')], ['holdout', counted('holdout')]]);
    expect(counted('sent') + counted('holdout')).toBe(60 - global.size);

    // Turning it off ends the period: marketing goes to everyone again.
    const off = await put('/api/v1/experiments/global-holdout', { share: 0 });
    expect(off.json()).toEqual({ share: 0, since: null, experiment_id: null });
    const ended = (await h.request('GET', '/api/v1/experiments?kind=global')).json() as { data: { ended_at: string | null }[] };
    expect(ended.data[0]!.ended_at).not.toBeNull();
    // The campaign went out while they were held out: its results still leave them out.
    expect((await groupsOf()).map((g) => g.people)).toEqual([counted('sent'), counted('holdout')]);
  });
});
