/**
 * The automatic model choice: lower holdout error wins, BG/NBD is kept on a near tie, and a model
 * whose fit did not converge never wins over one whose fit did — and the reason says so.
 */
import { describe, expect, it } from 'vitest';
import { chooseModel, type BacktestMetrics } from './backtest.js';

const metrics = (model: BacktestMetrics['model'], mae: number): BacktestMetrics => ({
  model, mae, weekly: [], totalPredicted: 100, totalActual: 110, byFrequency: [], correlation: 0.6, reliability: [], brier: 0.15, spend: undefined,
});

describe('chooseModel', () => {
  it('takes the lower holdout error when both fits converged', () => {
    const chosen = chooseModel([metrics('bgnbd', 0.80), metrics('pareto-nbd', 0.70)], [
      { model: 'bgnbd', converged: true }, { model: 'pareto-nbd', converged: true },
    ]);
    expect(chosen.model).toBe('pareto-nbd');
    expect(chosen.reason).toMatch(/MAE 0\.700 vs 0\.800/);
  });

  it('keeps BG/NBD within 1 % of each other', () => {
    expect(chooseModel([metrics('bgnbd', 0.705), metrics('pareto-nbd', 0.70)]).model).toBe('bgnbd');
  });

  it('does not pick a model whose fit did not converge over one that did, whatever its error', () => {
    const note = 'The estimates stopped on a bound of the search range: s reached 100.';
    const chosen = chooseModel([metrics('bgnbd', 0.80), metrics('pareto-nbd', 0.50)], [
      { model: 'bgnbd', converged: true }, { model: 'pareto-nbd', converged: false, note },
    ]);
    expect(chosen.model).toBe('bgnbd');
    expect(chosen.reason).toMatch(/^BG\/NBD was chosen: its fit converged and Pareto\/NBD's did not/);
    expect(chosen.reason).toContain('MAE 0.800 vs 0.500 for Pareto/NBD');
    expect(chosen.reason).toContain('s reached 100');
  });

  it('falls back to the holdout error when no fit converged, and says to be careful', () => {
    const chosen = chooseModel([metrics('bgnbd', 0.80), metrics('pareto-nbd', 0.60)], [
      { model: 'bgnbd', converged: false, note: 'a and b grew without bound.' }, { model: 'pareto-nbd', converged: false },
    ]);
    expect(chosen.model).toBe('pareto-nbd');
    expect(chosen.reason).toMatch(/No model's fit converged, so treat the predictions with caution/);
    expect(chosen.reason).toContain('BG/NBD: a and b grew without bound');
  });
});
