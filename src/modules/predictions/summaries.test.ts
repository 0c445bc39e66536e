/**
 * The CDNOW figures again, this time from the raw purchase lines loaded as orders: the summaries
 * built in SQL must match the published per-customer summary, and the fits the published values.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPredictionsStore } from '../../../test/predictions/store.js';
import { readCdnowPurchases, readCdnowSummary } from '../../../test/predictions/cdnow.js';
import { loadCdnowOrders } from '../../../test/predictions/cdnow-store.js';
import { bgnbdConditionalExpectation, fitBgNbd } from './models/bgnbd.js';
import { fitGammaGamma } from './models/gamma-gamma.js';
import { fitParetoNbd } from './models/pareto-nbd.js';
import { compress } from './models/rf-data.js';
import { customerSummaries, holdoutWeeklyPurchases, type CustomerSummaries } from './summaries.js';

const noCodes = sql<string[]>`[]::varchar[]`;
let store: Awaited<ReturnType<typeof openPredictionsStore>>;
let weeks: CustomerSummaries;

beforeAll(async () => {
  store = await openPredictionsStore();
  await loadCdnowOrders(store, 'cdnow');
  weeks = await customerSummaries(store, 'cdnow', { calibrationEnd: '1997-09-30', timeUnit: 'week', holdoutEnd: '1998-06-30' });
});
afterAll(async () => store?.dispose());

describe('customerSummaries on the raw CDNOW sample', () => {
  it('rebuilds the published per-customer summary (x, t_x, T, z̄)', () => {
    const published = readCdnowSummary();
    expect(weeks.length).toBe(published.length);
    // The summary file numbers customers by their sample id; orders carry the master id.
    const sampleIdOf = new Map(readCdnowPurchases().map((p) => [p.customer, p.sampleId]));
    const byId = new Map(published.map((row) => [row.id, row]));
    for (let i = 0; i < weeks.length; i += 1) {
      const row = byId.get(sampleIdOf.get(weeks.customerId[i]!)!)!;
      expect(row).toBeDefined();
      expect(weeks.x[i]).toBe(row.x);
      expect(Math.abs(weeks.tx[i]! - row.tx)).toBeLessThan(0.006);
      expect(Math.abs(weeks.T[i]! - row.T)).toBeLessThan(0.006);
      expect(Math.abs(weeks.meanRepeatValue[i]! / 100 - row.zbar)).toBeLessThan(0.006);
    }
  });

  it('reproduces the published BG/NBD, Pareto/NBD and Gamma-Gamma figures', () => {
    const data = compress(weeks.x, weeks.tx, weeks.T);
    const bg = fitBgNbd(data);
    expect(bg.params.r).toBeCloseTo(0.243, 3);
    expect(bg.params.alpha).toBeCloseTo(4.414, 1);
    expect(bg.params.a).toBeCloseTo(0.793, 2);
    expect(bg.params.b).toBeCloseTo(2.426, 1);
    expect(Math.abs(bg.logLikelihood - -9582.4)).toBeLessThan(0.5);
    expect(bgnbdConditionalExpectation(bg.params, 2, 30.43, 38.86, 39)).toBeCloseTo(1.226, 2);

    const pn = fitParetoNbd(data);
    expect(pn.params.r).toBeCloseTo(0.553, 2);
    expect(Math.abs(pn.params.alpha - 10.578)).toBeLessThan(0.1);
    expect(pn.params.s).toBeCloseTo(0.606, 2);
    expect(Math.abs(pn.params.beta - 11.669)).toBeLessThan(0.2);
    expect(Math.abs(pn.logLikelihood - -9595.0)).toBeLessThan(0.5);

    const repeat = [...weeks.x.keys()].filter((i) => weeks.x[i]! > 0);
    expect(repeat).toHaveLength(946);
    const gg = fitGammaGamma({
      x: Float64Array.from(repeat.map((i) => weeks.x[i]!)),
      zbar: Float64Array.from(repeat.map((i) => weeks.meanRepeatValue[i]! / 100)),
    });
    expect(gg.params.p).toBeCloseTo(6.25, 1);
    expect(gg.params.q).toBeCloseTo(3.74, 1);
    expect(Math.abs(gg.params.gamma - 15.44)).toBeLessThan(0.1);
  });

  it('counts holdout purchases of the calibration cohort by week', async () => {
    const byWeek = await holdoutWeeklyPurchases(store, 'cdnow', '1997-09-30', '1998-06-30');
    expect(byWeek).toHaveLength(39);
    const total = byWeek.reduce((a, b) => a + b, 0);
    expect(total).toBe(weeks.holdoutPurchases.reduce((a, b) => a + b, 0));
    expect(total).toBeGreaterThan(0);
  });
});

describe('customerSummaries rules', () => {
  it('merges same-day orders, ignores cancelled ones and scopes by store', async () => {
    const now = new Date('2024-01-01T00:00:00Z');
    const order = (store_id: string, id: number, customer: number, day: string, total: number, status: 'paid' | 'cancelled' = 'paid') => ({
      store_id, id, external_id: `o${id}`, customer_id: customer, placed_at: new Date(`${day}T10:00:00Z`), currency: 'EUR',
      subtotal: total, discount: 0, shipping: 0, tax: 0, total, discount_codes: noCodes, channel: null, status, source: 'api', created_at: now, updated_at: now,
    });
    await store.write.insertInto('orders').values([
      order('rules', 1, 1, '2024-01-01', 1000),
      order('rules', 2, 1, '2024-01-01', 500),
      order('rules', 3, 1, '2024-01-08', 2000),
      order('rules', 4, 1, '2024-01-15', 9000, 'cancelled'),
      order('rules', 5, 1, '2024-01-22', 4000),
      order('rules', 6, 2, '2024-02-01', 700),
      order('other', 7, 1, '2024-01-29', 100),
    ]).execute();
    const s = await customerSummaries(store, 'rules', { calibrationEnd: '2024-01-29', timeUnit: 'day' });
    expect(s.length).toBe(1);
    expect([s.x[0], s.tx[0], s.T[0], s.meanRepeatValue[0]]).toEqual([2, 21, 28, 3000]);
  });
});
