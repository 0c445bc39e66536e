/**
 * The flow engine under the movable clock, against the real worker, dispatcher, DuckDB file and
 * an SMTP server: an abandoned-checkout flow started by a tracked event (with a property filter)
 * that waits an hour and exits on an order; a holdout that follows the flow and receives nothing;
 * an event delivered twice that enrols once; runs that keep the version they started on; and
 * documents refused with the path of each problem.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../../src/modules/domain-events/index.js';
import { errorOf } from '../helpers/app.js';
import { addressOf, DAY, flowHarness, type FlowHarness, HOUR, liveFlow } from './flow-harness.js';

let h: FlowHarness;
let template: { id: string };
let other: { id: string };
beforeAll(async () => {
  h = await flowHarness('Engine Store');
  template = (await h.request('POST', '/api/v1/templates/from-starter', { starter: 'abandoned_cart', name: 'You left something' })).json() as { id: string };
  other = (await h.request('POST', '/api/v1/templates/from-starter', { starter: 'welcome', name: 'Hello' })).json() as { id: string };
});
afterAll(async () => {
  await h.close();
});

interface Run { trigger_kind: string; id: number; customer_id: number; status: string; exit_reason: string | null; holdout: boolean; version: number; steps: { step_id: string | null; outcome: string }[] }

const customersNamed = async (prefix: string, count: number) => {
  const names = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  await h.services.commerce.write(h.storeId, { customers: names.map((n) => ({ external_id: n, email: `${n}@example.com`, first_name: n, email_consent: { status: 'subscribed' as const } })) });
  const rows = await h.services.storage.read.selectFrom('customers').select(['id', 'external_id', 'email']).where('store_id', '=', h.storeId).where('external_id', 'in', names).execute();
  return new Map(rows.map((r) => [r.external_id!, { id: Number(r.id), email: r.email! }]));
};
const createLive = (name: string, document: unknown) => liveFlow(h, name, document);
const runsOf = async (flowId: string) => ((await h.request('GET', `/api/v1/flows/${flowId}/runs?limit=1000`)).json() as { data: Run[] }).data;
const mailsTo = async (addresses: Iterable<string>) => {
  const wanted = new Set(addresses);
  return (await h.sink.parsed()).map(addressOf).filter((a) => wanted.has(a));
};
const track = (userId: string, event: string, properties: Record<string, unknown>, messageId: string) => h.app.inject({
  method: 'POST', url: '/v1/track', headers: { authorization: `Basic ${Buffer.from(`${h.writeKey}:`).toString('base64')}` },
  payload: { userId, event, properties, messageId },
});

describe('the flow engine', () => {
  it('sends the abandoned-checkout reminder an hour after the checkout started, not to someone who ordered, nor for a small cart', async () => {
    const people = await customersNamed('cart', 3);
    const flow = await createLive('Abandoned checkout', {
      trigger: { kind: 'event', name: 'Checkout Started', where: [{ property: 'value', op: 'gte', value: 20 }] },
      exit_when: [{ kind: 'ordered' }],
      holdout_share: 0,
      steps: [
        { id: 'hour', type: 'wait', duration: { hours: 1 }, next: 'remind' },
        { id: 'remind', type: 'send_email', template_id: template.id, next: 'day' },
        { id: 'day', type: 'wait', duration: { hours: 23 }, next: 'again' },
        { id: 'again', type: 'send_email', template_id: template.id },
      ],
    });
    for (const [i, name] of ['cart0', 'cart1', 'cart2'].entries()) {
      expect((await track(name, 'Checkout Started', { checkout_id: `chk-${i}`, value: i === 2 ? 5 : 60, currency: 'EUR' }, `chk-msg-${i}`)).statusCode).toBe(200);
    }
    await h.settle();
    const addresses = [...people.values()].map((p) => p.email);
    expect(await mailsTo(addresses)).toEqual([]);

    // cart1 orders half an hour later.
    await h.advance(HOUR / 2);
    await h.services.commerce.write(h.storeId, {
      orders: [{ external_id: 'o-cart1', customer_external_id: 'cart1', placed_at: h.clock.now(), currency: 'EUR', lines: [{ product_external_id: 'p-1', title: 'Mug', quantity: 4, unit_price: 1_500 }] }],
    });
    await h.settle();
    await h.advance(HOUR / 2 - 60_000);
    expect(await mailsTo(addresses)).toEqual([]);
    await h.advance(2 * 60_000);
    expect(await mailsTo(addresses)).toEqual(['cart0@example.com']);
    await h.advance(DAY);
    expect(await mailsTo(addresses)).toEqual(['cart0@example.com', 'cart0@example.com']);

    const runs = await runsOf(flow.id);
    expect(runs.map((r) => r.customer_id).sort()).toEqual([people.get('cart0')!.id, people.get('cart1')!.id].sort());
    expect(runs.find((r) => r.customer_id === people.get('cart1')!.id)).toMatchObject({ status: 'exited', exit_reason: 'ordered' });
    expect(runs.find((r) => r.customer_id === people.get('cart0')!.id)).toMatchObject({ status: 'completed' });
  });

  it('reminds a customer of a stored checkout an hour later, only for a checkout worth the minimum', async () => {
    await customersNamed('chk', 2);
    const flow = await createLive('Checkout reminder', {
      trigger: { kind: 'checkout_started', min_value: 2_000 }, exit_when: [{ kind: 'ordered' }], holdout_share: 0,
      steps: [{ id: 'hour', type: 'wait', duration: { hours: 1 }, next: 'remind' }, { id: 'remind', type: 'send_email', template_id: template.id }],
    });
    await h.services.commerce.write(h.storeId, {
      checkouts: [
        { external_id: 'chk-big', customer_external_id: 'chk0', currency: 'EUR', value: 4_500, recovery_url: 'https://shop.example/recover/big' },
        { external_id: 'chk-small', customer_external_id: 'chk1', currency: 'EUR', value: 900 },
      ],
    });
    await h.settle();
    await h.advance(HOUR + 60_000);
    expect(await mailsTo(['chk0@example.com', 'chk1@example.com'])).toEqual(['chk0@example.com']);
    expect((await runsOf(flow.id)).map((r) => [r.trigger_kind, r.status])).toEqual([['checkout_started', 'completed']]);
  });

  it('holds out a share of entrants, who follow the flow and receive nothing', async () => {
    const people = await customersNamed('held', 40);
    const segment = (await h.request('POST', '/api/v1/segments', { name: 'Held test', rule: { kind: 'profile', field: 'email', op: 'starts_with', value: 'held' } })).json() as { id: string };
    const flow = await createLive('Holdout', {
      trigger: { kind: 'manual' }, holdout_share: 0.3,
      steps: [{ id: 'hello', type: 'send_email', template_id: other.id, next: 'wait' }, { id: 'wait', type: 'wait', duration: { days: 2 } }],
    });
    const enrolled = (await h.request('POST', `/api/v1/flows/${flow.id}/enrol`, { segment_id: segment.id })).json() as { members: number; enrolled: number };
    expect(enrolled).toEqual({ members: 40, enrolled: 40 });
    // Enrolling again adds nobody: they are in the flow.
    expect((await h.request('POST', `/api/v1/flows/${flow.id}/enrol`, { segment_id: segment.id })).json()).toEqual({ members: 40, enrolled: 0 });
    await h.settle();
    await h.advance(3 * DAY);

    const runs = await runsOf(flow.id);
    expect(runs.length).toBe(40);
    const held = runs.filter((r) => r.holdout);
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThan(40);
    const emailOf = new Map([...people.values()].map((p) => [p.id, p.email]));
    const received = await mailsTo(emailOf.values());
    expect(received.sort()).toEqual(runs.filter((r) => !r.holdout).map((r) => emailOf.get(r.customer_id)!).sort());
    for (const run of held) {
      expect(run.status).toBe('completed');
      expect(run.steps.map((s) => s.outcome)).toEqual(['entered', 'held_out', 'waited', 'completed']);
    }
    const listed = ((await h.request('GET', '/api/v1/flows')).json() as { data: { id: string; holdout: number; messages: number }[] }).data.find((f) => f.id === flow.id)!;
    expect(listed).toMatchObject({ holdout: held.length, messages: 40 - held.length });
  });

  it('enrols once when the same domain event is delivered twice', async () => {
    const people = await customersNamed('first', 1);
    const flow = await createLive('First order thanks', {
      trigger: { kind: 'order_placed', nth: 1 }, holdout_share: 0,
      steps: [{ id: 'thanks', type: 'send_email', template_id: other.id, purpose: 'transactional' }],
    });
    await h.services.commerce.write(h.storeId, {
      orders: [1, 2].map((n) => ({ external_id: `first-${n}`, customer_external_id: 'first0', placed_at: new Date(h.clock.now().getTime() - (3 - n) * HOUR), currency: 'EUR', lines: [{ product_external_id: 'p-1', title: 'Mug', quantity: 1, unit_price: 1_500 }] })),
    });
    await h.settle();
    const placed = (await readEvents(h.services.storage.read, 0, Number.MAX_SAFE_INTEGER, ['order.placed'])).filter((e) => e.customerId === people.get('first0')!.id);
    expect(placed.length).toBe(2);
    // Delivered again (as after a crash before the subscriber saved its position).
    await h.services.flows.handleEvents(placed);
    await h.services.flows.handleEvents(placed);
    await h.settle();
    const runs = await runsOf(flow.id);
    expect(runs.length).toBe(1);
    expect(await mailsTo(['first0@example.com'])).toEqual(['first0@example.com']);
    // Paused, it enrols nobody from the orders of the tests below.
    expect((await h.request('POST', `/api/v1/flows/${flow.id}/pause`)).json()).toMatchObject({ status: 'paused' });
  });

  it('starts an order flow only for orders containing the product', async () => {
    const people = await customersNamed('prod', 2);
    const flow = await createLive('Teapot care', {
      trigger: { kind: 'order_placed', product: 'teapot' }, holdout_share: 0,
      steps: [{ id: 'care', type: 'send_email', template_id: other.id, purpose: 'transactional' }],
    });
    await h.services.commerce.write(h.storeId, {
      orders: [
        { external_id: 'prod-o0', customer_external_id: 'prod0', placed_at: h.clock.now(), currency: 'EUR', lines: [{ product_external_id: 'teapot', title: 'Teapot', quantity: 1, unit_price: 3_900 }, { product_external_id: 'p-1', title: 'Mug', quantity: 1, unit_price: 1_500 }] },
        { external_id: 'prod-o1', customer_external_id: 'prod1', placed_at: h.clock.now(), currency: 'EUR', lines: [{ product_external_id: 'p-1', title: 'Mug', quantity: 2, unit_price: 1_500 }] },
      ],
    });
    await h.settle();
    expect((await runsOf(flow.id)).map((r) => r.customer_id)).toEqual([people.get('prod0')!.id]);
    expect(await mailsTo(['prod0@example.com', 'prod1@example.com'])).toEqual(['prod0@example.com']);
  });

  it('keeps a run on the version it started on after a new version is published', async () => {
    const people = await customersNamed('ver', 2);
    const segment = (await h.request('POST', '/api/v1/segments', { name: 'Version test', rule: { kind: 'profile', field: 'email', op: 'starts_with', value: 'ver' } })).json() as { id: string };
    const v1 = {
      trigger: { kind: 'manual' }, holdout_share: 0,
      steps: [{ id: 'wait', type: 'wait', duration: { days: 2 }, next: 'mail' }, { id: 'mail', type: 'send_email', template_id: template.id }],
    };
    const flow = await createLive('Versions', v1);
    const ver0 = people.get('ver0')!;
    const ver1 = people.get('ver1')!;
    // ver0 enters on v1 (the segment has both; ver1 is enrolled later on v2 through a one-person segment).
    const only0 = (await h.request('POST', '/api/v1/segments', { name: 'ver0 only', rule: { kind: 'profile', field: 'email', op: 'eq', value: ver0.email } })).json() as { id: string };
    expect((await h.request('POST', `/api/v1/flows/${flow.id}/enrol`, { segment_id: only0.id })).json()).toMatchObject({ enrolled: 1 });
    await h.settle();

    const patched = await h.request('PATCH', `/api/v1/flows/${flow.id}`, { document: { ...v1, steps: [v1.steps[0], { id: 'mail', type: 'send_email', template_id: other.id }] } });
    expect(patched.json()).toMatchObject({ live_version: 1 });
    expect((await h.request('POST', `/api/v1/flows/${flow.id}/publish`)).json()).toMatchObject({ live_version: 2, versions: [{ version: 1 }, { version: 2 }] });
    expect((await h.request('POST', `/api/v1/flows/${flow.id}/enrol`, { segment_id: segment.id })).json()).toMatchObject({ members: 2, enrolled: 1 });
    await h.advance(2 * DAY + 60_000);

    const runs = await runsOf(flow.id);
    expect(runs.map((r) => [r.customer_id, r.version, r.status])).toEqual([[ver0.id, 1, 'completed'], [ver1.id, 2, 'completed']]);
    const mails = (await h.sink.parsed()).filter((m) => [ver0.email, ver1.email].includes(addressOf(m)));
    const subjectOf = async (id: string) => ((await h.request('GET', `/api/v1/templates/${id}`)).json() as { subject: string }).subject;
    expect(mails.find((m) => addressOf(m) === ver0.email)?.subject).toContain((await subjectOf(template.id)).split('{{')[0]!.trim());
    expect(mails.find((m) => addressOf(m) === ver1.email)?.subject).toContain((await subjectOf(other.id)).split('{{')[0]!.trim());
    expect(mails.length).toBe(2);
  });

  it('splits by weight, tags the profile, and waits for an event or its timeout', async () => {
    const people = await customersNamed('ev', 20);
    const segment = (await h.request('POST', '/api/v1/segments', { name: 'Event test', rule: { kind: 'profile', field: 'email', op: 'starts_with', value: 'ev' } })).json() as { id: string };
    const flow = await createLive('Browse follow-up', {
      trigger: { kind: 'manual' }, holdout_share: 0,
      steps: [
        { id: 'split', type: 'split', branches: [{ weight: 1, next: 'a' }, { weight: 1, next: 'b' }] },
        { id: 'a', type: 'tag', tag: 'path-a', next: 'wait' },
        { id: 'b', type: 'tag', tag: 'path-b', next: 'wait' },
        { id: 'wait', type: 'wait_for_event', event: 'Product Viewed', timeout: { days: 1 }, next: 'mail', timeout_next: 'gone' },
        { id: 'mail', type: 'send_email', template_id: other.id },
        { id: 'gone', type: 'exit' },
      ],
    });
    expect((await h.request('POST', `/api/v1/flows/${flow.id}/enrol`, { segment_id: segment.id })).json()).toMatchObject({ enrolled: 20 });
    await h.settle();
    const viewers = ['ev0', 'ev1', 'ev2', 'ev3', 'ev4'];
    for (const name of viewers) expect((await track(name, 'Product Viewed', { sku: 'MUG' }, `view-${name}`)).statusCode).toBe(200);
    await h.settle();
    const emails = [...people.values()].map((p) => p.email);
    expect((await mailsTo(emails)).sort()).toEqual(viewers.map((n) => `${n}@example.com`));
    await h.advance(DAY + 60_000);
    expect((await mailsTo(emails)).length).toBe(viewers.length);

    const runs = await runsOf(flow.id);
    const tags = await h.services.storage.read.selectFrom('customers').select(['id', 'tags']).where('store_id', '=', h.storeId).where('external_id', 'like', 'ev%').execute();
    const tagsOf = new Map(tags.map((c) => [Number(c.id), c.tags]));
    const branches = new Set<string>();
    for (const run of runs) {
      const branch = run.steps.find((s) => s.step_id === 'split')!.outcome;
      branches.add(branch);
      expect(tagsOf.get(run.customer_id)).toEqual([branch === 'branch 1' ? 'path-a' : 'path-b']);
      const viewed = viewers.some((n) => people.get(n)!.id === run.customer_id);
      expect(run.steps.filter((s) => s.step_id === 'wait').map((s) => s.outcome)).toEqual(viewed ? ['event_arrived', 'event'] : ['timed_out']);
      expect(run.status).toBe('completed');
    }
    expect(branches).toEqual(new Set(['branch 1', 'branch 2']));
  });

  it('lets a small store\'s runs through between the jobs of a store enrolling many', async () => {
    await h.settle();
    const big = h.storeId;
    const small = (await h.services.accounts.createStore({ name: 'Small', slug: `small-${Date.now().toString(36)}` })).id;
    const document = { trigger: { kind: 'manual' }, holdout_share: 0, steps: [{ id: 'wait', type: 'wait', duration: { days: 1 } }] };
    const crowd = await customersNamed('crowd', 1_200);
    const bigSegment = await h.services.segments.create(big, { name: 'Crowd', rule: { kind: 'profile', field: 'email', op: 'starts_with', value: 'crowd' } });
    await h.services.commerce.write(small, { customers: [{ external_id: 'solo', email: 'solo@example.com' }] });
    const smallSegment = await h.services.segments.create(small, { name: 'Solo', rule: { kind: 'profile', field: 'email', op: 'is_set' } });
    const bigFlow = await h.services.flows.create(big, { name: 'Crowd', document: document as never });
    const smallFlow = await h.services.flows.create(small, { name: 'Solo', document: document as never });
    await h.services.flows.publish(big, bigFlow.id);
    await h.services.flows.publish(small, smallFlow.id);
    // Read and enrolled 500 members at a time: three pages, each member once.
    expect(await h.services.flows.enrolSegment(big, bigFlow.id, bigSegment.id, 500)).toEqual({ members: crowd.size, enrolled: crowd.size });
    const { rows: [enrolled] } = await sql<{ runs: number; customers: number }>`select count(*) as runs, count(distinct customer_id) as customers
      from flow_runs where store_id = ${big} and flow_id = ${bigFlow.id}`.execute(h.services.storage.read);
    expect([Number(enrolled!.runs), Number(enrolled!.customers)]).toEqual([crowd.size, crowd.size]);
    expect(await h.services.flows.enrolSegment(small, smallFlow.id, smallSegment.id)).toMatchObject({ enrolled: 1 });

    // Runs that have taken their first step wait for tomorrow; after each job, how many have, per store.
    const waiting = async (storeId: string) => Number((await sql<{ n: number }>`select count(*) as n from flow_runs
      where store_id = ${storeId} and status = 'active' and due_at > ${h.clock.now()}`.execute(h.services.storage.read)).rows[0]!.n);
    const afterEachJob: [number, number][] = [];
    while (await h.tick()) afterEachJob.push([await waiting(big), await waiting(small)]);
    expect(afterEachJob.at(-1)).toEqual([crowd.size, 1]);
    // The small store's run moved once the big store's first job was done, before its last one.
    const solo = afterEachJob.findIndex(([, s]) => s === 1);
    expect(afterEachJob[solo]![0]).toBeGreaterThan(0);
    expect(afterEachJob[solo]![0]).toBeLessThan(crowd.size);
  });

  it('exits on unsubscribing or on a rule before the next step, and lets people re-enter after the days the entry rule says', async () => {
    const people = await customersNamed('exit', 3);
    const segment = (await h.request('POST', '/api/v1/segments', { name: 'Exit test', rule: { kind: 'profile', field: 'email', op: 'starts_with', value: 'exit' } })).json() as { id: string };
    const flow = await createLive('Exits', {
      trigger: { kind: 'manual' }, holdout_share: 0,
      entry: { re_entry: 'after', after_days: 7 },
      exit_when: [{ kind: 'unsubscribed' }, { kind: 'rule', name: 'became VIP', rule: { kind: 'profile', field: 'tags', op: 'contains', value: 'vip' } }],
      steps: [{ id: 'wait', type: 'wait', duration: { days: 1 }, next: 'mail' }, { id: 'mail', type: 'send_email', template_id: other.id }],
    });
    expect((await h.request('POST', `/api/v1/flows/${flow.id}/enrol`, { segment_id: segment.id })).json()).toMatchObject({ enrolled: 3 });
    await h.settle();
    await h.services.commerce.write(h.storeId, { customers: [{ external_id: 'exit0', email_consent: { status: 'unsubscribed' as const } }, { external_id: 'exit1', tags: ['vip'] }] });
    await h.advance(DAY + 60_000);

    const runs = await runsOf(flow.id);
    const runOf = (name: string) => runs.find((r) => r.customer_id === people.get(name)!.id)!;
    expect(runOf('exit0')).toMatchObject({ status: 'exited', exit_reason: 'unsubscribed' });
    expect(runOf('exit1')).toMatchObject({ status: 'exited', exit_reason: 'became VIP' });
    expect(runOf('exit2')).toMatchObject({ status: 'completed' });
    expect(await mailsTo([...people.values()].map((p) => p.email))).toEqual(['exit2@example.com']);

    // Within seven days of their entry nobody enters again; after them, everyone may.
    expect((await h.request('POST', `/api/v1/flows/${flow.id}/enrol`, { segment_id: segment.id })).json()).toMatchObject({ enrolled: 0 });
    await h.advance(6 * DAY);
    expect((await h.request('POST', `/api/v1/flows/${flow.id}/enrol`, { segment_id: segment.id })).json()).toMatchObject({ enrolled: 3 });
  });

  it('refuses a document naming the path and the reason of each problem', async () => {
    const bad = await h.request('POST', '/api/v1/flows', {
      name: 'Broken', document: {
        trigger: { kind: 'segment_entered', segment_id: 'seg_missing' },
        steps: [
          { id: 'a', type: 'condition', rule: { kind: 'profile', field: 'shoe_size', op: 'eq', value: 3 }, yes: 'b', no: 'nowhere' },
          { id: 'b', type: 'send_email', template_id: 'tpl_missing', next: 'c' },
          { id: 'c', type: 'split', branches: [{ weight: 1, next: 'a' }, { weight: 1 }] },
          { id: 'd', type: 'exit' },
        ],
      },
    });
    expect(bad.statusCode).toBe(422);
    expect(errorOf(bad).details).toEqual([{ path: 'steps.0.no', reason: 'no step "nowhere"' }, { path: 'trigger.segment_id', reason: 'no segment "seg_missing" in this store' },
      expect.objectContaining({ path: 'steps.0.rule.field' }), { path: 'steps.1.template_id', reason: 'no template "tpl_missing" in this store' }]);

    const graph = await h.request('POST', '/api/v1/flows', {
      name: 'Loops', document: {
        trigger: { kind: 'manual' },
        steps: [
          { id: 'a', type: 'send_email', template_id: other.id, next: 'b' },
          { id: 'b', type: 'split', branches: [{ weight: 1, next: 'a' }, { weight: 1, next: 'w' }] },
          { id: 'w', type: 'wait', duration: { days: 1 }, next: 'a' },
          { id: 'lost', type: 'exit' },
        ],
      },
    });
    expect(errorOf(graph).details).toEqual([
      { path: 'steps.3', reason: 'step "lost" cannot be reached from the first step' },
      { path: 'steps.0', reason: 'the steps a → b → a loop without a wait' },
    ]);
    const shape = await h.request('POST', '/api/v1/flows', { name: 'Shape', document: { trigger: { kind: 'manual' }, steps: [{ id: 'w', type: 'wait' }, { id: 'x', type: 'teleport' }] } });
    expect(errorOf(shape).details.map((d) => d.path)).toEqual(['steps.0.duration', 'steps.1.type']);
  });
});
