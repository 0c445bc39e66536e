/**
 * Predict: fits the customer-base models of a store, backtests them, picks the better count
 * model, scores every customer and stores fit, backtest and predictions. HTTP, CLI and the refit
 * job call these functions.
 */
import { storeSettings } from '../accounts/index.js';
import { randomUUID } from 'node:crypto';
import type { Storage } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import { minorExponent } from '../../lib/money.js';
import type { CountFit, CountModelKind } from './models/count-model.js';
import type { BacktestMetrics } from './backtest.js';
import { minimums, type BacktestComputed, type HoldoutInput, type ModelChoice, type SpendReport } from './fit-compute.js';
import { runInThread, type OnProgress } from './fit-runner.js';
import * as repository from './predictions.repository.js';
import { addDays, customerSummaries, dayDiff, holdoutWeeklyPurchases, lastOrderDay, type CustomerSummaries, type TimeUnit } from './summaries.js';

export { minimums, paretoNbdMaxRows, type ModelChoice, type SpendReport } from './fit-compute.js';

export interface FitOptions {
  asOf?: string;
  timeUnit?: TimeUnit;
  model?: ModelChoice;
  annualDiscountRate?: number;
  /** The store's currency (sets the minor-unit scale of spend); looked up when not given. */
  currency?: string;
}

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

/** Days from the first purchase of the oldest customer to the summaries' calibration end. */
function historyDays(s: CustomerSummaries): number {
  let oldest = 0;
  for (let i = 0; i < s.length; i += 1) oldest = Math.max(oldest, s.ageDays[i]!);
  return oldest;
}

/** Spend is modelled in major units of the store's currency: 100 minor units per major for USD, 1 for JPY. */
async function minorPerMajorOf(storage: Storage, storeId: string, currency: string | undefined): Promise<number> {
  if (currency) return 10 ** minorExponent(currency);
  const row = await storeSettings(storage.read, storeId);
  return 10 ** minorExponent(row?.currency ?? 'USD');
}

/** The summaries (without customer ids) as the fitting thread takes them. */
function forThread(s: CustomerSummaries): HoldoutInput['summaries'] {
  const { customerId: _ids, ...rest } = s;
  return rest;
}

/**
 * Refuses a day after today (UTC, with a day's grace for stores east of UTC): models fitted or
 * checked as of the future would replace the live model with one that ages every customer.
 */
function refuseFuture(day: string, path: string, why: string, now = new Date()): void {
  const latest = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
  if (day > latest) throw new AppError('validation_failed', `${day} is in the future`, [{ path, reason: `must not be after ${latest}: ${why}` }]);
}

/** Loads and checks the data of a backtest; throws a validation error naming what is missing. */
async function loadHoldout(
  storage: Storage, storeId: string, options: { calibrationEnd: string; holdoutEnd: string; timeUnit: TimeUnit },
): Promise<HoldoutInput & { customers: number }> {
  refuseFuture(options.holdoutEnd, 'holdoutEnd', 'the holdout would count orders that have not happened yet');
  const holdoutDays = dayDiff(options.calibrationEnd, options.holdoutEnd);
  if (holdoutDays < minimums.holdoutDays) {
    throw new AppError('validation_failed', `The holdout period must be at least ${minimums.holdoutDays} days`, [{ path: 'holdoutEnd', reason: `${holdoutDays} days after the calibration end` }]);
  }
  const summaries = await customerSummaries(storage, storeId, options);
  const missing = missingData(summaries, historyDays(summaries));
  if (missing.length) throw new AppError('validation_failed', `Not enough data before ${options.calibrationEnd} to fit the models`, missing.map((reason) => ({ path: 'calibrationEnd', reason: `needs ${reason}` })));
  const weeklyActual = await holdoutWeeklyPurchases(storage, storeId, options.calibrationEnd, options.holdoutEnd);
  return { summaries: forThread(summaries), weeklyActual, holdoutDays, customers: summaries.length };
}

function backtestReport(options: { calibrationEnd: string; holdoutEnd: string; timeUnit: TimeUnit }, customers: number, computed: BacktestComputed): BacktestReport {
  return { calibrationEnd: options.calibrationEnd, holdoutEnd: options.holdoutEnd, timeUnit: options.timeUnit, customers, ...computed };
}

export async function runBacktest(
  storage: Storage, storeId: string,
  options: { calibrationEnd: string; holdoutEnd: string; timeUnit?: TimeUnit; model?: ModelChoice; currency?: string },
  onProgress?: OnProgress,
): Promise<BacktestReport> {
  const period = { calibrationEnd: options.calibrationEnd, holdoutEnd: options.holdoutEnd, timeUnit: options.timeUnit ?? 'week' };
  const { customers, ...input } = await loadHoldout(storage, storeId, period);
  const minorPerMajor = await minorPerMajorOf(storage, storeId, options.currency);
  const models: CountModelKind[] = !options.model || options.model === 'auto' ? ['bgnbd', 'pareto-nbd'] : [options.model];
  const computed = await runInThread({ task: 'backtest', input, models, minorPerMajor }, onProgress);
  return backtestReport(period, customers, computed);
}

export async function saveBacktest(storage: Storage, storeId: string, report: BacktestReport, fitId: string | null): Promise<string> {
  const id = randomUUID();
  await repository.insertBacktest(storage, {
    store_id: storeId, id, fit_id: fitId, calibration_end: report.calibrationEnd, holdout_end: report.holdoutEnd,
    time_unit: report.timeUnit, model: report.chosen.model, report: JSON.stringify(report), created_at: new Date(),
  });
  return id;
}

/**
 * The refit: backtest on a holdout of the last third of the history (28–365 days) to choose the
 * model, then fit the chosen model and Gamma-Gamma on all orders up to `asOf`, score every
 * customer and store the lot. The data is read here; the fitting and scoring run in a worker
 * thread (`fit-runner.ts`), so the process keeps serving requests meanwhile.
 */
export async function fitAndScore(storage: Storage, storeId: string, options: FitOptions = {}, onProgress?: OnProgress): Promise<FitReport> {
  const timeUnit = options.timeUnit ?? 'week';
  if (options.asOf) refuseFuture(options.asOf, 'asOf', 'a fit as of a day to come would age every customer to that day and mark them at risk');
  const asOf = options.asOf ?? (await lastOrderDay(storage, storeId));
  if (!asOf) return { status: 'insufficient', asOf: new Date().toISOString().slice(0, 10), timeUnit, customers: 0, missing: ['orders from customers'] };
  const summaries = await customerSummaries(storage, storeId, { calibrationEnd: asOf, timeUnit });
  const history = historyDays(summaries);
  const missing = missingData(summaries, history);
  if (missing.length) {
    await recordInsufficient(storage, storeId, asOf, timeUnit, summaries.length, missing);
    return { status: 'insufficient', asOf, timeUnit, customers: summaries.length, missing };
  }
  const holdoutDays = Math.min(365, Math.max(minimums.holdoutDays, Math.round(history / 3)));
  const period = { calibrationEnd: addDays(asOf, -holdoutDays), holdoutEnd: asOf, timeUnit };
  let holdout: (HoldoutInput & { customers: number }) | undefined;
  let skipped: string | undefined;
  try {
    holdout = await loadHoldout(storage, storeId, period);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    skipped = `${error.message}: ${error.details.map((d) => d.reason).join('; ')}`;
  }
  const minorPerMajor = await minorPerMajorOf(storage, storeId, options.currency);
  const customerIds = summaries.customerId;
  const computed = await runInThread({
    task: 'refit',
    input: {
      summaries: forThread(summaries), holdout: holdout && { summaries: holdout.summaries, weeklyActual: holdout.weeklyActual, holdoutDays: holdout.holdoutDays },
      model: options.model ?? 'auto', minorPerMajor, annualDiscountRate: options.annualDiscountRate ?? 0.1,
    },
  }, onProgress);
  const writeStarted = performance.now();
  const id = randomUUID();
  const now = new Date();
  await repository.replacePredictions(storage, storeId, id, asOf, customerIds, computed.scores, now);
  const backtest = holdout && computed.backtest ? backtestReport(period, holdout.customers, computed.backtest) : { skipped: skipped ?? 'no backtest' };
  const report: FitReport = {
    status: 'ok', id, asOf, timeUnit, model: computed.model, reason: computed.reason, count: computed.count, spend: computed.spend, backtest,
    customers: customerIds.length, scored: customerIds.length,
    seconds: { fit: computed.seconds.fit, score: computed.seconds.score + (performance.now() - writeStarted) / 1000 },
  };
  await repository.insertFit(storage, {
    store_id: storeId, id, status: 'ok', model: computed.model, time_unit: timeUnit, as_of: asOf, params: JSON.stringify(computed.count.params),
    spend_params: computed.spend ? JSON.stringify(computed.spend.params) : null, log_likelihood: computed.count.logLikelihood, customers: customerIds.length,
    converged: computed.count.converged, report: JSON.stringify(report), created_at: now,
  });
  if ('metrics' in backtest) await saveBacktest(storage, storeId, backtest, id);
  return report;
}

async function recordInsufficient(storage: Storage, storeId: string, asOf: string, timeUnit: TimeUnit, customers: number, missing: string[]): Promise<void> {
  await repository.insertFit(storage, {
    store_id: storeId, id: randomUUID(), status: 'insufficient', model: null, time_unit: timeUnit, as_of: asOf, params: null,
    spend_params: null, log_likelihood: null, customers, converged: false,
    report: JSON.stringify({ status: 'insufficient', asOf, timeUnit, customers, missing }), created_at: new Date(),
  });
}

/** The current fit with its backtest, as stored; undefined before the first fit. */
export async function currentModel(storage: Storage, storeId: string): Promise<{ fit: FitReport; backtest: BacktestReport | undefined } | undefined> {
  const fit = await repository.latestFit(storage, storeId);
  if (!fit) return undefined;
  const backtest = await repository.latestBacktest(storage, storeId);
  return { fit: JSON.parse(fit.report) as FitReport, backtest: backtest ? (JSON.parse(backtest.report) as BacktestReport) : undefined };
}

export async function predictionFor(storage: Storage, storeId: string, customerId: number) {
  const row = await repository.customerPrediction(storage, storeId, customerId);
  if (!row) throw new AppError('not_found', `No prediction for customer ${customerId}: the customer has no order yet, or the models have not been fitted`);
  return row;
}

export { listPredictions, churnRiskCounts } from './predictions.repository.js';
