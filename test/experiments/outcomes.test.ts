/**
 * Experiments from a real campaign: the records and assignments synced from the campaign's frozen
 * audience (idempotent, and the same after a restart), the global holdout's people left out of
 * both arms, and the outcome sums per arm and window equal to a computation made here, in
 * JavaScript, from the orders, refunds and consent changes themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/lib/random.js';
import { inGlobalHoldout } from '../../src/modules/messaging/index.js';
import { EXPERIMENTS_SYNC_JOB, outcomeMetrics, WINDOWS, type ArmOutcome, type Sums } from '../../src/modules/experiments/index.js';
import { registerJobs } from '../../src/jobs/handlers.js';
import { Worker } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/lib/logger.js';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';

const DAY = 86_400_000;
let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
const request = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(store.secretKey), ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });

// The campaign started 40 days ago; the global holdout was turned on the day before.
const start = new Date(Math.floor((Date.now() - 40 * DAY) / 60_000) * 60_000);
let campaignId = '';
const unsubscribed = new Set<string>();

beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Measured', { currency: 'EUR' });
  const next = seededRandom(7);
  const people = Array.from({ length: 150 }, (_, i) => `x${i}`);
  await t.services.commerce.write(store.storeId, {
    customers: people.map((p) => ({ external_id: p, email: `${p}@example.com`, created_at: new Date('2025-01-01T00:00:00Z'), email_consent: { status: 'subscribed' as const } })),
  });
  // Orders before the start (some older than the 365-day pre-period) and after it (up to now).
  const orders = [];
  const returns = [];
  let n = 0;
  for (const p of people) {
    const count = Math.floor(next() * 5);
    for (let k = 0; k < count; k += 1) {
      const before = next() < 0.5;
      const offset = before ? -Math.floor(next() * 420 * DAY) - 60_000 : Math.floor(next() * 39 * DAY) + 60_000;
      const id = `o${n++}`;
      orders.push({
        external_id: id, customer_external_id: p, placed_at: new Date(start.getTime() + offset), currency: 'EUR',
        ...(next() < 0.1 && { status: 'cancelled' as const }),
        lines: [{ product_external_id: 'p1', title: 'Mug', quantity: 1 + Math.floor(next() * 3), unit_price: 1_000 + Math.floor(next() * 5_000) }],
      });
      if (next() < 0.15) returns.push({ external_id: `r-${id}`, order_external_id: id, returned_at: new Date(start.getTime() + offset + DAY), currency: 'EUR', amount: 500 });
    }
  }
  await t.services.commerce.write(store.storeId, { orders });
  await t.services.commerce.write(store.storeId, { returns });
  await t.services.experiments.setGlobalHoldout(store.storeId, 0.1, new Date(start.getTime() - DAY));

  const segment = (await request('POST', '/api/v1/segments', { name: 'Everyone', rule: { kind: 'profile', field: 'email', op: 'starts_with', value: 'x' } })).json() as { id: string };
  const template = (await request('POST', '/api/v1/templates/from-starter', { starter: 'win_back', name: 'Back' })).json() as { id: string };
  const campaign = (await request('POST', '/api/v1/campaigns', { name: 'Come back', segment_ids: [segment.id], template_id: template.id, holdout_share: 0.3 })).json() as { id: string };
  campaignId = campaign.id;
  await t.services.campaigns.start(store.storeId, campaign.id, start);
  // Ten people unsubscribe now: day 40 after the start, inside the 90-day window only.
  for (const p of people.slice(0, 10)) unsubscribed.add(p);
  await t.services.commerce.write(store.storeId, { customers: [...unsubscribed].map((p) => ({ external_id: p, email: `${p}@example.com`, email_consent: { status: 'unsubscribed' as const } })) });
});
afterAll(async () => t?.close());

async function assignmentsOf(experimentId: string) {
  const rows = await t.services.storage.read.selectFrom('experiment_assignments' as never).selectAll()
    .where('store_id' as never, '=', store.storeId as never).where('experiment_id' as never, '=', experimentId as never).execute() as unknown as { customer_id: number; arm: string; eligible_at: Date }[];
  return rows.map((r) => ({ customer_id: Number(r.customer_id), arm: r.arm, eligible_at: new Date(r.eligible_at) })).sort((a, b) => a.customer_id - b.customer_id);
}

/** The sums, computed person by person from the stored orders, refunds and consent events. */
async function expected(assigned: { customer_id: number; arm: string; eligible_at: Date }[], now: Date) {
  const db = t.services.storage.read;
  const orders = (await db.selectFrom('orders').select(['id', 'customer_id', 'placed_at', 'total', 'status']).where('store_id', '=', store.storeId).execute())
    .map((o) => ({ id: Number(o.id), customer: Number(o.customer_id), at: new Date(o.placed_at).getTime(), total: Number(o.total), cancelled: o.status === 'cancelled' }));
  const refunds = new Map<number, number>();
  for (const r of await db.selectFrom('returns').select(['order_id', 'amount']).where('store_id', '=', store.storeId).execute()) {
    refunds.set(Number(r.order_id), (refunds.get(Number(r.order_id)) ?? 0) + Number(r.amount));
  }
  const consent = (await db.selectFrom('domain_events').select(['customer_id', 'data', 'occurred_at']).where('store_id', '=', store.storeId).where('type', '=', 'customer.consent_changed').execute())
    .map((e) => ({ customer: Number(e.customer_id), at: new Date(e.occurred_at).getTime(), data: JSON.parse(e.data) as { email: string; previous_email: string | null } }));
  const result = new Map<string, { matured: number; open: number; sums: Record<string, Sums> }>();
  for (const a of assigned) {
    const mine = orders.filter((o) => o.customer === a.customer_id && !o.cancelled).sort((p, q) => p.at - q.at || p.id - q.id);
    const firstId = mine[0]?.id;
    const e = a.eligible_at.getTime();
    const pre = mine.filter((o) => o.at >= e - 365 * DAY && o.at < e);
    const x = [pre.length, pre.reduce((s, o) => s + o.total - (refunds.get(o.id) ?? 0), 0)];
    for (const days of WINDOWS) {
      const key = `${days}:${a.arm}`;
      const entry = result.get(key) ?? { matured: 0, open: 0, sums: Object.fromEntries(outcomeMetrics.map((m) => [m, { n: 0, y: 0, yy: 0, yyy: 0, yyyy: 0, x: [0, 0], xx: [[0, 0], [0, 0]], xy: [0, 0] }])) };
      result.set(key, entry);
      if (e + days * DAY > now.getTime()) { entry.open += 1; continue; }
      entry.matured += 1;
      const inside = mine.filter((o) => o.at >= e && o.at < e + days * DAY);
      const unsub = consent.some((c) => c.customer === a.customer_id && c.at >= e && c.at < e + days * DAY && c.data.email === 'unsubscribed' && c.data.previous_email !== 'unsubscribed');
      const y: Record<string, number> = {
        conversion: inside.length > 0 ? 1 : 0, orders_per_person: inside.length, net_revenue_per_person: inside.reduce((s, o) => s + o.total - (refunds.get(o.id) ?? 0), 0),
        retention: inside.some((o) => o.id !== firstId) ? 1 : 0, unsubscribes: unsub ? 1 : 0,
      };
      for (const m of outcomeMetrics) {
        const s = entry.sums[m]!;
        s.n += 1; s.y += y[m]!; s.yy += y[m]! ** 2; s.yyy += y[m]! ** 3; s.yyyy += y[m]! ** 4;
        for (let j = 0; j < 2; j += 1) { s.x[j]! += x[j]!; s.xy[j]! += x[j]! * y[m]!; for (let k = 0; k < 2; k += 1) s.xx[j]![k]! += x[j]! * x[k]!; }
      }
    }
  }
  return result;
}

function compare(actual: ArmOutcome[], wanted: Awaited<ReturnType<typeof expected>>) {
  expect(actual.map((r) => `${r.days}:${r.arm}`).sort()).toEqual([...wanted.keys()].sort());
  for (const row of actual) {
    const w = wanted.get(`${row.days}:${row.arm}`)!;
    expect(row.matured).toBe(w.matured);
    expect(row.still_open).toBe(w.open);
    for (const m of outcomeMetrics) {
      // Sums of fourth powers of revenue pass 2⁵³: equal up to the order of the additions.
      const { yyy, yyyy, ...exact } = row.metrics[m];
      const { yyy: wantedCubes, yyyy: wantedFourths, ...wantedExact } = w.sums[m]!;
      expect(exact, `${row.days} ${row.arm} ${m}`).toEqual(wantedExact);
      expect(yyy / (wantedCubes || 1)).toBeCloseTo(wantedCubes ? 1 : 0, 12);
      expect(yyyy / (wantedFourths || 1)).toBeCloseTo(wantedFourths ? 1 : 0, 12);
    }
  }
}

describe('experiments synced from a campaign', () => {
  it('records the campaign with its arms and leaves the global holdout out of both', async () => {
    const list = (await request('GET', `/api/v1/experiments?kind=campaign&source_id=${campaignId}`)).json() as { data: { id: string; arms: { key: string; share: number; people: number }[]; eligible: number; control_arm: string }[] };
    expect(list.data).toHaveLength(1);
    const experiment = list.data[0]!;
    expect(experiment.control_arm).toBe('holdout');
    expect(experiment.arms.map((a) => [a.key, a.share])).toEqual([['sent', 0.7], ['holdout', 0.3]]);
    const recipients = (await request('GET', `/api/v1/campaigns/${campaignId}/recipients?limit=1000`)).json() as { data: { customer_id: number; group: string }[] };
    const outsideGlobal = recipients.data.filter((r) => !inGlobalHoldout(store.storeId, r.customer_id, 0.1));
    expect(outsideGlobal.length).toBeLessThan(recipients.data.length);
    const assigned = await assignmentsOf(experiment.id);
    expect(assigned.map((a) => [a.customer_id, a.arm])).toEqual(outsideGlobal.map((r) => [r.customer_id, r.group]).sort((a, b) => (a[0] as number) - (b[0] as number)));
    expect(assigned.every((a) => a.eligible_at.getTime() === start.getTime())).toBe(true);
    expect(experiment.eligible).toBe(assigned.length);

    // The global experiment: everyone, by the same hash the sender uses.
    const global = (await request('GET', '/api/v1/experiments?kind=global')).json() as { data: { id: string; eligible: number }[] };
    const everyone = await assignmentsOf(global.data[0]!.id);
    expect(everyone).toHaveLength(150);
    for (const a of everyone) expect(a.arm).toBe(inGlobalHoldout(store.storeId, a.customer_id, 0.1) ? 'holdout' : 'marketed');
  });

  it('syncs idempotently and derives the same arms again from the sources', async () => {
    const id = ((await request('GET', `/api/v1/experiments?kind=campaign`)).json() as { data: { id: string }[] }).data[0]!.id;
    const before = await assignmentsOf(id);
    await t.services.experiments.sync(store.storeId);
    await t.services.experiments.sync(store.storeId);
    expect(await assignmentsOf(id)).toEqual(before);
    // As if the experiments were lost (a restore of an old backup): the sources give the same records and arms.
    await t.services.storage.write.deleteFrom('experiment_assignments' as never).execute();
    await t.services.storage.write.deleteFrom('experiments' as never).where('kind' as never, '<>', 'global' as never).execute();
    await t.services.experiments.sync(store.storeId);
    expect(await assignmentsOf(id)).toEqual(before);
  });

  it('sums each arm\'s outcomes per window as a person-by-person computation does', async () => {
    const id = ((await request('GET', `/api/v1/experiments?kind=campaign`)).json() as { data: { id: string }[] }).data[0]!.id;
    const assigned = await assignmentsOf(id);
    // Every window elapsed.
    const later = new Date(start.getTime() + 91 * DAY);
    const all = await t.services.experiments.outcomes(store.storeId, id, later);
    compare(all, await expected(assigned, later));
    expect(all.find((r) => r.days === 90 && r.arm === 'sent')!.metrics.unsubscribes.y + all.find((r) => r.days === 90 && r.arm === 'holdout')!.metrics.unsubscribes.y).toBeGreaterThan(0);
    expect(all.find((r) => r.days === 30)!.metrics.unsubscribes.y).toBe(0);
    // Today: the 90-day window is still open for everyone.
    const now = new Date();
    const today = await t.services.experiments.outcomes(store.storeId, id, now);
    compare(today, await expected(assigned, now));
    expect(today.filter((r) => r.days === 90).every((r) => r.matured === 0 && r.still_open > 0)).toBe(true);
  });

  it('keeps the sums, reads them again while nothing changed, and makes them again after any change to the orders, refunds or consent', async () => {
    const id = ((await request('GET', `/api/v1/experiments?kind=campaign`)).json() as { data: { id: string }[] }).data[0]!.id;
    const assigned = await assignmentsOf(id);
    const later = new Date(start.getTime() + 91 * DAY);
    const state = async () => (await t.services.storage.read.selectFrom('experiment_outcome_states' as never).selectAll()
      .where('experiment_id' as never, '=', id as never).executeTakeFirst()) as unknown as { computed_at: Date; fingerprint: string };
    await t.services.experiments.outcomes(store.storeId, id, later);
    const kept = await state();
    await t.services.experiments.outcomes(store.storeId, id, later, { from: new Date(start.getTime() - DAY), to: later });
    expect(await state()).toEqual(kept);

    // Changes a stale copy would miss: an order in the window cancelled, another refunded, an old
    // order imported late (the pre-period), and an unsubscribe inside the 7-day window.
    const customers = await t.services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', store.storeId).execute();
    const externalOf = new Map(customers.map((c) => [Number(c.id), c.external_id]));
    const inWindow = await t.services.storage.read.selectFrom('orders').select(['external_id', 'customer_id', 'placed_at']).where('store_id', '=', store.storeId)
      .where('status', '<>', 'cancelled').where('placed_at', '>=', start).orderBy('placed_at').execute();
    const [cancel, refund] = inWindow.filter((o) => assigned.some((a) => a.customer_id === Number(o.customer_id)));
    const person = externalOf.get(assigned[0]!.customer_id)!;
    await t.services.commerce.write(store.storeId, { orders: [
      { external_id: cancel!.external_id, customer_external_id: externalOf.get(Number(cancel!.customer_id))!, placed_at: new Date(cancel!.placed_at), currency: 'EUR', status: 'cancelled' as const, lines: [{ product_external_id: 'p1', title: 'Mug', quantity: 1, unit_price: 1_000 }] },
      { external_id: 'late-import', customer_external_id: person, placed_at: new Date(start.getTime() - 30 * DAY), currency: 'EUR', lines: [{ product_external_id: 'p1', title: 'Mug', quantity: 2, unit_price: 4_200 }] },
    ] });
    await t.services.commerce.write(store.storeId, { returns: [{ external_id: 'r-late', order_external_id: refund!.external_id, returned_at: new Date(), currency: 'EUR', amount: 700 }] });
    await t.services.storage.write.insertInto('domain_events').values({
      id: 9_000_000, store_id: store.storeId, type: 'customer.consent_changed', entity: 'customer', entity_id: assigned[1]!.customer_id, customer_id: assigned[1]!.customer_id,
      data: JSON.stringify({ email: 'unsubscribed', previous_email: 'subscribed' }), occurred_at: new Date(start.getTime() + 2 * DAY),
    }).execute();

    // The scheduled job recomputes them before anyone reads the result.
    const worker = new Worker(t.services.jobs, silentLogger);
    registerJobs(worker, t.services);
    const job = await t.services.jobs.enqueue(EXPERIMENTS_SYNC_JOB, { storeId: store.storeId }, { storeId: store.storeId });
    while (await worker.tick()) { /* the queue also holds the writes' own jobs */ }
    expect(await t.services.jobs.get(job)).toMatchObject({ state: 'done' });
    const recomputed = await state();
    expect(recomputed.fingerprint).not.toBe(kept.fingerprint);
    const after = await t.services.experiments.outcomes(store.storeId, id, later);
    expect(await state()).toEqual(recomputed);
    compare(after, await expected(assigned, later));
  });
});
