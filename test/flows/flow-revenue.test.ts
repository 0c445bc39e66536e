/**
 * The Flows list's revenue and incremental revenue over a real store: a flow with entrants and a
 * 30 % holdout, whose entrants then order inside and outside their 30 days (a cancelled order, a
 * refund, orders from before they entered). The list's revenue is the sum of the qualifying orders
 * of the entrants not held out, recomputed here from the planted orders; revenue and incremental
 * revenue are what the experiments module's result for the flow says. A refund recorded later
 * shows once the experiments job makes the sums again. Flows without a figure say why: no
 * holdout, nobody entered, nobody's window ended.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPERIMENTS_SYNC_JOB } from '../../src/modules/experiments/index.js';
import { DAY, flowHarness, liveFlow, type FlowHarness } from './flow-harness.js';

interface Listed {
  id: string; entrants: number; holdout: number; revenue: number | null; incremental_revenue: { value: number; low: number; high: number } | null;
  measurement: { experiment_id: string | null; currency: string; window_days: number; people: number; holdout_people: number; still_open: number; verdict: string | null; reason: string | null; measured_at: string | null };
}
interface Run { customer_id: number; holdout: boolean; entered_at: string }
interface Planted { customer: string; at: number; total: number; cancelled?: boolean; id: string }

let h: FlowHarness;
const PEOPLE = 160;
const names = Array.from({ length: PEOPLE }, (_, i) => `rev${i}`);
const planted: Planted[] = [];
const refunds = new Map<string, number>();
let measured: { id: string };
let unheld: { id: string };
let empty: { id: string };
let fresh: { id: string };
let runs: Run[] = [];
let idOf = new Map<string, number>();

const list = async (): Promise<Listed[]> => {
  const response = await h.request('GET', '/api/v1/flows');
  expect(response.statusCode, response.body).toBe(200);
  return (response.json() as { data: Listed[] }).data;
};
const listed = async (flow: { id: string }) => (await list()).find((f) => f.id === flow.id)!;
const document = (holdout: number) => ({ trigger: { kind: 'manual' }, holdout_share: holdout, steps: [{ id: 'pause', type: 'wait', duration: { days: 1 } }] });

beforeAll(async () => {
  h = await flowHarness('Revenue Store');
  const start = h.clock.now().getTime();
  await h.services.commerce.write(h.storeId, {
    customers: names.map((n) => ({ external_id: n, email: `${n}@example.com`, created_at: new Date(start - 400 * DAY), email_consent: { status: 'subscribed' as const, at: new Date(start - 400 * DAY) } })),
  });
  // Orders of the year before: the covariates CUPED adjusts for, never counted as revenue.
  await h.services.commerce.write(h.storeId, {
    orders: names.filter((_, i) => i % 4 === 0).map((n, i) => ({
      external_id: `pre-${n}`, customer_external_id: n, placed_at: new Date(start - 60 * DAY), currency: 'USD', lines: [{ product_external_id: 'p-mug', quantity: 1, unit_price: 1_500 + 100 * (i % 5) }],
    })),
  });
  await h.settle();
  const segment = (await h.request('POST', '/api/v1/segments', { name: 'Revenue people', rule: { kind: 'profile', field: 'email', op: 'starts_with', value: 'rev' } })).json() as { id: string };
  measured = await liveFlow(h, 'Measured', document(0.3));
  unheld = await liveFlow(h, 'No holdout', document(0));
  empty = await liveFlow(h, 'Nobody yet', document(0.1));
  fresh = await liveFlow(h, 'Entered today', document(0.3));
  for (const flow of [measured, unheld]) {
    const enrolled = await h.request('POST', `/api/v1/flows/${flow.id}/enrol`, { segment_id: segment.id });
    expect(enrolled.json()).toMatchObject({ enrolled: PEOPLE });
  }
  await h.settle();
  runs = [];
  for (let after: number | null | undefined; ;) {
    const page = (await h.request('GET', `/api/v1/flows/${measured.id}/runs?limit=1000${after ? `&after=${after}` : ''}`)).json() as { data: Run[]; next_after: number | null };
    runs.push(...page.data);
    if (page.next_after === null) break;
    after = page.next_after;
  }
  expect(runs.length).toBe(PEOPLE);
  const customers = await h.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', h.storeId).execute();
  idOf = new Map(customers.map((c) => [c.external_id!, Number(c.id)]));
  const entered = new Map(runs.map((r) => [r.customer_id, new Date(r.entered_at).getTime()]));

  // Forty days on, every entrant's 30 days have ended; their orders since they entered are written now.
  await h.advance(40 * DAY);
  names.forEach((n, i) => {
    const at = entered.get(idOf.get(n)!)!;
    if (i % 3 === 0) planted.push({ id: `early-${n}`, customer: n, at: at + 2 * DAY, total: 2_000 + 500 * (i % 7) });
    if (i % 5 === 0) planted.push({ id: `late-${n}`, customer: n, at: at + 29 * DAY, total: 4_000 });
    if (i % 11 === 0) planted.push({ id: `after-${n}`, customer: n, at: at + 31 * DAY, total: 9_000 });
    if (i % 13 === 0) planted.push({ id: `cancelled-${n}`, customer: n, at: at + 10 * DAY, total: 7_000, cancelled: true });
  });
  await h.services.commerce.write(h.storeId, {
    orders: planted.map((o) => ({
      external_id: o.id, customer_external_id: o.customer, placed_at: new Date(o.at), currency: 'USD', ...(o.cancelled && { status: 'cancelled' as const }),
      lines: [{ product_external_id: 'p-mug', quantity: 1, unit_price: o.total }],
    })),
  });
  // Part of some early orders came back.
  for (const o of planted.filter((p) => p.id.startsWith('early-')).filter((_, i) => i % 4 === 1)) refunds.set(o.id, 500);
  await h.services.commerce.write(h.storeId, {
    returns: [...refunds].map(([order, amount]) => ({ external_id: `ret-${order}`, order_external_id: order, returned_at: new Date(h.clock.now().getTime() - DAY), currency: 'USD', amount })),
  });
  await h.settle();
  const enrolledLater = await h.request('POST', `/api/v1/flows/${fresh.id}/enrol`, { segment_id: segment.id });
  expect(enrolledLater.statusCode).toBe(200);
  await h.settle();
}, 180_000);
afterAll(async () => h?.close());

/** The independent count: orders not cancelled, placed in [entry, entry + 30 days), less their refunds, of the entrants not held out. */
function expectedRevenue(extraRefunds = new Map<string, number>()): number {
  const treated = new Map(runs.filter((r) => !r.holdout).map((r) => [r.customer_id, new Date(r.entered_at).getTime()]));
  let total = 0;
  for (const o of planted) {
    const entry = treated.get(idOf.get(o.customer)!);
    if (entry === undefined || o.cancelled || o.at < entry || o.at >= entry + 30 * DAY) continue;
    total += o.total - (refunds.get(o.id) ?? 0) - (extraRefunds.get(o.id) ?? 0);
  }
  return total;
}

describe('the Flows list\'s revenue', () => {
  it('is the entrants\' qualifying orders, and revenue and incremental revenue are the experiment\'s result for the flow', async () => {
    const flow = await listed(measured);
    const holdout = runs.filter((r) => r.holdout).length;
    expect(holdout).toBeGreaterThan(30);
    expect(flow.entrants).toBe(PEOPLE);
    expect(flow.measurement).toMatchObject({ currency: 'USD', window_days: 30, people: PEOPLE - holdout, holdout_people: holdout, still_open: 0, reason: null });
    const revenue = expectedRevenue();
    expect(revenue).toBeGreaterThan(0);
    expect(flow.revenue).toBe(revenue);

    const result = await h.services.experiments.results(h.storeId, flow.measurement.experiment_id!, h.clock.now());
    expect(result.source_id).toBe(measured.id);
    const window = result.windows.find((w) => w.days === 30)!;
    expect(window.matured).toEqual({ entered: PEOPLE - holdout, holdout });
    const metric = window.comparisons.find((c) => c.arm === 'entered')!.metrics.find((m) => m.metric === 'net_revenue_per_person')!;
    expect(Math.round(metric.treated_mean * window.matured.entered!)).toBe(flow.revenue);
    expect(flow.incremental_revenue).toEqual({ value: Math.round(metric.incremental.value), low: Math.round(metric.incremental.low), high: Math.round(metric.incremental.high) });
    expect(flow.measurement.verdict).toBe(metric.verdict);
    expect(flow.incremental_revenue!.low).toBeLessThan(flow.incremental_revenue!.high);
  });

  it('keeps the figures the experiments module last made until its job makes them again', async () => {
    const before = await listed(measured);
    const order = planted.find((o) => o.id.startsWith('late-') && !runs.find((r) => r.customer_id === idOf.get(o.customer))!.holdout)!;
    await h.services.commerce.write(h.storeId, { returns: [{ external_id: `ret-${order.id}`, order_external_id: order.id, returned_at: h.clock.now(), currency: 'USD', amount: 1_000 }] });
    await h.settle();
    const stale = await listed(measured);
    expect(stale.revenue).toBe(before.revenue);
    expect(stale.measurement.measured_at).toBe(before.measurement.measured_at);

    await h.services.jobs.enqueue(EXPERIMENTS_SYNC_JOB, { storeId: h.storeId });
    await h.settle();
    const after = await listed(measured);
    expect(after.revenue).toBe(expectedRevenue(new Map([[order.id, 1_000]])));
    expect(after.revenue).toBe(before.revenue! - 1_000);
    // (The job keeps its own time, the system's; this test's clock runs ahead of it.)
    expect(after.measurement.measured_at).not.toBe(before.measurement.measured_at);
  });

  it('gives no figure it cannot compute, and says why', async () => {
    const noHoldout = await listed(unheld);
    expect(noHoldout.revenue).toBeGreaterThan(0);
    expect(noHoldout.measurement.people).toBe(PEOPLE);
    expect(noHoldout.incremental_revenue).toBeNull();
    expect(noHoldout.measurement.verdict).toBeNull();
    expect(noHoldout.measurement.reason).toBe('The flow holds nobody out, so there is no one to compare its entrants with.');

    const nobody = await listed(empty);
    expect(nobody).toMatchObject({ entrants: 0, revenue: null, incremental_revenue: null });
    expect(nobody.measurement).toMatchObject({ experiment_id: null, people: 0, reason: 'Nobody has entered the flow yet.', measured_at: null });

    const today = await listed(fresh);
    expect(today).toMatchObject({ entrants: PEOPLE, revenue: null, incremental_revenue: null });
    expect(today.measurement).toMatchObject({ people: 0, holdout_people: 0, still_open: PEOPLE });
    expect(today.measurement.reason).toBe(`No entrant's 30-day window has ended yet (${PEOPLE} people still inside it).`);
  });
});
