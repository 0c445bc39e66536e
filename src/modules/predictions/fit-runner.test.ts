/**
 * The worker thread gives exactly what the same computation gives on the calling thread, hands
 * the scores back as typed arrays, reports progress, and turns a failure inside the thread into a
 * rejected promise with the thread's message (no hang, no crash of the caller).
 */
import { describe, expect, it } from 'vitest';
import { computeRefit, type FitSummaries, type RefitInput } from './fit-compute.js';
import { runInThread } from './fit-runner.js';

/** 600 customers with deterministic, varied histories (days), and a holdout for the backtest. */
function summaries(): FitSummaries {
  const n = 600;
  const s: FitSummaries = {
    calibrationEnd: '2026-06-30', timeUnit: 'week', length: n,
    x: new Float64Array(n), tx: new Float64Array(n), T: new Float64Array(n), txDays: new Int32Array(n), ageDays: new Int32Array(n),
    meanRepeatValue: new Float64Array(n), holdoutPurchases: new Float64Array(n), holdoutValue: new Float64Array(n),
  };
  for (let i = 0; i < n; i += 1) {
    const age = 30 + ((i * 37) % 500);
    const x = i % 3 === 0 ? 0 : (i * 7) % 9;
    const last = x === 0 ? 0 : Math.round(age * (0.2 + ((i * 13) % 80) / 100));
    s.x[i] = x; s.ageDays[i] = age; s.txDays[i] = last; s.T[i] = age / 7; s.tx[i] = last / 7;
    s.meanRepeatValue[i] = x > 0 ? 1_500 + ((i * 97) % 4_000) : 0;
    s.holdoutPurchases[i] = x > 2 && i % 2 === 0 ? 1 + (i % 3) : 0;
    s.holdoutValue[i] = s.holdoutPurchases[i]! * (2_000 + (i % 500));
  }
  return s;
}

function input(): RefitInput {
  const holdout = summaries();
  return {
    summaries: summaries(), holdout: { summaries: holdout, weeklyActual: Array.from({ length: 13 }, (_, w) => 10 + w), holdoutDays: 91 },
    model: 'auto', minorPerMajor: 100, annualDiscountRate: 0.1,
  };
}

describe('runInThread', () => {
  it('returns what the calling thread computes, to the last bit', async () => {
    const here = computeRefit(input());
    const stages: string[] = [];
    const there = await runInThread({ task: 'refit', input: input() }, (_fraction, stage) => stages.push(stage));
    expect(there.model).toBe(here.model);
    expect(there.reason).toBe(here.reason);
    expect(there.count.params).toEqual(here.count.params);
    expect(there.spend?.params).toEqual(here.spend?.params);
    expect(there.backtest?.metrics.map((m) => m.mae)).toEqual(here.backtest?.metrics.map((m) => m.mae));
    expect(there.scores.clv12).toBeInstanceOf(Float64Array);
    expect(there.scores.churnRisk).toBeInstanceOf(Uint8Array);
    expect(Array.from(there.scores.clv12)).toEqual(Array.from(here.scores.clv12));
    expect(Array.from(there.scores.pAlive)).toEqual(Array.from(here.scores.pAlive));
    expect(stages).toContain('scoring customers');
  });

  it('transfers the summaries instead of copying them', async () => {
    const task = input();
    const x = task.summaries.x;
    await runInThread({ task: 'refit', input: task });
    // A transferred buffer is detached on the sending side.
    expect(x.length).toBe(0);
  });

  it('rejects with the thread\'s error when the computation fails', async () => {
    const broken = input();
    // Arrays missing: the fit fails inside the thread.
    (broken.summaries as Partial<FitSummaries>).txDays = undefined;
    await expect(runInThread({ task: 'refit', input: broken })).rejects.toThrow(/undefined/);
  });
});
