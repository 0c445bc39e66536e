/**
 * The calibration report: fit on the calibration period, forecast the holdout period, compare.
 * The comparisons are the ones of FHL (2005) §4 — aggregate tracking by week and conditional
 * expectations by calibration frequency — plus per-customer error, a reliability curve for
 * P(≥ 1 order) with its Brier score, and the spend forecast's error.
 */
import { aliveExpectation, alivePurchaseProbability, pAlive, type CountModel } from './models/count-model.js';
import { gammaGammaExpectedSpend, type GammaGammaParams } from './models/gamma-gamma.js';
import { daysPerUnit, type CustomerSummaries } from './summaries.js';

export interface BacktestMetrics {
  model: CountModel['kind'];
  /** Predicted and actual repeat orders (purchase days) of the calibration customers, by holdout week. */
  weekly: { week: number; predicted: number; actual: number }[];
  totalPredicted: number;
  totalActual: number;
  /** Mean predicted and actual holdout orders by number of repeat orders in calibration (7 = 7+). */
  byFrequency: { x: number; customers: number; predicted: number; actual: number }[];
  /** Mean absolute error of holdout orders per customer. */
  mae: number;
  /** Pearson correlation of predicted and actual holdout orders per customer. */
  correlation: number;
  /** P(≥ 1 order in the holdout): deciles of the prediction, mean predicted vs observed share. */
  reliability: { decile: number; customers: number; predicted: number; observed: number }[];
  brier: number;
  /** Spend: customers with a holdout order; predicted vs actual mean order value (major units). */
  spend: { customers: number; meanAbsoluteError: number; meanError: number; predictedRevenue: number; actualRevenue: number } | undefined;
}

export interface HoldoutActuals {
  summaries: Omit<CustomerSummaries, 'customerId'>;
  weeklyActual: number[];
  holdoutDays: number;
}

export function backtestModel(
  model: CountModel,
  { summaries, weeklyActual, holdoutDays }: HoldoutActuals,
  spend: GammaGammaParams | undefined,
  minorPerMajor: number,
): BacktestMetrics {
  const unit = daysPerUnit(summaries.timeUnit);
  const n = summaries.length;
  const horizon = holdoutDays / unit;
  const weeks = weeklyActual.length;
  // Per distinct (x, T): cumulative expectation at each week end and the holdout purchase probability.
  const pairs = new Map<string, { cumulative: number[]; probability: number }>();
  const predicted = new Float64Array(n);
  const probability = new Float64Array(n);
  const weeklyPredicted = new Array<number>(weeks).fill(0);
  for (let i = 0; i < n; i += 1) {
    const x = summaries.x[i]!;
    const T = summaries.T[i]!;
    const key = `${x}|${T}`;
    let pair = pairs.get(key);
    if (!pair) {
      const cumulative = Array.from({ length: weeks }, (_, w) => aliveExpectation(model, x, T, Math.min((w + 1) * 7, holdoutDays) / unit));
      pair = { cumulative, probability: alivePurchaseProbability(model, x, T, horizon) };
      pairs.set(key, pair);
    }
    const alive = pAlive(model, x, summaries.tx[i]!, T);
    predicted[i] = alive * (pair.cumulative[weeks - 1] ?? aliveExpectation(model, x, T, horizon));
    probability[i] = alive * pair.probability;
    let previous = 0;
    for (let w = 0; w < weeks; w += 1) {
      weeklyPredicted[w]! += alive * (pair.cumulative[w]! - previous);
      previous = pair.cumulative[w]!;
    }
  }
  const actual = summaries.holdoutPurchases;

  let absolute = 0;
  let brier = 0;
  for (let i = 0; i < n; i += 1) {
    absolute += Math.abs(predicted[i]! - actual[i]!);
    brier += (probability[i]! - (actual[i]! > 0 ? 1 : 0)) ** 2;
  }

  const byFrequency = Array.from({ length: 8 }, (_, x) => ({ x, customers: 0, predicted: 0, actual: 0 }));
  for (let i = 0; i < n; i += 1) {
    const bucket = byFrequency[Math.min(summaries.x[i]!, 7)]!;
    bucket.customers += 1;
    bucket.predicted += predicted[i]!;
    bucket.actual += actual[i]!;
  }
  for (const bucket of byFrequency) {
    if (bucket.customers) { bucket.predicted /= bucket.customers; bucket.actual /= bucket.customers; }
  }

  const order = [...probability.keys()].sort((a, b) => probability[a]! - probability[b]!);
  const reliability = Array.from({ length: 10 }, (_, d) => {
    const slice = order.slice(Math.floor((d * n) / 10), Math.floor(((d + 1) * n) / 10));
    const mean = (values: number[]) => (values.length ? values.reduce((s, v) => s + v, 0) / values.length : 0);
    return {
      decile: d + 1,
      customers: slice.length,
      predicted: mean(slice.map((i) => probability[i]!)),
      observed: mean(slice.map((i) => (actual[i]! > 0 ? 1 : 0))),
    };
  });

  return {
    model: model.kind,
    weekly: weeklyPredicted.map((p, w) => ({ week: w + 1, predicted: p, actual: weeklyActual[w]! })),
    totalPredicted: predicted.reduce((s, v) => s + v, 0),
    totalActual: actual.reduce((s, v) => s + v, 0),
    byFrequency: byFrequency.filter((b) => b.customers > 0),
    mae: n ? absolute / n : NaN,
    correlation: pearson(predicted, actual),
    reliability,
    brier: n ? brier / n : NaN,
    spend: spend ? spendError(summaries, predicted, spend, minorPerMajor) : undefined,
  };
}

function spendError(s: Omit<CustomerSummaries, 'customerId'>, predictedOrders: Float64Array, spend: GammaGammaParams, minorPerMajor: number): BacktestMetrics['spend'] {
  let customers = 0;
  let absolute = 0;
  let signed = 0;
  let predictedRevenue = 0;
  let actualRevenue = 0;
  for (let i = 0; i < s.length; i += 1) {
    const expected = gammaGammaExpectedSpend(spend, s.x[i]!, s.meanRepeatValue[i]! / minorPerMajor);
    predictedRevenue += predictedOrders[i]! * expected;
    actualRevenue += s.holdoutValue[i]! / minorPerMajor;
    if (s.holdoutPurchases[i]! > 0) {
      const actualMean = s.holdoutValue[i]! / s.holdoutPurchases[i]! / minorPerMajor;
      customers += 1;
      absolute += Math.abs(expected - actualMean);
      signed += expected - actualMean;
    }
  }
  return { customers, meanAbsoluteError: customers ? absolute / customers : NaN, meanError: customers ? signed / customers : NaN, predictedRevenue, actualRevenue };
}

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i += 1) { ma += a[i]! / n; mb += b[i]! / n; }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i += 1) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/** Whether a model's calibration fit converged, and if not, why. */
export interface FitConvergence { model: CountModel['kind']; converged: boolean; note?: string }

/**
 * Automatic model choice: the lower per-customer MAE on the holdout wins; within 1 % of each other
 * the simpler-to-score BG/NBD is kept. A model whose fit did not converge never wins over one
 * whose fit did: its parameters are not a maximum of the likelihood, so its forecast is luck.
 * Returns the winner and a sentence saying why.
 */
export function chooseModel(results: BacktestMetrics[], convergence: FitConvergence[] = []): { model: CountModel['kind']; reason: string } {
  const status = (m: BacktestMetrics): FitConvergence | undefined => convergence.find((c) => c.model === m.model);
  const converged = results.filter((m) => status(m)?.converged ?? true);
  const because = (m: BacktestMetrics): string => {
    const note = status(m)?.note;
    return note ? ` (${label(m.model)}: ${note.replace(/\.$/, '').replace(/^The /, 'the ')})` : '';
  };
  if (converged.length > 0 && converged.length < results.length) {
    const chosen = chooseByError(converged);
    const dropped = results.filter((m) => !converged.includes(m));
    const mae = dropped.map((m) => `${m.mae.toFixed(3)} for ${label(m.model)}`).join(', ');
    return {
      model: chosen.model,
      reason: `${label(chosen.model)} was chosen: its fit converged and ${dropped.map((m) => label(m.model)).join(' and ')}'s did not, so that model was not used whatever its holdout error (MAE ${chosen.winner.mae.toFixed(3)} vs ${mae} orders per customer)${dropped.map(because).join('')}.`,
    };
  }
  const chosen = chooseByError(results);
  if (converged.length === 0) {
    return { model: chosen.model, reason: `${chosen.reason} No model's fit converged, so treat the predictions with caution${results.map(because).join('')}.` };
  }
  return { model: chosen.model, reason: chosen.reason };
}

function chooseByError(results: BacktestMetrics[]): { model: CountModel['kind']; reason: string; winner: BacktestMetrics } {
  const [first, second] = [...results].sort((a, b) => a.mae - b.mae);
  if (!first) throw new Error('no backtest to choose from');
  if (!second) return { model: first.model, reason: `${label(first.model)} was the only model fitted.`, winner: first };
  const bg = results.find((r) => r.model === 'bgnbd');
  const close = Math.abs(first.mae - second.mae) <= 0.01 * second.mae;
  const winner = close && bg ? bg : first;
  const other = results.find((r) => r !== winner)!;
  const because = close
    ? `both forecast the holdout equally well (MAE ${winner.mae.toFixed(3)} vs ${other.mae.toFixed(3)} orders per customer), and BG/NBD is kept on a tie`
    : `its holdout forecast was closer (MAE ${winner.mae.toFixed(3)} vs ${other.mae.toFixed(3)} orders per customer; total ${winner.totalPredicted.toFixed(0)} vs ${other.totalPredicted.toFixed(0)} predicted, ${winner.totalActual} actual)`;
  return { model: winner.model, reason: `${label(winner.model)} was chosen: ${because}.`, winner };
}

const label = (kind: CountModel['kind']): string => (kind === 'bgnbd' ? 'BG/NBD' : 'Pareto/NBD');
