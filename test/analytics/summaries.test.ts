import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactDaily } from '../../src/modules/analytics/daily.repository.js';
import { SummariesService } from '../../src/modules/analytics/summaries.service.js';
import { AnalyticsBuilder } from '../builders/analytics.js';
import { openAnalyticsStore } from '../helpers/analytics.js';

type TestStore = Awaited<ReturnType<typeof openAnalyticsStore>>;

async function dump(store: TestStore, storeId: string) {
  const facts = await sql<Record<string, unknown>>`select * exclude (store_id) from order_facts where store_id = ${storeId} order by order_id nulls last, day, revenue`.execute(store.read);
  const customers = await sql<Record<string, unknown>>`select * exclude (store_id) from customer_summary where store_id = ${storeId} order by customer_id`.execute(store.read);
  const periods = await sql<Record<string, unknown>>`select * exclude (store_id) from customer_periods where store_id = ${storeId} order by kind, customer_id, period_start`.execute(store.read);
  // Day-level tables may hold deltas after an incremental pass: compare their sums per key.
  const totals = await sql<Record<string, unknown>>`select day, sum(orders) as orders, sum(revenue) as revenue, sum(gross) as gross, sum(new_customers) as new_customers,
    sum(customer_orders) as customer_orders, sum(unattached_returns) as unattached from daily_totals where store_id = ${storeId}
    group by day having sum(orders) <> 0 or sum(unattached_returns) <> 0 order by day`.execute(store.read);
  const next = await sql<Record<string, unknown>>`select day, next_day, sum(orders) as orders, sum(repeat_orders) as repeats from daily_next where store_id = ${storeId}
    group by 1, 2 having sum(orders) <> 0 order by 1, 2 nulls last`.execute(store.read);
  const fresh = await sql<Record<string, unknown>>`select first_day, days_to_second, first_order_returned, sum(customers) as customers from daily_new where store_id = ${storeId}
    group by 1, 2, 3 having sum(customers) <> 0 order by 1, 2 nulls last, 3`.execute(store.read);
  return { facts: facts.rows, customers: customers.rows, periods: periods.rows, totals: totals.rows, next: next.rows, fresh: fresh.rows };
}

describe('analytics summaries', () => {
  let store: TestStore;
  let summaries: SummariesService;
  let b: AnalyticsBuilder;
  const orders: Record<string, number> = {};

  beforeAll(async () => {
    store = await openAnalyticsStore();
    summaries = new SummariesService(store.write, store.read);
    b = await AnalyticsBuilder.create(store);
    await b.product(10, { category: 'mugs' });
    await b.product(11, { category: 'tea' });
    await b.product(12, { category: 'tea' });
    await b.customer(1, { country: 'GB' });
    await b.customer(2, { country: 'FR' });
    await b.customer(3, { country: 'GB' });
    orders.c1a = await b.order({ customer: 1, at: '2024-01-05', total: 10_000, products: [10], channel: 'email', discountCodes: ['WELCOME'] });
    orders.c1b = await b.order({ customer: 1, at: '2024-01-20', total: 5_000, products: [11] });
    orders.c1c = await b.order({ customer: 1, at: '2024-03-01', total: 3_000, products: [10] });
    orders.c2a = await b.order({ customer: 2, at: '2024-01-10', total: 20_000, products: [10, 11], lineTotals: [5_000, 15_000], channel: 'ads' });
    orders.c3a = await b.order({ customer: 3, at: '2024-02-15', total: 8_000, products: [12] });
    orders.c3x = await b.order({ customer: 3, at: '2024-02-20', total: 99_900, products: [12], status: 'cancelled' });
    orders.guest = await b.order({ customer: null, at: '2024-01-07', total: 4_000, products: [10] });
    await b.returnOf({ order: orders.c2a, at: '2024-01-15', amount: 2_000 });
    await b.returnOf({ customer: 3, at: '2024-03-05', amount: 1_000 });
    await summaries.refreshSummaries(b.storeId);
  });
  afterAll(() => store.dispose());

  it('summarises each customer: orders, net revenue, first and second order', async () => {
    const { customers } = await dump(store, b.storeId);
    expect(customers.map((c) => [c.customer_id, c.orders, c.gross, c.returned, c.revenue])).toEqual([
      [1, 3, 18_000, 0, 18_000],
      [2, 1, 20_000, 2_000, 18_000],
      [3, 1, 8_000, 1_000, 7_000],
    ]);
    const c1 = customers[0]!;
    expect([c1.first_day, c1.second_day, c1.last_day, c1.first_product_id, c1.second_product_id, c1.first_category, c1.channel, c1.first_discount, c1.country])
      .toEqual(['2024-01-05', '2024-01-20', '2024-03-01', 10, 11, 'mugs', 'email', true, 'GB']);
    // The first product is the order's largest line.
    expect([customers[1]!.first_product_id, customers[1]!.first_category, customers[1]!.first_order_returned]).toEqual([11, 'tea', true]);
  });

  it('keeps guest orders and unattached returns as facts, and leaves cancelled orders out', async () => {
    const { facts } = await dump(store, b.storeId);
    expect(facts.filter((f) => f.is_order)).toHaveLength(6);
    expect(facts.find((f) => f.order_id === orders.c3x)).toBeUndefined();
    expect(facts.find((f) => f.order_id === orders.guest)).toMatchObject({ customer_id: null, seq: null, revenue: 4_000 });
    expect(facts.find((f) => !f.is_order)).toMatchObject({ customer_id: 3, day: '2024-03-05', revenue: -1_000 });
    expect(facts.filter((f) => f.customer_id === 1).map((f) => [f.seq, f.prev_day, f.next_day]))
      .toEqual([[1, null, '2024-01-20'], [2, '2024-01-05', '2024-03-01'], [3, '2024-01-20', null]]);
  });

  it('lays out customer periods with offsets from the cohort', async () => {
    const { periods } = await dump(store, b.storeId);
    const c1Months = periods.filter((p) => p.kind === 'month' && p.customer_id === 1);
    expect(c1Months.map((p) => [p.cohort_start, p.period_start, p.period_offset, p.orders, p.revenue, p.is_last]))
      .toEqual([['2024-01-01', '2024-01-01', 0, 2, 15_000, false], ['2024-01-01', '2024-03-01', 2, 1, 3_000, true]]);
    const c1Weeks = periods.filter((p) => p.kind === 'week' && p.customer_id === 1);
    // 2024-01-05 is in the ISO week of Monday 2024-01-01; 2024-03-01 in that of 2024-02-26 (8 weeks later).
    expect(c1Weeks.map((p) => [p.cohort_start, p.period_offset])).toEqual([['2024-01-01', 0], ['2024-01-01', 2], ['2024-01-01', 8]]);
    const c3Quarter = periods.filter((p) => p.kind === 'quarter' && p.customer_id === 3);
    expect(c3Quarter.map((p) => [p.cohort_start, p.period_offset, p.revenue])).toEqual([['2024-01-01', 0, 8_000]]);
  });

  it('records the watermark and derives the inactivity threshold from gaps between orders', async () => {
    const state = await summaries.state(b.storeId);
    expect(state).toMatchObject({ orders_count: 7, returns_count: 2, last_day: '2024-03-05', timezone: 'UTC' });
    // Gaps: 15 and 41 days; the 90th percentile by linear interpolation is 15 + 0.9 × 26 = 38.4 → 39.
    expect(state!.derived_inactivity_days).toBe(39);
  });

  it('an incremental pass after a write gives the same tables as a full rebuild', async () => {
    await b.order({ customer: 2, at: '2024-04-02', total: 6_000, products: [12] });
    await b.order({ customer: null, at: '2024-04-03', total: 1_500 });
    await b.touchOrder(orders.c1b!, { status: 'cancelled' });
    await b.touchOrder(orders.guest!, { customer: 3 });
    await b.returnOf({ order: orders.c3a, at: '2024-04-05', amount: 500 });
    await summaries.onOrdersWritten(b.storeId, []);
    const incremental = await dump(store, b.storeId);
    expect(incremental.customers.find((c) => c.customer_id === 2)).toMatchObject({ orders: 2, second_product_id: 12 });
    expect(incremental.customers.find((c) => c.customer_id === 1)).toMatchObject({ orders: 2, revenue: 13_000, second_day: '2024-03-01' });
    expect(incremental.customers.find((c) => c.customer_id === 3)).toMatchObject({ orders: 2, first_day: '2024-01-07', revenue: 4_000 + 8_000 - 500 - 1_000 });
    expect(incremental.totals.length).toBeGreaterThan(3);
    expect(incremental.next.length).toBeGreaterThan(3);
    // Compaction collapses the deltas to one row per key without changing any sum.
    const raw = await sql<{ n: number }>`select count(*) as n from daily_next where store_id = ${b.storeId}`.execute(store.read);
    const left = await store.write.transaction().execute((tx) => compactDaily(tx, b.storeId));
    expect(left).toBeLessThan(raw.rows[0]!.n);
    expect(left).toBe(incremental.next.length);
    expect(await dump(store, b.storeId)).toEqual(incremental);
    await summaries.refreshSummaries(b.storeId);
    expect(await dump(store, b.storeId)).toEqual(incremental);
  });

  it('ensureFresh notices writes nobody announced', async () => {
    await b.order({ customer: 1, at: '2024-05-01', total: 2_500 });
    // Within the trust window the last answer stands; past it, the watermark is read again.
    expect((await summaries.ensureFresh(b.storeId)).last_day).toBe('2024-04-03');
    const state = await new SummariesService(store.write, store.read, 0).ensureFresh(b.storeId);
    expect(state.last_day).toBe('2024-05-01');
    const { customers } = await dump(store, b.storeId);
    expect(customers.find((c) => c.customer_id === 1)).toMatchObject({ orders: 3, last_day: '2024-05-01' });
  });

  it('local days match the time zone database across DST transitions', async () => {
    for (const timezone of ['America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu']) {
      const zone = await AnalyticsBuilder.create(store, { timezone });
      const times: string[] = ['2024-03-10T06:59:59Z', '2024-03-10T07:00:00Z', '2024-11-03T03:59:59Z', '2024-11-03T04:00:00Z', '2024-11-03T05:30:00Z'];
      for (let i = 0; i < 150; i += 1) times.push(new Date(Date.UTC(2023, 0, 1) + ((i * 7_919_993_917) % (3 * 365 * 86_400_000))).toISOString());
      await zone.customers(times.map((_, i) => ({ id: i + 1 })));
      await zone.orders(times.map((at, i) => ({ customer: i + 1, at, total: 100 })));
      await summaries.refreshSummaries(zone.storeId);
      const { customers } = await dump(store, zone.storeId);
      const local = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
      expect(customers.map((c) => c.first_day)).toEqual(times.map((at) => local.format(new Date(at))));
    }
  });

  it('buckets days in the store time zone', async () => {
    const ny = await AnalyticsBuilder.create(store, { timezone: 'America/New_York' });
    await ny.customer(1);
    await ny.order({ customer: 1, at: '2024-01-01T03:00:00Z', total: 1_000 });
    await summaries.refreshSummaries(ny.storeId);
    const { customers, periods } = await dump(store, ny.storeId);
    expect(customers[0]).toMatchObject({ first_day: '2023-12-31' });
    expect(periods.find((p) => p.kind === 'quarter')).toMatchObject({ cohort_start: '2023-10-01' });
  });
});
