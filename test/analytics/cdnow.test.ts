/**
 * The CDNOW sample (2,357 customers, 6,919 purchases, 1997-01 … 1998-06): every report against
 * an independent computation over the raw file (reference.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toMinorUnits } from '../../src/lib/money.js';
import { AnalyticsService } from '../../src/modules/analytics/analytics.service.js';
import { AnalyticsBuilder } from '../builders/analytics.js';
import { openAnalyticsStore } from '../helpers/analytics.js';
import { byCustomer, percentile, plusDays, refKpis, refMonthlyCohorts, refRfm, type RefOrder } from './reference.js';

const file = join(process.cwd(), 'test', 'fixtures', 'data', 'cdnow', 'CDNOW_sample.txt');

function parseCdnow(): RefOrder[] {
  return readFileSync(file, 'utf8').split(/\r?\n/).filter((line) => line.trim()).map((line) => {
    const [id, , date, , dollars] = line.trim().split(/\s+/);
    return { customer: String(Number(id)), day: `${date!.slice(0, 4)}-${date!.slice(4, 6)}-${date!.slice(6, 8)}`, total: toMinorUnits(dollars!, 'USD')! };
  });
}

describe('analytics on the CDNOW sample', () => {
  const orders = parseCdnow();
  let store: Awaited<ReturnType<typeof openAnalyticsStore>>;
  let analytics: AnalyticsService;
  let storeId: string;

  beforeAll(async () => {
    store = await openAnalyticsStore();
    analytics = new AnalyticsService(store.write, store.read);
    const b = await AnalyticsBuilder.create(store, { slug: 'cdnow', inactivityDays: null });
    await b.customers([...new Set(orders.map((o) => Number(o.customer)))].map((id) => ({ id, country: 'US' })));
    await b.orders(orders.map((o) => ({ customer: Number(o.customer), at: o.day, total: o.total })));
    storeId = b.storeId;
  });
  afterAll(() => store.dispose());

  it('loads the published sample', () => {
    expect(orders).toHaveLength(6_919);
    expect(new Set(orders.map((o) => o.customer)).size).toBe(2_357);
  });

  it('KPIs for the second half of 1997 and the half before, with the derived inactivity threshold', async () => {
    const r = await analytics.kpis(storeId, { from: '1997-07-01', to: '1997-12-31' });
    const gaps: number[] = [];
    for (const list of byCustomer(orders).values()) {
      const days = list.map((o) => o.day);
      for (let i = 1; i < days.length; i += 1) gaps.push((Date.parse(days[i]!) - Date.parse(days[i - 1]!)) / 86_400_000);
    }
    const threshold = Math.max(7, Math.ceil(percentile(gaps, 0.9)!));
    expect(r.store).toMatchObject({ lastDay: '1998-06-30', inactivitySource: 'derived', inactivityDays: threshold });
    for (const [block, range] of [[r.current, { from: '1997-07-01', to: '1997-12-31' }], [r.comparison!, { from: '1996-12-29', to: '1997-06-30' }]] as const) {
      const expected = refKpis(orders, [], range, '1998-06-30', threshold);
      expect([block.from, block.to]).toEqual([range.from, range.to]);
      expect(block).toMatchObject({
        orders: expected.orders, revenue: expected.revenue, customers: expected.customers, newCustomers: expected.newCustomers,
        returningCustomers: expected.returningCustomers,
      });
      expect(block.aov).toBeCloseTo(expected.aov!, 9);
      expect(block.ordersPerCustomer).toBeCloseTo(expected.ordersPerCustomer!, 12);
      expect(block.repeatPurchaseRate).toBeCloseTo(expected.repeatPurchaseRate!, 12);
      expect(block.timeBetweenOrders.medianDays).toBe(expected.medianDaysBetweenOrders);
      expect(block.secondOrderRate.map((w) => w.rate)).toEqual(expected.secondOrderRates);
      expect(block.medianDaysToSecondOrder).toBe(expected.medianDaysToSecondOrder);
      expect(block.retentionRate).toBe(expected.retentionRate);
      expect(block.churnRate).toBe(expected.churnRate);
    }
    expect(r.current.customers).toBeGreaterThan(500);
    // A filter matching every customer reads the per-order facts instead of the day-level tables:
    // the same figures.
    const filtered = await analytics.kpis(storeId, { from: '1997-07-01', to: '1997-12-31', country: 'US' });
    expect(filtered.current).toEqual(r.current);
    expect(filtered.comparison).toEqual(r.comparison);
    expect(filtered.series).toEqual(r.series);
  });

  it('a weekly trend over a year and a quarter: every week\'s rates as the reference computes them for that week alone', async () => {
    // Starts on a Wednesday, so the first week is cut by the range, as is the last (the range ends on a Thursday).
    const range = { from: '1997-03-12', to: '1998-06-18' };
    const r = await analytics.kpis(storeId, { ...range, period: 'week', compare: 'none' });
    expect(r.series.length).toBeGreaterThan(60);
    for (const point of r.series) {
      const weekEnd = plusDays(point.periodStart, 6);
      const week = { from: point.periodStart < range.from ? range.from : point.periodStart, to: weekEnd > range.to ? range.to : weekEnd };
      const expected = refKpis(orders, [], week, '1998-06-30', r.store.inactivityDays);
      expect([point.periodStart, point.repeatPurchaseRate, point.retentionRate, point.churnRate])
        .toEqual([point.periodStart, expected.repeatPurchaseRate, expected.retentionRate, expected.churnRate]);
      expect(point.complete).toBe(week.from === point.periodStart && week.to === weekEnd);
    }
    for (const rate of ['repeatPurchaseRate', 'retentionRate', 'churnRate'] as const) expect(r.series.filter((p) => (p[rate] ?? 0) > 0).length, rate).toBeGreaterThan(30);
    expect(r.series.filter((p) => !p.complete).map((p) => p.periodStart)).toEqual([r.series[0]!.periodStart, r.series.at(-1)!.periodStart]);
    // The same series from the per-order facts (a filter every customer matches).
    const filtered = await analytics.kpis(storeId, { ...range, period: 'week', compare: 'none', country: 'US' });
    expect(filtered.series).toEqual(r.series);
  });

  it('monthly cohorts: sizes, retained customers and revenue per offset', async () => {
    const r = await analytics.cohorts(storeId, { from: '1997-01-01', to: '1998-06-30' });
    const expected = refMonthlyCohorts(orders);
    expect(r.cohorts.map((c) => c.cohort)).toEqual([...expected.keys()].sort());
    for (const cohort of r.cohorts) {
      const ref = expected.get(cohort.cohort)!;
      expect(cohort.size).toBe(ref.size);
      expect(cohort.periods.map((p) => p.customers)).toEqual(cohort.periods.map((p) => ref.retained[p.offset] ?? 0));
      expect(cohort.periods.map((p) => p.revenue)).toEqual(cohort.periods.map((p) => ref.revenue[p.offset] ?? 0));
    }
    expect(r.cohorts.reduce((sum, c) => sum + c.size, 0)).toBe(2_357);
  });

  it('RFM segments now and at the end of 1997', async () => {
    const now = await analytics.rfm(storeId, { since: '1997-12-31' });
    const counts = (segments: { segment: string; customers: number }[]) => new Map(segments.filter((s) => s.customers > 0).map((s) => [s.segment, s.customers]));
    expect(counts(now.segments)).toEqual(refRfm(orders, [], '1998-06-30'));
    const then = await analytics.rfm(storeId, { to: '1997-12-31' });
    expect(counts(then.segments)).toEqual(refRfm(orders, [], '1997-12-31'));
    // Movement starts from the end-of-1997 segments.
    const from = new Map<string, number>();
    for (const m of now.movement!) if (m.from) from.set(m.from, (from.get(m.from) ?? 0) + m.customers);
    expect(from).toEqual(refRfm(orders, [], '1997-12-31'));
  });

  it('historical CLV per monthly cohort', async () => {
    const r = await analytics.clv(storeId, {});
    const expected = refMonthlyCohorts(orders);
    expect(r.rows.map((row) => [row.key, row.customers, row.revenue])).toEqual(
      [...expected].sort(([a], [b]) => a.localeCompare(b)).map(([cohort, c]) => [cohort, c.size, c.revenue.reduce((sum, v) => sum + (v ?? 0), 0)]),
    );
  });
});
