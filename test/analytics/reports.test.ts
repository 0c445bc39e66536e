/**
 * Every report on a store small enough to compute by hand. The expected values are worked out in
 * the comments from the orders in fixture.ts (last day with data: 2024-03-05, the unattached return).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsService } from '../../src/modules/analytics/analytics.service.js';
import { openAnalyticsStore } from '../helpers/analytics.js';
import { buildHandStore } from './fixture.js';

describe('analytics reports on hand-computed data', () => {
  let store: Awaited<ReturnType<typeof openAnalyticsStore>>;
  let analytics: AnalyticsService;
  let storeId: string;

  beforeAll(async () => {
    store = await openAnalyticsStore();
    analytics = new AnalyticsService(store.write, store.read);
    storeId = (await buildHandStore(store)).storeId;
  });
  afterAll(() => store.dispose());

  it('KPIs for February against the 29 days before', async () => {
    const r = await analytics.kpis(storeId, { from: '2024-02-01', to: '2024-02-29' });
    expect(r.store).toMatchObject({ lastDay: '2024-03-05', inactivityDays: 30, inactivitySource: 'store' });
    const feb = r.current;
    // Orders 15 Feb (c3, 80), 3 and 10 Feb (c4, 60 + 40); the cancelled 20 Feb order does not count.
    expect(feb).toMatchObject({ orders: 3, guestOrders: 0, revenue: 18_000, customers: 2, newCustomers: 2, returningCustomers: 0, aov: 6_000, ordersPerCustomer: 1.5 });
    expect(feb.repeatPurchaseRate).toBe(0.5); // c4
    expect(feb.timeBetweenOrders.medianDays).toBe(7);
    expect(feb.timeBetweenOrders.distribution[0]).toEqual({ label: '0-7', orders: 1 });
    // Only c4 (first order 3 Feb ≤ 5 Mar − 30) is old enough for the 30-day window; nobody for 60/90.
    expect(feb.secondOrderRate).toEqual([
      { days: 30, eligible: 1, customers: 1, rate: 1 }, { days: 60, eligible: 0, customers: 0, rate: null }, { days: 90, eligible: 0, customers: 0, rate: null },
    ]);
    expect(feb.medianDaysToSecondOrder).toBe(7);
    // 3–31 Jan: c1 and c2 ordered; neither ordered in February.
    expect(feb.retention).toEqual({ previousCustomers: 2, retainedCustomers: 0 });
    expect(feb.retentionRate).toBe(0);
    // Active at 1 Feb (an order since 2 Jan): c1, c2; neither ordered after 30 Jan.
    expect(feb.churn).toEqual({ activeAtStart: 2, churnedCustomers: 2 });
    expect([feb.returnsRate, feb.orderReturnRate, feb.repeatRateWithoutReturn, feb.repeatRateAfterReturn]).toEqual([0, 0, 0.5, null]);

    const jan = r.comparison!;
    expect([jan.from, jan.to]).toEqual(['2024-01-03', '2024-01-31']);
    // c1 100 + 50, c2 200 − 20 returned, guest 40.
    expect(jan).toMatchObject({ orders: 4, guestOrders: 1, revenue: 37_000, customers: 2, newCustomers: 2, aov: 9_250, ordersPerCustomer: 1.5, repeatPurchaseRate: 0.5 });
    expect(jan.returnsRate).toBeCloseTo(2_000 / 39_000, 12);
    expect(jan.orderReturnRate).toBe(0.25);
    expect(jan.secondOrderRate.map((w) => w.rate)).toEqual([0.5, 1, null]);
    expect([jan.repeatRateAfterReturn, jan.repeatRateWithoutReturn]).toEqual([0, 1]);
    expect([jan.retentionRate, jan.churnRate]).toEqual([null, null]);
    // February is the whole range and has ended (last day 5 March): its own rates are the range's.
    expect(r.series).toEqual([{
      periodStart: '2024-02-01', orders: 3, revenue: 18_000, customers: 2, newCustomers: 2,
      repeatPurchaseRate: 0.5, retentionRate: 0, churnRate: 1, complete: true,
    }]);
  });

  it('a monthly trend of the rates, each month with its own definitions; a month cut by the range is incomplete', async () => {
    const r = await analytics.kpis(storeId, { from: '2024-01-15', to: '2024-03-31', compare: 'none', period: 'month' });
    const byMonth = Object.fromEntries(r.series.map((p) => [p.periodStart, p]));
    // January from the 15th only: cut by the range. March has not ended by the last day with data (5 March).
    expect([byMonth['2024-01-01']?.complete, byMonth['2024-02-01']?.complete, byMonth['2024-03-01']?.complete]).toEqual([false, true, false]);
    // February over its whole month, as the KPI block for February computed above.
    expect(byMonth['2024-02-01']).toMatchObject({ repeatPurchaseRate: 0.5, retentionRate: 0, churnRate: 1 });
  });

  it('a period longer than the inactivity threshold: its rates are those of the same range on its own', async () => {
    // A quarter is longer than the store's 30 days: churn counts only last orders before the quarter.
    const r = await analytics.kpis(storeId, { from: '2024-01-01', to: '2024-03-31', compare: 'none', period: 'quarter' });
    expect(r.series).toHaveLength(1);
    const [quarter] = r.series;
    expect(r.current.churn.activeAtStart).toBe(0);
    expect([quarter!.repeatPurchaseRate, quarter!.retentionRate, quarter!.churnRate]).toEqual([r.current.repeatPurchaseRate, r.current.retentionRate, r.current.churnRate]);
    const feb = await analytics.kpis(storeId, { from: '2024-02-01', to: '2024-03-31', compare: 'none', period: 'quarter' });
    // February and March: active at 1 Feb were c1 and c2 (orders in the 30 days before); c2 never ordered again.
    expect(feb.current.churn.activeAtStart).toBeGreaterThan(0);
    expect([feb.series[0]!.retentionRate, feb.series[0]!.churnRate]).toEqual([feb.current.retentionRate, feb.current.churnRate]);
  });

  it('a year-earlier comparison and a customer filter', async () => {
    const r = await analytics.kpis(storeId, { from: '2024-01-01', to: '2024-03-31', compare: 'year', country: 'GB' });
    expect([r.comparison!.from, r.comparison!.to, r.comparison!.orders]).toEqual(['2023-01-01', '2023-03-31', 0]);
    // GB: c1 (three orders, 180) and c3 (80, then −10 unattached); guests are left out when filtering.
    expect(r.current).toMatchObject({ customers: 2, orders: 4, guestOrders: 0, revenue: 18_000 + 8_000 - 1_000 });
  });

  it('monthly cohorts: retained customers, revenue and the LTV curve', async () => {
    const r = await analytics.cohorts(storeId, { from: '2024-01-01', to: '2024-03-31' });
    expect(r.cohorts.map((c) => [c.cohort, c.size, c.periods.map((p) => p.customers)])).toEqual([
      ['2024-01-01', 2, [2, 0, 1]],
      ['2024-02-01', 2, [2, 0]],
    ]);
    const jan = r.cohorts[0]!;
    expect(jan.periods.map((p) => [p.orders, p.revenue, p.cumulativeRevenuePerCustomer])).toEqual([[3, 33_000, 16_500], [0, 0, 16_500], [1, 3_000, 18_000]]);
    expect(r.average.map((a) => a.retention)).toEqual([1, 0, 0.5]);
    const later = await analytics.cohorts(storeId, { from: '2024-01-01', to: '2024-03-31', retained: 'any_later' });
    expect(later.cohorts[0]!.periods.map((p) => p.customers)).toEqual([2, 1, 1]);
    const byChannel = await analytics.cohorts(storeId, { from: '2024-01-01', to: '2024-03-31', breakdown: 'channel' });
    expect(byChannel.cohorts.map((c) => [c.cohort, c.segment, c.size])).toEqual([
      ['2024-01-01', 'ads', 1], ['2024-01-01', 'email', 1], ['2024-02-01', 'email', 1], ['2024-02-01', null, 1],
    ]);
    const weekly = await analytics.cohorts(storeId, { from: '2024-01-01', to: '2024-01-31', period: 'week', first_product: 'p10' });
    // Cohorts are the weeks overlapping January: c1 (week of 1 Jan) and c4 (3 Feb is in the week of
    // 29 Jan); c2's main first product is 11. c1 ordered in the weeks of 1 Jan, 15 Jan and 26 Feb.
    expect(weekly.cohorts.map((c) => [c.cohort, c.size])).toEqual([['2024-01-01', 1], ['2024-01-29', 1]]);
    expect(weekly.cohorts[0]!.periods.filter((p) => p.customers > 0).map((p) => p.offset)).toEqual([0, 2, 8]);
    expect(weekly.cohorts[0]!.periods).toHaveLength(10); // up to the week of 4 Mar, the last day's
  });

  it('RFM segments as of the last day and movement since 1 February', async () => {
    const r = await analytics.rfm(storeId, { since: '2024-02-01' });
    // R/F/M scores (1 + floor(5 × percent rank)): c1 5/5/4 → FM 5, c2 1/1/4 → FM 3, c3 4/1/1 → FM 1, c4 2/4/2 → FM 3.
    const bySegment = Object.fromEntries(r.segments.filter((s) => s.customers > 0).map((s) => [s.segment, [s.customers, s.revenue]]));
    expect(bySegment).toEqual({ Champions: [1, 18_000], Promising: [1, 7_000], 'At risk': [2, 28_000] });
    expect(r.segments.find((s) => s.segment === 'At risk')!.revenueShare).toBeCloseTo(28_000 / 53_000, 12);
    expect(r.segments).toHaveLength(11);
    // On 1 Feb only c1 (R5, F5, M1 → FM 3: Potential loyalists) and c2 (R1, F1, M5 → FM 3: At risk) had ordered.
    const moves = Object.fromEntries(r.movement!.map((m) => [`${m.from ?? 'none'} → ${m.to}`, m.customers]));
    expect(moves).toEqual({ 'Potential loyalists → Champions': 1, 'At risk → At risk': 1, 'none → Promising': 1, 'none → At risk': 1 });
  });

  it('product retention by first product and by category', async () => {
    const r = await analytics.products(storeId, {});
    expect(r.rows.map((row) => [row.key, row.customers, row.repeatRate, row.medianDaysToSecondOrder, row.revenue12mPerCustomer])).toEqual([
      ['p10', 2, 1, 11, null], ['p11', 1, 0, null, null], ['p12', 1, 0, null, null],
    ]);
    expect(r.rows[0]!.title).toBe('Mug');
    expect(r.rows[0]!.next.map((n) => [n.key, n.customers, n.share])).toEqual([['p11', 1, 0.5], ['p12', 1, 0.5]]);
    const categories = await analytics.products(storeId, { breakdown: 'first_category' });
    expect(categories.rows.map((row) => [row.key, row.customers, row.repeatRate, row.next.map((n) => [n.key, n.customers])])).toEqual([
      ['mugs', 2, 1, [['tea', 2]]], ['tea', 2, 0, []],
    ]);
  });

  it('historical CLV by cohort, by country and filtered by channel', async () => {
    const cohorts = await analytics.clv(storeId, {});
    expect(cohorts.rows.map((row) => [row.key, row.customers, row.revenue, row.revenuePerCustomer, row.ordersPerCustomer, row.repeatRate])).toEqual([
      ['2024-01-01', 2, 36_000, 18_000, 2, 0.5], ['2024-02-01', 2, 17_000, 8_500, 1.5, 0.5],
    ]);
    const countries = await analytics.clv(storeId, { by: 'country' });
    expect(countries.rows.map((row) => [row.key, row.customers, row.revenue])).toEqual([['GB', 2, 25_000], ['FR', 1, 18_000], ['US', 1, 10_000]]);
    const email = await analytics.clv(storeId, { channel: 'email' });
    expect(email.rows.map((row) => [row.key, row.revenue])).toEqual([['2024-01-01', 18_000], ['2024-02-01', 10_000]]);
  });

  it('CLV by the first order\'s payment method, and a report filtered by it', async () => {
    // First orders: c1 paypal (its second order by card does not move c1), c2 card, c4 paypal; c3 none.
    const methods = await analytics.clv(storeId, { by: 'payment_method' });
    const byKey = new Map(methods.rows.map((row) => [row.key, [row.customers, row.revenue]]));
    expect(byKey.get('paypal')).toEqual([2, 18_000 + 10_000]);
    expect(byKey.get('card')).toEqual([1, 20_000 - 2_000]);
    const paypal = await analytics.kpis(storeId, { from: '2024-01-01', to: '2024-03-31', compare: 'none', payment_method: 'paypal' });
    expect(paypal.current).toMatchObject({ customers: 2, orders: 5 });
  });

  it('rejects a bad query naming the field', async () => {
    await expect(analytics.kpis(storeId, { from: '2024-02-30' })).rejects.toMatchObject({ code: 'validation_failed', details: [{ path: 'query.from' }] });
    await expect(analytics.kpis(storeId, { from: '2024-03-01', to: '2024-02-01' })).rejects.toMatchObject({ details: [{ path: 'query.from', reason: 'must not be after to (2024-02-01)' }] });
    await expect(analytics.cohorts(storeId, { period: 'day' }, '--')).rejects.toMatchObject({ details: [{ path: '--period' }] });
    await expect(analytics.kpis(storeId, { colour: 'red' })).rejects.toMatchObject({ details: [{ reason: 'unknown parameter(s) colour' }] });
  });
});
