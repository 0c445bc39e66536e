/**
 * Predict: fits the customer-base models of a store, backtests them, picks the better count
 * model, scores every customer and stores fit, backtest and predictions. HTTP, CLI and the refit
 * job call these functions.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import { minorExponent } from '../../lib/money.js';
import { backtestModel, chooseModel, type BacktestMetrics } from './backtest.js';
import { fitCountModel, type CountFit, type CountModel, type CountModelKind } from './models/count-model.js';
import { fitGammaGamma, spendFrequencyCorrelation, type GammaGammaParams } from './models/gamma-gamma.js';
import type { ModelFit } from './models/fit-result.js';
import { compressCounts } from './models/rf-data.js';
import * as repository from './predictions.repository.js';
import { scoreCustomers } from './scoring.js';
import { addDays, customerSummaries, dayDiff, holdoutWeeklyPurchases, lastOrderDay, type CustomerSummaries, type TimeUnit } from './summaries.js';

export type ModelChoice = 'auto' | CountModelKind;

/** Honest minimums: below these the models' numbers are noise, so none are shown. */
export const minimums = { customers: 50, repeatCustomers: 20, historyDays: 60, holdoutDays: 28, spendCustomers: 20 } as const;

/** Above this many distinct (x, t_x, T), Pareto/NBD (numeric gradient) is fitted on a systematic sample. */
export const paretoNbdMaxRows = 20_000;

export interface FitOptions {
  asOf?: string;
  timeUnit?: TimeUnit;
  model?: ModelChoice;
  annualDiscountRate?: number;
  currency?: string;
}

export interface SpendReport { params: GammaGammaParams; fit: ModelFit<GammaGammaParams>; spendFrequencyCorrelation: number; independent: boolean }

export interface BacktestReport {
  calibrationEnd: string;
  holdoutEnd: string;
  timeUnit: TimeUnit;
  customers: number;
  fits: { model: CountModelKind; fit: CountFit }[];
  metrics: BacktestMetrics[];
  chosen: { model: CountModelKind; reason: string };
}

export type FitReport =
  | { status: 'insufficient'; asOf: string; timeUnit: TimeUnit; customers: number; missing: string[] }
  | {
      status: 'ok'; id: string; asOf: string; timeUnit: TimeUnit; model: CountModelKind; reason: string;
      count: CountFit; spend: SpendReport | undefined; backtest: BacktestReport | { skipped: string };
      customers: number; scored: number; seconds: { fit: number; score: number };
    };

/** What the data lacks for the models, in the store owner's words; empty when it is enough. */
export function missingData(s: CustomerSummaries, historyDays: number): string[] {
  const missing: string[] = [];
  let repeat = 0;
  for (let i = 0; i < s.length; i += 1) if (s.x[i]! > 0) repeat += 1;
  if (s.length < minimums.customers) missing.push(`at least ${minimums.customers} customers with an order (have ${s.length})`);
  if (repeat < minimums.repeatCustomers) missing.push(`at least ${minimums.repeatCustomers} customers who ordered again on a later day (have ${repeat})`);
  if (historyDays < minimums.historyDays) missing.push(`at least ${minimums.historyDays} days of order history (have ${historyDays})`);
  return missing;
}

function countData(s: CustomerSummaries, every = 1) {
  // Compress on whole days (exact in any unit), then convert to the fit's unit.
  const pick = (values: ArrayLike<number>) => Float64Array.from({ length: Math.ceil(s.length / every) }, (_, i) => values[i * every]!);
  const data = compressCounts(pick(s.x), pick(s.txDays), pick(s.ageDays));
  const unit = s.timeUnit === 'week' ? 7 : 1;
  for (let i = 0; i < data.length; i += 1) { data.tx[i]! /= unit; data.T[i]! /= unit; }
  return data;
}

function fitKind(kind: CountModelKind, s: CustomerSummaries): { model: CountModel; fit: CountFit } {
  let data = countData(s);
  if (kind === 'pareto-nbd' && data.length > paretoNbdMaxRows) data = countData(s, Math.ceil(data.length / paretoNbdMaxRows));
  return fitCountModel(kind, data);
}

function fitSpend(s: CustomerSummaries, minorPerMajor: number): SpendReport | undefined {
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

async function firstOrderDay(store: Store, storeId: string, asOf: string): Promise<number> {
  const s = await customerSummaries(store, storeId, { calibrationEnd: asOf, timeUnit: 'day' });
  let oldest = 0;
  for (let i = 0; i < s.length; i += 1) oldest = Math.max(oldest, s.ageDays[i]!);
  return oldest;
}

/** Spend is modelled in major units of the store's currency. */
async function storeCurrency(store: Store, storeId: string): Promise<string> {
  const row = await store.read.selectFrom('stores').select('currency').where('id', '=', storeId).executeTakeFirst();
  return row?.currency ?? 'USD';
}

export async function runBacktest(
  store: Store, storeId: string,
  options: { calibrationEnd: string; holdoutEnd: string; timeUnit?: TimeUnit; model?: ModelChoice; currency?: string },
): Promise<BacktestReport> {
  const timeUnit = options.timeUnit ?? 'week';
  const holdoutDays = dayDiff(options.calibrationEnd, options.holdoutEnd);
  if (holdoutDays < minimums.holdoutDays) {
    throw new AppError('validation_failed', `The holdout period must be at least ${minimums.holdoutDays} days`, [{ path: 'holdoutEnd', reason: `${holdoutDays} days after the calibration end` }]);
  }
  const summaries = await customerSummaries(store, storeId, { calibrationEnd: options.calibrationEnd, timeUnit, holdoutEnd: options.holdoutEnd });
  let history = 0;
  for (let i = 0; i < summaries.length; i += 1) history = Math.max(history, summaries.ageDays[i]!);
  const missing = missingData(summaries, history);
  if (missing.length) throw new AppError('validation_failed', `Not enough data before ${options.calibrationEnd} to fit the models`, missing.map((reason) => ({ path: 'calibrationEnd', reason: `needs ${reason}` })));
  const weeklyActual = await holdoutWeeklyPurchases(store, storeId, options.calibrationEnd, options.holdoutEnd);
  const minorPerMajor = 10 ** minorExponent(options.currency ?? (await storeCurrency(store, storeId)));
  const spend = fitSpend(summaries, minorPerMajor);
  const kinds: CountModelKind[] = !options.model || options.model === 'auto' ? ['bgnbd', 'pareto-nbd'] : [options.model];
  const fits = kinds.map((kind) => ({ kind, ...fitKind(kind, summaries) }));
  const metrics = fits.map(({ model }) => backtestModel(model, { summaries, weeklyActual, holdoutDays }, spend?.params, minorPerMajor));
  return {
    calibrationEnd: options.calibrationEnd, holdoutEnd: options.holdoutEnd, timeUnit, customers: summaries.length,
    fits: fits.map(({ kind, fit }) => ({ model: kind, fit })), metrics, chosen: chooseModel(metrics),
  };
}

export async function saveBacktest(store: Store, storeId: string, report: BacktestReport, fitId: string | null): Promise<string> {
  const id = randomUUID();
  await repository.insertBacktest(store, {
    store_id: storeId, id, fit_id: fitId, calibration_end: report.calibrationEnd, holdout_end: report.holdoutEnd,
    time_unit: report.timeUnit, model: report.chosen.model, report: JSON.stringify(report), created_at: new Date(),
  });
  return id;
}

/**
 * The refit: backtest on a holdout of the last third of the history (28–365 days) to choose the
 * model, then fit the chosen model and Gamma-Gamma on all orders up to `asOf`, score every
 * customer and store the lot.
 */
export async function fitAndScore(store: Store, storeId: string, options: FitOptions = {}): Promise<FitReport> {
  const timeUnit = options.timeUnit ?? 'week';
  const asOf = options.asOf ?? (await lastOrderDay(store, storeId));
  if (!asOf) return { status: 'insufficient', asOf: new Date().toISOString().slice(0, 10), timeUnit, customers: 0, missing: ['orders from customers'] };
  const history = await firstOrderDay(store, storeId, asOf);
  const summaries = await customerSummaries(store, storeId, { calibrationEnd: asOf, timeUnit });
  const missing = missingData(summaries, history);
  if (missing.length) {
    await recordInsufficient(store, storeId, asOf, timeUnit, summaries.length, missing);
    return { status: 'insufficient', asOf, timeUnit, customers: summaries.length, missing };
  }
  const holdoutDays = Math.min(365, Math.max(minimums.holdoutDays, Math.round(history / 3)));
  const calibrationEnd = addDays(asOf, -holdoutDays);
  let backtest: BacktestReport | { skipped: string };
  let kind: CountModelKind;
  let reason: string;
  try {
    backtest = await runBacktest(store, storeId, { calibrationEnd, holdoutEnd: asOf, timeUnit, model: options.model ?? 'auto', ...(options.currency && { currency: options.currency }) });
    kind = options.model && options.model !== 'auto' ? options.model : backtest.chosen.model;
    reason = options.model && options.model !== 'auto' ? `${kind} was asked for.` : backtest.chosen.reason;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    backtest = { skipped: `${error.message}: ${error.details.map((d) => d.reason).join('; ')}` };
    kind = options.model && options.model !== 'auto' ? options.model : 'bgnbd';
    reason = `${kind === 'bgnbd' ? 'BG/NBD' : 'Pareto/NBD'} was used without a backtest: the history before the holdout is too short to compare models.`;
  }
  const fitStarted = performance.now();
  const minorPerMajor = 10 ** minorExponent(options.currency ?? (await storeCurrency(store, storeId)));
  const { model, fit } = fitKind(kind, summaries);
  const spend = fitSpend(summaries, minorPerMajor);
  const fitSeconds = (performance.now() - fitStarted) / 1000;
  const scoreStarted = performance.now();
  const scores = scoreCustomers(model, summaries, { timeUnit, annualDiscountRate: options.annualDiscountRate ?? 0.1, spend: spend?.params, minorPerMajor });
  const id = randomUUID();
  const now = new Date();
  await repository.replacePredictions(store, storeId, id, asOf, summaries.customerId, scores, now);
  const scoreSeconds = (performance.now() - scoreStarted) / 1000;
  const report: FitReport = {
    status: 'ok', id, asOf, timeUnit, model: kind, reason, count: fit, spend, backtest,
    customers: summaries.length, scored: summaries.length, seconds: { fit: fitSeconds, score: scoreSeconds },
  };
  await repository.insertFit(store, {
    store_id: storeId, id, status: 'ok', model: kind, time_unit: timeUnit, as_of: asOf, params: JSON.stringify(fit.params),
    spend_params: spend ? JSON.stringify(spend.params) : null, log_likelihood: fit.logLikelihood, customers: summaries.length,
    converged: fit.converged, report: JSON.stringify(report), created_at: now,
  });
  if ('metrics' in backtest) await saveBacktest(store, storeId, backtest, id);
  return report;
}

async function recordInsufficient(store: Store, storeId: string, asOf: string, timeUnit: TimeUnit, customers: number, missing: string[]): Promise<void> {
  await repository.insertFit(store, {
    store_id: storeId, id: randomUUID(), status: 'insufficient', model: null, time_unit: timeUnit, as_of: asOf, params: null,
    spend_params: null, log_likelihood: null, customers, converged: false,
    report: JSON.stringify({ status: 'insufficient', asOf, timeUnit, customers, missing }), created_at: new Date(),
  });
}

/** The current fit with its backtest, as stored; undefined before the first fit. */
export async function currentModel(store: Store, storeId: string): Promise<{ fit: FitReport; backtest: BacktestReport | undefined } | undefined> {
  const fit = await repository.latestFit(store, storeId);
  if (!fit) return undefined;
  const backtest = await repository.latestBacktest(store, storeId);
  return { fit: JSON.parse(fit.report) as FitReport, backtest: backtest ? (JSON.parse(backtest.report) as BacktestReport) : undefined };
}

export async function predictionFor(store: Store, storeId: string, customerId: number) {
  const row = await repository.customerPrediction(store, storeId, customerId);
  if (!row) throw new AppError('not_found', `No prediction for customer ${customerId}: the customer has no order yet, or the models have not been fitted`);
  return row;
}

export { listPredictions, churnRiskCounts } from './predictions.repository.js';
