/**
 * The service on the raw CDNOW sample loaded as orders: the backtest of the papers' split
 * (calibration to 1997-09-30, holdout to 1998-06-30, weeks), and a full refit with scoring.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPredictionsStore } from '../../../test/predictions/store.js';
import { loadCdnowOrders } from '../../../test/predictions/cdnow-store.js';
import type { BgNbdParams } from './models/bgnbd.js';
import { currentModel, fitAndScore, listPredictions, predictionFor, runBacktest, type BacktestReport } from './predictions.fitting.js';

let store: Awaited<ReturnType<typeof openPredictionsStore>>;
let report: BacktestReport;

beforeAll(async () => {
  store = await openPredictionsStore();
  await loadCdnowOrders(store, 'cdnow');
  report = await runBacktest(store, 'cdnow', { calibrationEnd: '1997-09-30', holdoutEnd: '1998-06-30', timeUnit: 'week' });
});
afterAll(async () => store?.dispose());

describe('CDNOW backtest (weeks 1–39 calibration, 40–78 holdout)', () => {
  it('fits both models with the published parameters', () => {
    const bg = report.fits.find((f) => f.model === 'bgnbd')!.fit.params as BgNbdParams;
    expect(bg.r).toBeCloseTo(0.243, 3);
    expect(bg.a).toBeCloseTo(0.793, 2);
    const pn = report.fits.find((f) => f.model === 'pareto-nbd')!.fit;
    expect(pn.logLikelihood).toBeCloseTo(-9595.0, 0);
    expect(report.customers).toBe(2357);
  });

  it('forecasts the holdout total within 15 % and ranks customers', () => {
    for (const m of report.metrics) {
      expect(m.weekly).toHaveLength(39);
      expect(m.weekly.reduce((s, w) => s + w.actual, 0)).toBe(m.totalActual);
      expect(m.weekly.reduce((s, w) => s + w.predicted, 0)).toBeCloseTo(m.totalPredicted, 6);
      // Measured: BG/NBD 1,653 and Pareto/NBD 1,666 forecast vs 1,882 actual repeat purchase days.
      expect(Math.abs(m.totalPredicted - m.totalActual) / m.totalActual).toBeLessThan(0.15);
      expect(m.correlation).toBeGreaterThan(0.5);
      expect(m.brier).toBeGreaterThan(0);
      expect(m.brier).toBeLessThan(0.25);
      // The reliability curve rises: the top decile buys far more often than the bottom one.
      expect(m.reliability[9]!.observed).toBeGreaterThan(m.reliability[0]!.observed + 0.3);
      expect(m.spend!.customers).toBeGreaterThan(0);
    }
    expect(['bgnbd', 'pareto-nbd']).toContain(report.chosen.model);
    expect(report.chosen.reason).toMatch(/MAE/);
  });

  it('conditional expectations by calibration frequency rise with frequency, like the actuals', () => {
    const bg = report.metrics.find((m) => m.model === 'bgnbd')!;
    const zero = bg.byFrequency.find((b) => b.x === 0)!;
    const seven = bg.byFrequency.find((b) => b.x === 7)!;
    expect(seven.predicted).toBeGreaterThan(zero.predicted * 5);
    expect(seven.actual).toBeGreaterThan(zero.actual * 5);
  });

  it('rejects a holdout that is too short', async () => {
    await expect(runBacktest(store, 'cdnow', { calibrationEnd: '1997-09-30', holdoutEnd: '1997-10-10' })).rejects.toThrow(/at least 28 days/);
  });
});

describe('fitAndScore', () => {
  it('fits as of the papers\' calibration end, scores and stores every customer', async () => {
    const fit = await fitAndScore(store, 'cdnow', { asOf: '1997-09-30', timeUnit: 'week', model: 'bgnbd' });
    if (fit.status !== 'ok') throw new Error(fit.missing.join(', '));
    expect(fit.model).toBe('bgnbd');
    expect(fit.count.params).toMatchObject({ r: expect.closeTo(0.243, 3) });
    expect(fit.spend!.params.p).toBeCloseTo(6.25, 1);
    expect(fit.scored).toBe(2357);
    const stored = await currentModel(store, 'cdnow');
    expect(stored?.fit.status).toBe('ok');
    const top = await listPredictions(store, 'cdnow', { limit: 5, sort: 'clv' });
    expect(top).toHaveLength(5);
    expect(top[0]!.clv_12m!).toBeGreaterThanOrEqual(top[4]!.clv_12m!);
    const one = await predictionFor(store, 'cdnow', top[0]!.customer_id);
    expect(one.p_alive).toBeGreaterThan(0);
    expect(one.expected_orders_90d).toBeGreaterThan(one.expected_orders_30d);
    expect(one.expected_orders_365d).toBeGreaterThan(one.expected_orders_90d);
    expect(['low', 'medium', 'high']).toContain(one.churn_risk);
  });

  it('says what is missing instead of printing numbers for a tiny store', async () => {
    const result = await fitAndScore(store, 'empty-store', {});
    expect(result.status).toBe('insufficient');
    if (result.status === 'insufficient') expect(result.missing.join(' ')).toMatch(/orders/);
  });
});
