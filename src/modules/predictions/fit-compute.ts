/**
 * The CPU-heavy part of a refit or a backtest, with no database: fit the count models and
 * Gamma-Gamma on customer summaries, compare them on the holdout, score every customer. It runs
 * in a worker thread (`fit.thread.ts`) so the server keeps answering while a store is refitted;
 * the service loads the summaries before and stores the results after.
 */
import { backtestModel, chooseModel, type BacktestMetrics } from './backtest.js';
import { fitCountModel, type CountFit, type CountModel, type CountModelKind } from './models/count-model.js';
import { fitGammaGamma, spendFrequencyCorrelation, type GammaGammaParams } from './models/gamma-gamma.js';
import type { ModelFit } from './models/fit-result.js';
import { compressCounts, type RecencyFrequency } from './models/rf-data.js';
import { scoreCustomers, type Scores } from './scoring.js';
import type { CustomerSummaries } from './summaries.js';

/** Honest minimums: below these the models' numbers are noise, so none are shown. */
export const minimums = { customers: 50, repeatCustomers: 20, historyDays: 60, holdoutDays: 28, spendCustomers: 20 } as const;

/** Above this many distinct (x, t_x, T), Pareto/NBD is fitted on a systematic sample of customers. */
export const paretoNbdMaxRows = 20_000;

/** A count-model fit that has not converged by then stops and says so. */
export const fitTimeLimitMs = 60_000;

export type ModelChoice = 'auto' | CountModelKind;

/** Summaries as the thread receives them: the customer ids stay with the caller. */
export type FitSummaries = Omit<CustomerSummaries, 'customerId'>;

export interface SpendReport { params: GammaGammaParams; fit: ModelFit<GammaGammaParams>; spendFrequencyCorrelation: number; independent: boolean }

export interface HoldoutInput { summaries: FitSummaries; weeklyActual: number[]; holdoutDays: number }

export interface BacktestComputed {
  fits: { model: CountModelKind; fit: CountFit }[];
  metrics: BacktestMetrics[];
  chosen: { model: CountModelKind; reason: string };
}

export interface RefitInput {
  summaries: FitSummaries;
  /** The backtest's data; absent when the history is too short for one. */
  holdout: HoldoutInput | undefined;
  model: ModelChoice;
  minorPerMajor: number;
  annualDiscountRate: number;
}

export interface RefitComputed {
  backtest: BacktestComputed | undefined;
  model: CountModelKind;
  reason: string;
  count: CountFit;
  spend: SpendReport | undefined;
  scores: Scores;
  seconds: { fit: number; score: number };
}

export type Progress = (fraction: number, stage: string) => void;

const label = (kind: CountModelKind): string => (kind === 'bgnbd' ? 'BG/NBD' : 'Pareto/NBD');

function countData(s: FitSummaries, every = 1): RecencyFrequency {
  // Compress on whole days (exact in any unit), then convert to the fit's unit.
  const pick = (values: ArrayLike<number>) => Float64Array.from({ length: Math.ceil(s.length / every) }, (_, i) => values[i * every]!);
  const data = compressCounts(pick(s.x), pick(s.txDays), pick(s.ageDays));
  const unit = s.timeUnit === 'week' ? 7 : 1;
  for (let i = 0; i < data.length; i += 1) { data.tx[i]! /= unit; data.T[i]! /= unit; }
  return data;
}

export function fitKind(kind: CountModelKind, s: FitSummaries): { model: CountModel; fit: CountFit } {
  let data = countData(s);
  if (kind === 'pareto-nbd' && data.length > paretoNbdMaxRows) data = countData(s, Math.ceil(data.length / paretoNbdMaxRows));
  return fitCountModel(kind, data, { deadline: performance.now() + fitTimeLimitMs });
}

export function fitSpend(s: FitSummaries, minorPerMajor: number): SpendReport | undefined {
  const x: number[] = [];
  const zbar: number[] = [];
  for (let i = 0; i < s.length; i += 1) {
    if (s.x[i]! > 0 && s.meanRepeatValue[i]! > 0) { x.push(s.x[i]!); zbar.push(s.meanRepeatValue[i]! / minorPerMajor); }
  }
  if (x.length < minimums.spendCustomers) return undefined;
  const data = { x: Float64Array.from(x), zbar: Float64Array.from(zbar) };
  const fit = fitGammaGamma(data);
  const correlation = spendFrequencyCorrelation(data);
  return { params: fit.params, fit, spendFrequencyCorrelation: correlation, independent: Math.abs(correlation) < 0.3 };
}

/** Fits each model on the calibration period and compares its forecast with the holdout. */
export function computeBacktest(input: HoldoutInput, models: CountModelKind[], minorPerMajor: number, progress: Progress = () => {}): BacktestComputed {
  const spend = fitSpend(input.summaries, minorPerMajor);
  const fits = models.map((kind, i) => {
    progress(0.05 + (0.5 * i) / models.length, `backtest: fitting ${label(kind)}`);
    return { kind, ...fitKind(kind, input.summaries) };
  });
  const metrics = fits.map(({ model }) => backtestModel(model, input, spend?.params, minorPerMajor));
  const converged = fits.map(({ kind, fit }) => ({ model: kind, converged: fit.converged, ...(fit.note && { note: fit.note }) }));
  return { fits: fits.map(({ kind, fit }) => ({ model: kind, fit })), metrics, chosen: chooseModel(metrics, converged) };
}

/**
 * The refit: backtest (when there is a holdout) to choose the model, fit it and Gamma-Gamma on
 * all the summaries, score every customer.
 */
export function computeRefit(input: RefitInput, progress: Progress = () => {}): RefitComputed {
  const pinned = input.model !== 'auto' ? input.model : undefined;
  let backtest: BacktestComputed | undefined;
  let kind: CountModelKind;
  let reason: string;
  if (input.holdout) {
    backtest = computeBacktest(input.holdout, pinned ? [pinned] : ['bgnbd', 'pareto-nbd'], input.minorPerMajor, progress);
    kind = pinned ?? backtest.chosen.model;
    reason = pinned ? `${kind} was asked for.` : backtest.chosen.reason;
  } else {
    kind = pinned ?? 'bgnbd';
    reason = `${label(kind)} was used without a backtest: the history before the holdout is too short to compare models.`;
  }
  progress(0.6, `fitting ${label(kind)} on all orders`);
  const fitStarted = performance.now();
  const { model, fit } = fitKind(kind, input.summaries);
  const spend = fitSpend(input.summaries, input.minorPerMajor);
  const fitSeconds = (performance.now() - fitStarted) / 1000;
  progress(0.8, 'scoring customers');
  const scoreStarted = performance.now();
  const scores = scoreCustomers(model, input.summaries, {
    timeUnit: input.summaries.timeUnit, annualDiscountRate: input.annualDiscountRate, spend: spend?.params, minorPerMajor: input.minorPerMajor,
  });
  return { backtest, model: kind, reason, count: fit, spend, scores, seconds: { fit: fitSeconds, score: (performance.now() - scoreStarted) / 1000 } };
}
