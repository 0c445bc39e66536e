/**
 * The browsing the journey reports read is kept ready between reports (journey.table.ts). After
 * the first report, more browsing arrives: a visit that continues an earlier session, a new
 * visitor later linked to a customer, an anonymous id moved to another customer, and an event
 * stored late with an earlier receipt time. Each time, the reports must match the plain
 * JavaScript computation over all the events, as if nothing had been kept.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsService } from '../../src/modules/analytics/analytics.service.js';
import { writeLinks } from '../../src/modules/ingest/event.appender.js';
import { openTestStore } from '../helpers/store.js';
import { buildJourneyStore, type BuiltEvent, type JourneyFixture } from './fixture.js';
import * as ref from './reference.js';

const { DAY, FROM, TO, RANGE: range, PURCHASE } = ref;

describe('the journey rows kept between reports', () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let analytics: AnalyticsService;
  let f: JourneyFixture;
  let nextId = 0;

  beforeAll(async () => {
    store = await openTestStore();
    analytics = new AnalyticsService(store.write, store.read);
    f = await buildJourneyStore(store, { seed: 5, customers: 40, visitors: 20, start: '2023-12-01', days: 220, inactivityDays: 60 });
    nextId = Math.max(...f.events.map((e) => e.id)) + 1;
  });
  afterAll(() => store.dispose());

  /** Stores events as the fixture does, received at `receivedAt` (default: now). */
  async function add(events: Omit<BuiltEvent, 'id'>[], receivedAt?: Date): Promise<void> {
    const built = events.map((e) => ({ ...e, id: nextId++ }));
    await store.write.insertInto('events').values(built.map((e) => ({
      store_id: f.storeId, id: e.id, message_id: null, type: e.type, name: e.name, customer_id: e.customerId, anonymous_id: e.anonymousId,
      session_id: e.sessionId, url: e.url, properties: '{}', source: 'api', occurred_at: new Date(e.at), received_at: receivedAt ?? new Date(), context: null,
    }))).execute();
    f.events.push(...built);
  }

  async function link(anonymousId: string, customerId: number): Promise<void> {
    await store.withWriter((connection) => writeLinks(connection, [{ storeId: f.storeId, anonymousId, customerId }]));
    f.identities.set(anonymousId, customerId);
    // The link gives the id's events without a customer the customer, as the ingest writer does.
    for (const e of f.events) if (e.anonymousId === anonymousId && e.customerId === null) e.customerId = customerId;
  }

  /**
   * How the rows were brought up to date (a refresh of its own, before the reports: they then find
   * nothing new), and the purchase funnel per session and per customer and the paths after the
   * cart, against the reference.
   */
  async function expectReportsMatch(refreshed: 'partial' | 'full' | 'current'): Promise<void> {
    expect(await analytics.journey.browsing.refresh(f.storeId)).toBe(refreshed);
    const all = ref.rows(f.events, f.identities, range.start, range.end);
    const bySession = await analytics.journey.funnels(f.storeId, { from: FROM, to: TO });
    const sessions = ref.funnelUnits(all, PURCHASE, 'session', null);
    expect(bySession.steps.map((s) => s.units)).toEqual(PURCHASE.map((_, k) => sessions.filter((u) => u.times[k] !== null).length));
    const byCustomer = await analytics.journey.funnels(f.storeId, { from: FROM, to: TO, count: 'customer' });
    const people = ref.funnelUnits(all, PURCHASE, 'customer', 30);
    expect(byCustomer.steps.map((s) => s.units)).toEqual(PURCHASE.map((_, k) => people.filter((u) => u.times[k] !== null).length));
    const paths = await analytics.journey.paths(f.storeId, { from: FROM, to: TO, start: 'page:/cart', steps: '3' });
    const expected = ref.paths(all, [{ kind: 'page', glob: '/cart' }], 'after', 3, 'pattern');
    expect(paths.sessions).toBe([...expected.values()].reduce((s, n) => s + n, 0));
    // The exits read the sessions kept with the rows, and each customer's chain of next sessions.
    const exits = await analytics.journey.exits(f.storeId, { from: FROM, to: TO, min_customers: '1', limit: '500', sessions: '3', group: 'url' });
    const exitPages = ref.exitPages(f.events, f.identities, range, 'url');
    expect(exits.exitPages.sessions).toBe(exitPages.sessions);
    expect(new Map(exits.exitPages.rows.map((p) => [p.page, { sessions: p.sessions, exits: p.exits }]))).toEqual(exitPages.pages);
    const churn = ref.exitChurn(f.events, f.identities, f.orders, range, f.inactivityDays, 3, 'url');
    expect(churn.customers).toBeGreaterThan(0);
    expect(exits.churn).toMatchObject({ customers: churn.customers, lapsed: churn.lapsed });
    expect(new Map(exits.churn.rows.map((p) => [p.page, { customers: p.customers, lapsed: p.lapsed }]))).toEqual(churn.pages);
  }

  /** The customers a visitor's journey rows belong to, with their rows. */
  const customersOf = async (visitor: string) => (await sql<{ customer_id: number; n: number }>`
    select customer_id, count(*) as n from journey_events where store_id = ${f.storeId} and visitor = hash(${visitor}) group by 1 order by 1`.execute(store.read)).rows.map((r) => [Number(r.customer_id), Number(r.n)]);

  const kept = async () => Number((await sql<{ n: number }>`select count(*) as n from journey_events where store_id = ${f.storeId}`.execute(store.read)).rows[0]!.n);

  it('match the events after each change, whether the store is refreshed in part or built again', async () => {
    await expectReportsMatch('full');
    const rows = await kept();
    expect(rows).toBe(f.events.filter((e) => e.anonymousId !== null || e.customerId !== null).length);

    // A visit 10 minutes after a visitor's last event (no session id): the same session, now with a cart and an order.
    const last = f.events.filter((e) => e.sessionId === null && e.anonymousId !== null && e.at >= range.start && e.at < range.end - DAY).sort((a, b) => b.at - a.at)[0]!;
    const visitor = last.anonymousId;
    const t = last.at + 10 * 60_000;
    await add([
      { type: 'page', name: null, customerId: null, anonymousId: visitor, sessionId: null, url: 'https://shop.example/products/teapot', at: t },
      { type: 'page', name: null, customerId: null, anonymousId: visitor, sessionId: null, url: 'https://shop.example/cart', at: t + 60_000 },
      { type: 'track', name: 'Checkout Started', customerId: null, anonymousId: visitor, sessionId: null, url: 'https://shop.example/checkout', at: t + 120_000 },
    ]);
    await expectReportsMatch('partial');

    // A new visitor browses, then signs in as customer 7: their sessions join customer 7.
    await add([
      { type: 'page', name: null, customerId: null, anonymousId: 'late-visitor', sessionId: 'late-1', url: 'https://shop.example/products/mug', at: range.start + 40 * DAY },
      { type: 'track', name: 'Product Added', customerId: null, anonymousId: 'late-visitor', sessionId: 'late-1', url: 'https://shop.example/products/mug', at: range.start + 40 * DAY + 30_000 },
      { type: 'page', name: null, customerId: null, anonymousId: 'late-visitor', sessionId: null, url: 'https://shop.example/cart', at: range.start + 90 * DAY },
    ]);
    await expectReportsMatch('partial');
    // (Another visitor's event comes in between, so the linked visitor has nothing newly received.)
    await add([{ type: 'page', name: null, customerId: null, anonymousId: 'visitor-between', sessionId: null, url: 'https://shop.example/', at: range.start + 50 * DAY }]);
    await expectReportsMatch('partial');
    await link('late-visitor', 7);
    await expectReportsMatch('partial');
    expect(await customersOf('late-visitor')).toEqual([[7, 3]]);

    // The anonymous id moves to another customer (a shared device); its next visit is the new customer's.
    await link('late-visitor', 8);
    await add([{ type: 'page', name: null, customerId: null, anonymousId: 'late-visitor', sessionId: null, url: 'https://shop.example/products/teapot', at: range.start + 120 * DAY }]);
    await expectReportsMatch('partial');
    expect(await customersOf('late-visitor')).toEqual([[7, 3], [8, 1]]);

    // An event stored late, received "before" the last refresh: the rows no longer number the events, so the store is built again.
    await add([{ type: 'track', name: 'Order Completed', customerId: 12, anonymousId: null, sessionId: 'late-2', url: 'https://shop.example/checkout/thank-you', at: range.start + 20 * DAY }], new Date('2020-01-01T00:00:00Z'));
    await expectReportsMatch('full');
    expect(await kept()).toBe(f.events.filter((e) => e.anonymousId !== null || e.customerId !== null).length);
  });

  it('a report with nothing new leaves the rows as they are', async () => {
    const before = await sql<{ refreshed_at: Date }>`select refreshed_at from journey_state where store_id = ${f.storeId}`.execute(store.read);
    await analytics.journey.exits(f.storeId, { from: FROM, to: TO });
    const after = await sql<{ refreshed_at: Date }>`select refreshed_at from journey_state where store_id = ${f.storeId}`.execute(store.read);
    expect(after.rows[0]!.refreshed_at).toEqual(before.rows[0]!.refreshed_at);
  });
});
