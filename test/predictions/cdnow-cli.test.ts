import { afterAll, describe, expect, it } from 'vitest';
import { runHearth } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';
import { fitReportSchema } from '../../src/http/schemas/predictions.schemas.js';

// The published CDNOW figures (Fader, Hardie & Lee 2005; Schmittlein et al. via Fader & Hardie's
// notes), reached the way a store owner would: import the raw purchase file, then fit.
describe('CDNOW through the command line: import the raw file, fit the models', () => {
  const dir = tempDir('hearth-cdnow-');
  afterAll(() => dir.remove());
  const file = new URL('../fixtures/data/cdnow/CDNOW_sample.txt', import.meta.url).pathname;

  it('imports 2,357 customers and 6,919 purchases', async () => {
    const imported = await runHearth(['import', file, '--format', 'cdnow', '--data-dir', dir.path, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    const summary = JSON.parse(imported.stdout);
    expect(summary.customers.created).toBe(2357);
    expect(summary.orders.created).toBe(6919);
  });

  it('reproduces the BG/NBD and Gamma-Gamma parameters and log-likelihood', async () => {
    const fit = await runHearth(['models', 'fit', '--as-of', '1997-09-30', '--time-unit', 'week', '--model', 'bgnbd', '--json', '--data-dir', dir.path]);
    expect(fit.code, fit.stderr).toBe(0);
    const report = JSON.parse(fit.stdout);
    // The fit report as the API shows it (GET /api/v1/predictions/model: `fit`).
    expect(fitReportSchema.safeParse(report).error).toBeUndefined();
    expect(report.model).toBe('bgnbd');
    expect(report.time_unit).toBe('week');
    expect(report.customers).toBe(2357);
    expect(report.count.converged).toBe(true);
    expect(report.count.params.r).toBeCloseTo(0.243, 3);
    expect(report.count.params.alpha).toBeCloseTo(4.414, 2);
    expect(report.count.params.a).toBeCloseTo(0.793, 2);
    expect(report.count.params.b).toBeCloseTo(2.426, 2);
    expect(report.count.log_likelihood).toBeCloseTo(-9582.4, 0);
    expect(report.spend.params.p).toBeCloseTo(6.25, 1);
    expect(report.spend.params.q).toBeCloseTo(3.74, 1);
    expect(report.spend.params.gamma).toBeCloseTo(15.44, 0);
  });

  it('reproduces the Pareto/NBD parameters and log-likelihood', async () => {
    const fit = await runHearth(['models', 'fit', '--as-of', '1997-09-30', '--time-unit', 'week', '--model', 'pareto-nbd', '--json', '--data-dir', dir.path]);
    expect(fit.code, fit.stderr).toBe(0);
    const report = JSON.parse(fit.stdout);
    expect(report.model).toBe('pareto-nbd');
    expect(report.count.params.r).toBeCloseTo(0.553, 2);
    expect(report.count.params.alpha).toBeCloseTo(10.578, 1);
    expect(report.count.params.s).toBeCloseTo(0.606, 2);
    expect(report.count.params.beta).toBeCloseTo(11.669, 0);
    expect(report.count.log_likelihood).toBeCloseTo(-9595.0, 0);
  });

  it('rejects a malformed date with a one-line reason and exit 2', async () => {
    const fit = await runHearth(['models', 'fit', '--as-of', 'yesterday', '--data-dir', dir.path]);
    expect(fit.code).toBe(2);
    expect(fit.stderr).toMatch(/as-of/);
  });

  it('refuses a date that does not exist, and fits or backtests as of a day to come, keeping the live model', async () => {
    const before = await runHearth(['report', 'predictions', '--json', '--data-dir', dir.path]);
    const impossible = await runHearth(['models', 'fit', '--as-of', '1997-02-30', '--data-dir', dir.path]);
    expect(impossible.code).toBe(2);
    expect(impossible.stderr).toMatch(/as-of/);
    const future = await runHearth(['models', 'fit', '--as-of', '2999-01-01', '--data-dir', dir.path]);
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(/future/);
    const backtest = await runHearth(['models', 'backtest', '--calibration-end', '1997-09-30', '--holdout-end', '2999-01-01', '--data-dir', dir.path]);
    expect(backtest.code).toBe(2);
    expect(backtest.stderr).toMatch(/future/);
    const after = await runHearth(['report', 'predictions', '--json', '--data-dir', dir.path]);
    expect(JSON.parse(after.stdout)).toEqual(JSON.parse(before.stdout));
  });
});
