/**
 * Each journey report against the same figures computed in plain JavaScript (reference.ts) from
 * the events and orders the test built: random stores from seeds, small enough to run in seconds.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsService } from '../../src/modules/analytics/analytics.service.js';
import { stages } from '../../src/modules/analytics/queries/lifecycle.query.js';
import { openTestStore } from '../helpers/store.js';
import { buildJourneyStore, type JourneyFixture } from './fixture.js';
import * as ref from './reference.js';

const { FROM, TO, RANGE: range, PURCHASE } = ref;

describe.each([[11, 45], [29, 100]])('journey reports on a random store (seed %i, %i days to lapse)', (seed, inactivityDays) => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let analytics: AnalyticsService;
  let f: JourneyFixture;
  let all: ref.Row[];

  beforeAll(async () => {
    store = await openTestStore();
    analytics = new AnalyticsService(store.write, store.read);
    f = await buildJourneyStore(store, { seed, customers: 70, visitors: 30, start: '2023-12-01', days: 220, inactivityDays });
    all = ref.rows(f.events, f.identities, range.start, range.end);
  });
  afterAll(() => store.dispose());

  const returning = (unit: ref.FunnelUnit) => unit.customer !== null && ref.paidOrders(f.orders).some((o) => o.customer === unit.customer && o.at < unit.times[0]!);

  it('the purchase funnel per session: reached, conversion, time to convert, first vs returning, trend, where they went', async () => {
    const r = await analytics.journey.funnels(f.storeId, { from: FROM, to: TO });
    const units = ref.funnelUnits(all, PURCHASE, 'session', null);
    const reached = PURCHASE.map((_, k) => units.filter((u) => u.times[k] !== null).length);
    expect(reached[0]).toBeGreaterThan(50);
    expect(reached[4]).toBeGreaterThan(5);
    expect(r.steps.map((s) => s.label)).toEqual(['Browse', 'Product', 'Cart', 'Checkout', 'Order']);
    expect(r.steps.map((s) => s.units)).toEqual(reached);
    expect(r.steps.map((s) => s.dropOff)).toEqual(reached.map((n, k) => (k === 0 ? 0 : reached[k - 1]! - n)));
    expect(r.conversion).toBeCloseTo(reached[4]! / reached[0]!, 12);
    const converted = units.filter((u) => u.times[4] !== null).map((u) => (u.times[4]! - u.times[0]!) / 1000);
    expect(r.timeToConvert.median).toBeCloseTo(ref.quantile(converted, 0.5)!, 6);
    expect(r.timeToConvert.lowerQuartile).toBeCloseTo(ref.quantile(converted, 0.25)!, 6);
    expect(r.timeToConvert.distribution.reduce((s, d) => s + d.units, 0)).toBe(converted.length);
    expect(r.timeToConvert.distribution[0]!.units).toBe(converted.filter((s) => s <= 60).length);

    const back = units.filter(returning);
    expect(r.breakdown.rows.find((b) => b.value === 'returning')).toMatchObject({ entered: back.length, converted: back.filter((u) => u.times[4] !== null).length });
    expect(r.breakdown.rows.find((b) => b.value === 'first')).toMatchObject({ entered: units.length - back.length });

    for (const month of ['2024-01-01', '2024-03-01', '2024-06-01']) {
      const inMonth = units.filter((u) => new Date(u.times[0]!).toISOString().slice(0, 7) === month.slice(0, 7));
      expect(r.trend.find((t) => t.periodStart === month)).toMatchObject({ entered: inMonth.length, converted: inMonth.filter((u) => u.times[4] !== null).length });
    }
    expect(r.trend).toHaveLength(6);

    // Those who reached the cart but not the checkout: what came right after the cart step.
    const dropped = units.filter((u) => u.times[2] !== null && u.times[3] === null);
    const next = new Map<string, number>();
    for (const u of dropped) next.set(ref.nextAfter(u, 2), (next.get(ref.nextAfter(u, 2)) ?? 0) + 1);
    const expected = [...next].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5);
    expect(r.steps[2]!.next.map((n) => [n.label, n.units])).toEqual(expected);
  });

  it('the purchase funnel by acquisition channel', async () => {
    const r = await analytics.journey.funnels(f.storeId, { from: FROM, to: TO, breakdown: 'channel' });
    const units = ref.funnelUnits(all, PURCHASE, 'session', null);
    const channelOf = (customer: number | null) => {
      if (customer === null) return '(anonymous)';
      const first = ref.paidOrders(f.orders).filter((o) => o.customer === customer).sort((a, b) => a.at - b.at)[0];
      return first ? first.channel! : '(none)';
    };
    const expected = new Map<string, { entered: number; converted: number }>();
    for (const u of units) {
      const e = expected.get(channelOf(u.customer)) ?? { entered: 0, converted: 0 };
      e.entered += 1;
      if (u.times[4] !== null) e.converted += 1;
      expected.set(channelOf(u.customer), e);
    }
    expect(r.breakdown.dimension).toBe('channel');
    expect(new Map(r.breakdown.rows.map((b) => [b.value, { entered: b.entered, converted: b.converted }]))).toEqual(expected);
    expect(expected.size).toBeGreaterThanOrEqual(4);
  });

  it('a custom funnel per customer within a window', async () => {
    const steps = 'page:/products/*>event:Product Added|page:/cart>event:Order Completed';
    const r = await analytics.journey.funnels(f.storeId, { from: FROM, to: TO, steps, count: 'customer', window_days: '7' });
    const units = ref.funnelUnits(all, PURCHASE.slice(1, 3).map((s, i) => (i === 0 ? [s[0]!] : s)).concat([PURCHASE[4]!]), 'customer', 7);
    expect(r.query).toMatchObject({ funnel: 'custom', count: 'customer', windowDays: 7 });
    expect(r.steps.map((s) => s.label)).toEqual(['/products/*', 'Product Added or /cart', 'Order Completed']);
    expect(r.steps.map((s) => s.units)).toEqual([0, 1, 2].map((k) => units.filter((u) => u.times[k] !== null).length));
  });

  it('a funnel with property filters on its steps', async () => {
    const steps = 'event:Product Viewed[category=tea]>event:Product Added[price>=30,category!=gifts]|page:/cart>event:Order Completed';
    const r = await analytics.journey.funnels(f.storeId, { from: FROM, to: TO, steps });
    const filtered: ref.Matcher[][] = [
      [{ kind: 'event', name: 'Product Viewed', filters: [{ key: 'category', op: '=', value: 'tea' }] }],
      [{ kind: 'event', name: 'Product Added', filters: [{ key: 'price', op: '>=', value: '30' }, { key: 'category', op: '!=', value: 'gifts' }] }, { kind: 'page', glob: '/cart' }],
      [{ kind: 'event', name: 'Order Completed' }],
    ];
    const units = ref.funnelUnits(all, filtered, 'session', null);
    const reached = [0, 1, 2].map((k) => units.filter((u) => u.times[k] !== null).length);
    // The filters leave out part of the product views: fewer sessions than without them.
    expect(reached[0]).toBeGreaterThan(5);
    expect(reached[0]).toBeLessThan(ref.funnelUnits(all, [[{ kind: 'event', name: 'Product Viewed' }]], 'session', null).length);
    expect(r.steps.map((s) => s.units)).toEqual(reached);
    expect(r.steps.map((s) => s.label)).toEqual(['Product Viewed [category=tea]', 'Product Added [price>=30, category!=gifts] or /cart', 'Order Completed']);
  });

  it('the purchase funnel by device, persona and membership of a segment', async () => {
    const units = ref.funnelUnits(all, PURCHASE, 'session', null);
    const tally = (valueOf: (u: ref.FunnelUnit) => string) => {
      const out = new Map<string, { entered: number; converted: number }>();
      for (const u of units) {
        const e = out.get(valueOf(u)) ?? { entered: 0, converted: 0 };
        e.entered += 1;
        if (u.times[4] !== null) e.converted += 1;
        out.set(valueOf(u), e);
      }
      return out;
    };
    const shown = (r: Awaited<ReturnType<typeof analytics.journey.funnels>>) => new Map(r.breakdown.rows.map((b) => [b.value, { entered: b.entered, converted: b.converted }]));

    // The device of the event that reached the first step.
    const byDevice = await analytics.journey.funnels(f.storeId, { from: FROM, to: TO, breakdown: 'device' });
    const devices = tally((u) => ref.deviceOf(u.events.find((e) => ref.matches(e, PURCHASE[0]!))!.context));
    expect(new Set(devices.keys())).toEqual(new Set(['mobile', 'tablet', 'desktop', '(unknown)']));
    expect(shown(byDevice)).toEqual(devices);

    // Personas and a segment, given to some customers.
    const customers = [...new Set(f.orders.map((o) => o.customer))];
    const persona = (c: number) => (!customers.includes(c) ? null : c % 3 === 0 ? 'Gift buyers' : c % 3 === 1 ? 'Tea lovers' : null);
    const members = customers.filter((c) => c % 2 === 0);
    await sql`insert into personas (store_id, id, run_id, position, name, description, size, revenue_share, profile, retention, created_at)
      values (${f.storeId}, 'per_gift', 'run_1', 1, 'Gift buyers', '', 0, 0, '{}', '[]', now()), (${f.storeId}, 'per_tea', 'run_1', 2, 'Tea lovers', '', 0, 0, '{}', '[]', now())`.execute(store.write);
    for (const c of customers.filter((c) => persona(c) !== null)) {
      await sql`insert into persona_members (store_id, persona_id, customer_id, assigned_at) values (${f.storeId}, ${persona(c) === 'Gift buyers' ? 'per_gift' : 'per_tea'}, ${c}, now())`.execute(store.write);
    }
    const segmentId = `seg_journey_${seed}`;
    await sql`insert into segments (store_id, id, name, rule, refresh_mode, created_at, updated_at) values (${f.storeId}, ${segmentId}, 'Even customers', '{}', 'manual', now(), now())`.execute(store.write);
    for (const c of members) await sql`insert into segment_members (store_id, segment_id, customer_id, entered_at) values (${f.storeId}, ${segmentId}, ${c}, now())`.execute(store.write);

    const byPersona = await analytics.journey.funnels(f.storeId, { from: FROM, to: TO, breakdown: 'persona' });
    expect(shown(byPersona)).toEqual(tally((u) => (u.customer === null ? '(anonymous)' : persona(u.customer) ?? '(none)')));
    const bySegment = await analytics.journey.funnels(f.storeId, { from: FROM, to: TO, breakdown: 'segment', segment: segmentId });
    expect(bySegment.query.segment).toEqual({ id: segmentId, name: 'Even customers' });
    expect(shown(bySegment)).toEqual(tally((u) => (u.customer === null ? '(anonymous)' : members.includes(u.customer) ? 'member' : 'not a member')));

    await expect(analytics.journey.funnels(f.storeId, { breakdown: 'segment' })).rejects.toMatchObject({ details: [{ path: 'query.segment', reason: 'breakdown=segment needs the segment to compare (its id)' }] });
    await expect(analytics.journey.funnels(f.storeId, { breakdown: 'segment', segment: 'seg_nope' })).rejects.toMatchObject({ details: [{ path: 'query.segment', reason: 'no segment seg_nope in this store' }] });
  });

  it('first order → second order within 90 days', async () => {
    const r = await analytics.journey.funnels(f.storeId, { funnel: 'repeat', from: FROM, to: TO });
    const lastDay = r.store.lastDay!;
    const paid = ref.paidOrders(f.orders).map((o) => new Date(o.at).toISOString().slice(0, 10)).sort();
    expect(lastDay).toBe(paid.at(-1));
    const rows = ref.repeatFunnel(f.orders, { from: FROM, to: TO }, lastDay, 90);
    const eligible = rows.filter((c) => c.eligible);
    const converted = eligible.filter((c) => c.days !== null);
    expect(eligible.length).toBeGreaterThan(10);
    expect(r.steps.map((s) => s.units)).toEqual([eligible.length, converted.length]);
    expect(r.timeToConvert.unit).toBe('days');
    expect(r.timeToConvert.median).toBeCloseTo(ref.quantile(converted.map((c) => c.days!), 0.5)!, 9);
    expect(r.timeToConvert.distribution.reduce((s, d) => s + d.units, 0)).toBe(converted.length);
  });

  it.each([
    ['after', { start: 'page:/cart' }, [{ kind: 'page', glob: '/cart' }], 'pattern'],
    ['before', { end: 'event:Order Completed', group: 'url' }, [{ kind: 'event', name: 'Order Completed' }], 'url'],
  ] as const)('paths %s an anchor', async (direction, query, anchor, group) => {
    const r = await analytics.journey.paths(f.storeId, { from: FROM, to: TO, steps: '3', limit: '200', ...query });
    const expected = ref.paths(all, [...anchor], direction, 3, group);
    const total = [...expected.values()].reduce((s, n) => s + n, 0);
    expect(total).toBeGreaterThan(10);
    expect(r.sessions).toBe(total);
    // Both in time order.
    expect(new Map(r.paths.map((p) => [JSON.stringify(p.steps), p.sessions]))).toEqual(expected);
    // Links from the anchor to the first step sum to the sessions that went on.
    const first = r.links.filter((l) => l.depth === 1).reduce((s, l) => s + l.sessions, 0);
    expect(first).toBe(r.paths.filter((p) => p.steps.length > 0).reduce((s, p) => s + p.sessions, 0));
  });

  it('exit pages of sessions without a purchase', async () => {
    const r = await analytics.journey.exits(f.storeId, { from: FROM, to: TO, min_customers: '1', limit: '500' });
    const expected = ref.exitPages(f.events, f.identities, range, 'pattern');
    expect(r.exitPages.sessions).toBe(expected.sessions);
    expect(new Map(r.exitPages.rows.map((p) => [p.page, { sessions: p.sessions, exits: p.exits }]))).toEqual(expected.pages);
    for (const p of r.exitPages.rows) expect(p.exitRate).toBeCloseTo(p.exits / p.sessions, 12);
  });

  it('pages seen before a lapse, with lift and its 95 % interval', async () => {
    const r = await analytics.journey.exits(f.storeId, { from: FROM, to: TO, min_customers: '4', sessions: '2', group: 'url', limit: '500' });
    const expected = ref.exitChurn(f.events, f.identities, f.orders, range, f.inactivityDays, 2, 'url');
    expect(expected.customers).toBeGreaterThan(20);
    expect(expected.lapsed).toBeGreaterThan(3);
    expect(r.churn).toMatchObject({ customers: expected.customers, lapsed: expected.lapsed });
    const shown = [...expected.pages].filter(([, p]) => p.customers >= 4);
    expect(r.churn.rows.map((p) => p.page).sort()).toEqual(shown.map(([page]) => page).sort());
    for (const [page, p] of shown) {
      const row = r.churn.rows.find((x) => x.page === page)!;
      const a = p.lapsed; const n1 = p.customers; const c = expected.lapsed - a; const n2 = expected.customers - n1;
      expect(row).toMatchObject({ customers: n1, lapsed: a, otherCustomers: n2, otherLapsed: c });
      if (c === 0 || n2 === 0) { expect(row.lift).toBeNull(); continue; }
      const lift = (a / n1) / (c / n2);
      expect(row.lift).toBeCloseTo(lift, 9);
      if (a > 0) {
        const se = Math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2);
        expect(row.liftLow).toBeCloseTo(lift * Math.exp(-1.959964 * se), 5);
        expect(row.liftHigh).toBeCloseTo(lift * Math.exp(1.959964 * se), 5);
      }
    }
    const lifts = r.churn.rows.map((x) => x.lift ?? -1);
    expect(lifts).toEqual([...lifts].sort((x, y) => y - x));
  });

  it('last touchpoints before a lapse: low reviews, returns, late deliveries, support tickets', async () => {
    const r = await analytics.journey.exits(f.storeId, { from: FROM, to: TO });
    const expected = ref.touchpoints(f, range, f.inactivityDays);
    expect(r.touchpoints).toMatchObject({ days: 90, customers: expected.customers, lapsed: expected.lapsed });
    expect(r.touchpoints.rows.map((t) => [t.touchpoint, t.customers, t.lapsed])).toEqual(expected.rows.map((t) => [t.touchpoint, t.customers, t.lapsed]));
    for (const t of expected.rows) expect(t.customers).toBeGreaterThan(0);
    for (const t of r.touchpoints.rows) {
      const c = expected.lapsed - t.lapsed;
      const n2 = expected.customers - t.customers;
      expect(t.lift).toBeCloseTo((t.lapsed / t.customers) / (c / n2), 9);
    }
  });

  it('lifecycle stages per month, revenue per stage and movements', async () => {
    const r = await analytics.journey.lifecycle(f.storeId, { from: FROM, to: TO });
    const expected = ref.lifecycle(f.events, f.identities, f.orders, { from: FROM, to: TO }, f.inactivityDays);
    expect(r.months.map((m) => m.month)).toEqual(['2024-01-01', '2024-02-01', '2024-03-01', '2024-04-01', '2024-05-01', '2024-06-01']);
    const figures = ref.lifecycleFigures(expected, r.months.map((m) => m.month), stages);
    expect(r.months.flatMap((m) => m.stages.map((s) => [m.month, s.stage, s.customers, s.revenue]))).toEqual(figures.cells);
    expect(new Map(r.transitions.map((t) => [`${t.from}>${t.to}`, t.customers]))).toEqual(figures.moves);
    // Every stage occurs in a store this size.
    expect(new Set(expected.map((e) => e.stage))).toEqual(new Set(['prospect', 'new', 'active', 'at_risk', 'lapsed', 'reactivated']));
  });
});
