/**
 * The lifecycle report reads marks kept with the summaries (lifecycle.marks.ts) and first-seen
 * times kept with the journey rows. After the first report, orders arrive, are cancelled and move
 * between customers, someone new signs up, and the store changes its inactivity threshold: each
 * time the report must match the plain JavaScript computation over all orders and events, and the
 * marks kept up to date must equal marks computed whole.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsService } from '../../src/modules/analytics/analytics.service.js';
import { rebuildLifecycleMarks } from '../../src/modules/analytics/lifecycle.marks.js';
import { stages } from '../../src/modules/analytics/queries/lifecycle.query.js';
import { openTestStore } from '../helpers/store.js';
import { buildJourneyStore, type BuiltEvent, type JourneyFixture } from './fixture.js';
import * as ref from './reference.js';

const { DAY, FROM, TO } = ref;

describe('the lifecycle marks kept between reports', () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let analytics: AnalyticsService;
  let f: JourneyFixture;
  let threshold = 45;
  const identifies: Pick<BuiltEvent, 'customerId' | 'anonymousId' | 'at'>[] = [];

  beforeAll(async () => {
    store = await openTestStore();
    analytics = new AnalyticsService(store.write, store.read);
    f = await buildJourneyStore(store, { seed: 7, customers: 60, visitors: 25, start: '2023-12-01', days: 220, inactivityDays: threshold });
  });
  afterAll(() => store.dispose());

  /** The report for the range against the reference, figure by figure. */
  async function expectLifecycleMatches(range: { from: string; to: string }): Promise<void> {
    const r = await analytics.journey.lifecycle(f.storeId, range);
    const expected = ref.lifecycle([...f.events, ...identifies], f.identities, f.orders, range, threshold);
    const figures = ref.lifecycleFigures(expected, r.months.map((m) => m.month), stages);
    expect(r.months.flatMap((m) => m.stages.map((s) => [m.month, s.stage, s.customers, s.revenue]))).toEqual(figures.cells);
    expect(new Map(r.transitions.map((t) => [`${t.from}>${t.to}`, t.customers]))).toEqual(figures.moves);
    // One reactivation per customer and month reactivated in; none had a message or offer before.
    expect(r.reactivations.map((c) => [c.by, c.customers])).toEqual([['none', expected.filter((e) => e.stage === 'reactivated').length]]);
  }

  const marks = async () => (await sql<Record<string, unknown>>`
    select day, previous, stage, sum(customers) as customers, sum(revenue) as revenue from lifecycle_marks where store_id = ${f.storeId}
    group by all having sum(customers) <> 0 or sum(revenue) <> 0 order by all`.execute(store.read)).rows.map((r) => JSON.stringify(r));

  /** The kept marks equal marks computed whole from the same orders. */
  async function expectMarksAsIfBuiltWhole(): Promise<void> {
    const kept = await marks();
    await store.write.transaction().execute((tx) => rebuildLifecycleMarks(tx, f.storeId, threshold));
    expect(kept).toEqual(await marks());
  }

  const keptThreshold = async () => (await sql<{ inactivity_days: number }>`select inactivity_days from lifecycle_state where store_id = ${f.storeId}`.execute(store.read)).rows[0]?.inactivity_days ?? null;
  const paid = (customer: number) => f.orders.filter((o) => o.customer === customer && o.status !== 'cancelled').sort((a, b) => a.at - b.at);

  it('match all orders and events after each change, and equal marks computed whole', async () => {
    expect(await keptThreshold()).toBeNull();
    await expectLifecycleMatches({ from: FROM, to: TO });
    expect(await keptThreshold()).toBe(threshold);
    // A month cut by the range: its stages are those on the range's last day.
    await expectLifecycleMatches({ from: '2024-02-01', to: '2024-05-17' });

    const end = Date.parse(`${TO}T00:00:00Z`);
    const buyers = [...new Set(f.orders.map((o) => o.customer))].filter((c) => paid(c).length > 0);
    // A customer lapsed by mid-May orders again on 20 May (a reactivation), and once more two days later.
    const lapsed = buyers.find((c) => paid(c).at(-1)!.at < Date.parse('2024-05-20T00:00:00Z') - (threshold + 5) * DAY)!;
    expect(lapsed).toBeDefined();
    // Someone seen but who never ordered places a first order on 3 June.
    const seenOnly = [...new Set([...f.events.map((e) => e.customerId), ...f.identities.values()])].find((c) => c !== null && paid(c).length === 0 && !f.orders.some((o) => o.customer === c))!;
    expect(seenOnly).toBeDefined();
    const added = [
      { customer: lapsed, at: Date.parse('2024-05-20T10:00:00Z'), total: 4200, status: 'paid' as const },
      { customer: lapsed, at: Date.parse('2024-05-22T10:00:00Z'), total: 1300, status: 'paid' as const },
      { customer: seenOnly, at: Date.parse('2024-06-03T09:00:00Z'), total: 2500, status: 'paid' as const },
    ];
    const ids = await f.builder.orders(added.map((o) => ({ customer: o.customer, at: new Date(o.at).toISOString(), total: o.total, status: o.status })));
    added.forEach((o, i) => f.orders.push({ ...o, id: ids[i] }));
    // A regular customer's order in April is cancelled; another's March order moves to a third customer.
    const regular = buyers.filter((c) => c !== lapsed).map((c) => paid(c)).filter((list) => list.length >= 3);
    const cancelled = regular[0]!.find((o) => o.at >= Date.parse('2024-03-01T00:00:00Z') && o.at < end)!;
    await f.builder.touchOrder(cancelled.id!, { status: 'cancelled' });
    cancelled.status = 'cancelled';
    const moved = regular[1]!.find((o) => o.at >= Date.parse('2024-02-01T00:00:00Z') && o.at < end)!;
    const to = regular[2]![0]!.customer;
    await f.builder.touchOrder(moved.id!, { customer: to });
    moved.customer = to;

    await analytics.onOrdersWritten(f.storeId);
    // Kept up to date in part: a rebuild of the summaries would have dropped them.
    expect(await keptThreshold()).toBe(threshold);
    await expectLifecycleMatches({ from: FROM, to: TO });
    await expectLifecycleMatches({ from: '2024-04-01', to: '2024-06-10' });
    await expectMarksAsIfBuiltWhole();

    // Someone new signs up in April (an identify event, no browsing, no order): a prospect from then on.
    await store.write.insertInto('customers').values({
      store_id: f.storeId, id: 9_999, external_id: 'c9999', email: null, first_name: null, last_name: null, phone: null, country: null, city: null,
      accepts_marketing: false, tags: sql<string[]>`cast([] as varchar[])`, attributes: '{}', created_at: new Date(), updated_at: new Date(),
    }).execute();
    const at = Date.parse('2024-04-11T12:00:00Z');
    await store.write.insertInto('events').values({
      store_id: f.storeId, id: 9_999_999, message_id: null, type: 'identify', name: null, customer_id: 9_999, anonymous_id: 'anon-new-signup',
      session_id: null, url: null, properties: '{}', source: 'api', occurred_at: new Date(at), received_at: new Date(), context: null,
    }).execute();
    identifies.push({ customerId: 9_999, anonymousId: 'anon-new-signup', at });
    await expectLifecycleMatches({ from: FROM, to: TO });

    // The store sets a shorter threshold: the marks are computed again for it.
    const lapsedMonths = async () => (await analytics.journey.lifecycle(f.storeId, { from: FROM, to: TO })).months
      .reduce((n, m) => n + m.stages.find((s) => s.stage === 'lapsed')!.customers, 0);
    const before = await lapsedMonths();
    threshold = 20;
    await sql`update stores set inactivity_days = ${threshold} where id = ${f.storeId}`.execute(store.write);
    await expectLifecycleMatches({ from: FROM, to: TO });
    expect(await keptThreshold()).toBe(threshold);
    expect(await lapsedMonths()).toBeGreaterThan(before);
  });
});
