/**
 * The last touchpoints before a lapse read deliveries and review ratings kept between reports
 * (delivery.table.ts, journey.table.ts). After the first report, a slow delivery arrives for one
 * customer, an order with a slow delivery moves to another customer, a delivery is corrected to
 * a day later, and a 1-star review is tracked: each time the touchpoints must match the plain
 * JavaScript computation over all fulfilments, orders and events.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsService } from '../../src/modules/analytics/analytics.service.js';
import { openTestStore } from '../helpers/store.js';
import { buildJourneyStore, type JourneyFixture } from './fixture.js';
import * as ref from './reference.js';

const { DAY, FROM, TO, RANGE: range } = ref;

describe('the deliveries and ratings kept between exits reports', () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let analytics: AnalyticsService;
  let f: JourneyFixture;

  beforeAll(async () => {
    store = await openTestStore();
    analytics = new AnalyticsService(store.write, store.read);
    f = await buildJourneyStore(store, { seed: 17, customers: 50, visitors: 20, start: '2023-12-01', days: 220, inactivityDays: 60 });
  });
  afterAll(() => store.dispose());

  async function expectTouchpointsMatch(): Promise<void> {
    const r = await analytics.journey.exits(f.storeId, { from: FROM, to: TO });
    const expected = ref.touchpoints(f, range, f.inactivityDays);
    expect(r.touchpoints).toMatchObject({ customers: expected.customers, lapsed: expected.lapsed });
    expect(r.touchpoints.rows.map((t) => [t.touchpoint, t.customers, t.lapsed])).toEqual(expected.rows.map((t) => [t.touchpoint, t.customers, t.lapsed]));
  }

  /** The kept deliveries equal deliveries computed whole (the refresh of a store never refreshed). */
  async function expectDeliveriesAsIfBuiltWhole(): Promise<void> {
    const rows = async () => (await sql<Record<string, unknown>>`select fulfillment_id, order_id, customer_id, delivered_at, days from delivery_facts
      where store_id = ${f.storeId} order by fulfillment_id`.execute(store.read)).rows.map((r) => JSON.stringify(r));
    const kept = await rows();
    const p90 = await analytics.journey.deliveries.refresh(f.storeId);
    await sql`delete from delivery_state where store_id = ${f.storeId}`.execute(store.write);
    expect(await analytics.journey.deliveries.refresh(f.storeId)).toBe(p90);
    expect(kept).toEqual(await rows());
  }

  const later = () => new Date(Date.now() + 1000);

  it('match the fulfilments, orders and events after each change', async () => {
    await expectTouchpointsMatch();
    // The customers in the comparison, by their last order in the range.
    const last = new Map<number, number>();
    for (const o of ref.paidOrders(f.orders)) if (o.at < range.end) last.set(o.customer, Math.max(last.get(o.customer) ?? -Infinity, o.at));
    const people = [...last].filter(([, at]) => at >= range.start).map(([customer]) => customer);
    const lateOf = new Set(f.deliveries.filter((d) => d.at - f.orders.find((o) => o.id === d.order)!.at > 9 * DAY).map((d) => f.orders.find((o) => o.id === d.order)!.customer));
    const slowless = people.filter((c) => !lateOf.has(c));
    expect(slowless.length).toBeGreaterThan(2);
    const lowReviews = async () => (await analytics.journey.exits(f.storeId, { from: FROM, to: TO })).touchpoints.rows.find((t) => t.touchpoint === 'a 1–2 star review')!.customers;
    const reviewsBefore = await lowReviews();

    // A 30-day delivery of the last order of a customer with no slow delivery yet, placed early enough to arrive in the range.
    const early = slowless.find((c) => last.get(c)! < range.end - 35 * DAY)!;
    const order = f.orders.find((o) => o.customer === early && o.status !== 'cancelled' && o.at === last.get(early))!;
    const at = order.at + 30 * DAY;
    await store.write.insertInto('fulfillments').values({
      store_id: f.storeId, id: 9_000_001, external_id: 'f-late', order_id: order.id!, order_external_id: `o${order.id}`, status: 'success', shipment_status: 'delivered',
      carrier: null, tracking_number: null, tracking_url: null, shipped_at: null, delivered_at: new Date(at), lines: '[]', source_updated_at: null, created_at: later(), updated_at: later(),
    }).execute();
    f.deliveries.push({ order: order.id!, at });
    await expectTouchpointsMatch();

    // A slowly delivered order moves to a customer without a slow delivery: the delivery goes with it.
    const other = slowless.find((c) => c !== early)!;
    const moved = f.orders.find((o) => lateOf.has(o.customer) && o.customer !== other && f.deliveries.some((d) => d.order === o.id && d.at - o.at > 9 * DAY))!;
    await f.builder.touchOrder(moved.id!, { customer: other });
    await analytics.onOrdersWritten(f.storeId);
    moved.customer = other;
    await expectTouchpointsMatch();
    await expectDeliveriesAsIfBuiltWhole();

    // A slow delivery corrected to one day after the order: no longer late.
    const slow = f.deliveries.find((d) => d.at - f.orders.find((o) => o.id === d.order)!.at > 12 * DAY)!;
    const placed = f.orders.find((o) => o.id === slow.order)!.at;
    await sql`update fulfillments set delivered_at = ${new Date(placed + DAY)}, updated_at = ${later()} where store_id = ${f.storeId} and order_id = ${slow.order} and delivered_at = ${new Date(slow.at)}`.execute(store.write);
    slow.at = placed + DAY;
    await expectTouchpointsMatch();
    await expectDeliveriesAsIfBuiltWhole();

    // A 1-star review tracked a week before the range ends by a customer who ordered in its last 50 days and rated nothing low.
    const lowRated = new Set(f.events.filter((e) => e.name === 'Product Reviewed' && Number(e.properties?.rating) <= 2).map((e) => e.customerId));
    const reviewer = people.find((c) => last.get(c)! >= range.end - 50 * DAY && !lowRated.has(c))!;
    const id = Math.max(...f.events.map((e) => e.id)) + 1;
    const reviewedAt = range.end - 7 * DAY;
    await store.write.insertInto('events').values({
      store_id: f.storeId, id, message_id: null, type: 'track', name: 'Product Reviewed', customer_id: reviewer, anonymous_id: null, session_id: null,
      url: null, properties: JSON.stringify({ rating: 1 }), source: 'api', occurred_at: new Date(reviewedAt), received_at: later(), context: null,
    }).execute();
    f.events.push({ id, type: 'track', name: 'Product Reviewed', customerId: reviewer, anonymousId: null, sessionId: null, url: null, at: reviewedAt, properties: { rating: 1 } });
    await expectTouchpointsMatch();
    expect(await lowReviews()).toBe(reviewsBefore + 1);
  });
});
