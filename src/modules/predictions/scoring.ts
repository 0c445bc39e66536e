/**
 * Per-customer predictions from a fitted count model and spend model. Everything that depends on
 * (x, T) only — the conditional expectations of FHL (2005) eq. (10) or the Pareto/NBD note §6 —
 * is computed once per distinct (x, T), and P(alive) once per distinct (x, t_x, T); customers
 * then combine those with their own spend. This is what makes a million customers cheap.
 */
import { aliveExpectation, alivePurchaseProbability, pAlive, timeToNextPurchase, type CountModel } from './models/count-model.js';
import { gammaGammaExpectedSpend, type GammaGammaParams } from './models/gamma-gamma.js';
import { compress } from './models/rf-data.js';
import { daysPerUnit, type TimeUnit } from './summaries.js';
import { churnRisks, type ChurnRisk } from './predictions.table.js';

/** The windows a store owner reads, in days. */
export const windows = [30, 90, 365] as const;

/** Churn-risk bands on the probability of at least one order in the next 365 days. */
export const churnBands = { low: 0.5, high: 0.2 } as const;
export type { ChurnRisk };

export function churnRiskOf(probabilityOfOrderInYear: number): ChurnRisk {
  if (probabilityOfOrderInYear >= churnBands.low) return 'low';
  if (probabilityOfOrderInYear < churnBands.high) return 'high';
  return 'medium';
}

export interface ScoringInput {
  x: ArrayLike<number>;
  tx: ArrayLike<number>;
  T: ArrayLike<number>;
  /** Mean repeat order value in minor units (0 when x = 0). */
  meanRepeatValue: ArrayLike<number>;
  length: number;
}

export interface ScoringOptions {
  timeUnit: TimeUnit;
  /** Yearly discount rate for CLV, applied monthly: (1 + d)^(1/12) − 1 per month. */
  annualDiscountRate: number;
  /** Gamma-Gamma parameters in major units, and the factor from minor to major units. */
  spend: GammaGammaParams | undefined;
  minorPerMajor: number;
}

export interface Scores {
  pAlive: Float64Array;
  expected30: Float64Array;
  expected90: Float64Array;
  expected365: Float64Array;
  probability30: Float64Array;
  probability90: Float64Array;
  probability365: Float64Array;
  /** Expected value of a future order, minor units (NaN without a spend model). */
  expectedOrderValue: Float64Array;
  /** Discounted value of the next 12 months' orders, minor units (NaN without a spend model). */
  clv12: Float64Array;
  /** Days from the scoring date to the 50 % point of the next order; NaN when beyond a year. */
  daysToNextOrder: Float64Array;
  churnRisk: Uint8Array;
}

export const churnRiskNames: readonly ChurnRisk[] = churnRisks;

export function scoreCustomers(model: CountModel, input: ScoringInput, options: ScoringOptions): Scores {
  const unit = daysPerUnit(options.timeUnit);
  const month = 365 / 12;
  // Horizons in the fit's unit: the three windows, then 12 month ends for CLV.
  const horizons = [...windows.map((d) => d / unit), ...Array.from({ length: 12 }, (_, m) => ((m + 1) * month) / unit)];
  const monthlyDiscount = Math.pow(1 + options.annualDiscountRate, 1 / 12) - 1;

  const triples = compress(input.x, input.tx, input.T);
  const tripleAlive = new Float64Array(triples.length);
  const tripleNext = new Float64Array(triples.length);
  // Per distinct (x, T): expectations at every horizon and purchase probabilities at the windows.
  const pairSlot = new Map<string, number>();
  const pairOfTriple = new Int32Array(triples.length);
  const pairValues: number[][] = [];
  for (let i = 0; i < triples.length; i += 1) {
    const x = triples.x[i]!;
    const T = triples.T[i]!;
    tripleAlive[i] = pAlive(model, x, triples.tx[i]!, T);
    const next = timeToNextPurchase(model, x, triples.tx[i]!, T, 365 / unit);
    tripleNext[i] = next === undefined ? NaN : next * unit;
    const key = `${x}|${T}`;
    let slot = pairSlot.get(key);
    if (slot === undefined) {
      slot = pairValues.length;
      pairSlot.set(key, slot);
      pairValues.push([
        ...horizons.map((t) => aliveExpectation(model, x, T, t)),
        ...windows.map((d) => alivePurchaseProbability(model, x, T, d / unit)),
      ]);
    }
    pairOfTriple[i] = slot;
  }

  const n = input.length;
  const scores: Scores = {
    pAlive: new Float64Array(n), expected30: new Float64Array(n), expected90: new Float64Array(n), expected365: new Float64Array(n),
    probability30: new Float64Array(n), probability90: new Float64Array(n), probability365: new Float64Array(n),
    expectedOrderValue: new Float64Array(n), clv12: new Float64Array(n), daysToNextOrder: new Float64Array(n), churnRisk: new Uint8Array(n),
  };
  const spend = options.spend;
  const discount = Array.from({ length: 12 }, (_, m) => Math.pow(1 + monthlyDiscount, -(m + 1)));
  for (let i = 0; i < n; i += 1) {
    const triple = triples.index[i]!;
    const alive = tripleAlive[triple]!;
    const values = pairValues[pairOfTriple[triple]!]!;
    scores.pAlive[i] = alive;
    scores.expected30[i] = alive * values[0]!;
    scores.expected90[i] = alive * values[1]!;
    scores.expected365[i] = alive * values[2]!;
    scores.probability30[i] = alive * values[15]!;
    scores.probability90[i] = alive * values[16]!;
    scores.probability365[i] = alive * values[17]!;
    scores.daysToNextOrder[i] = tripleNext[triple]!;
    scores.churnRisk[i] = churnRiskNames.indexOf(churnRiskOf(alive * values[17]!));
    if (!spend) {
      scores.expectedOrderValue[i] = NaN;
      scores.clv12[i] = NaN;
      continue;
    }
    const x = input.x[i]!;
    const value = gammaGammaExpectedSpend(spend, x, input.meanRepeatValue[i]! / options.minorPerMajor) * options.minorPerMajor;
    scores.expectedOrderValue[i] = value;
    let clv = 0;
    let previous = 0;
    for (let m = 0; m < 12; m += 1) {
      const cumulative = values[3 + m]!;
      clv += (cumulative - previous) * discount[m]!;
      previous = cumulative;
    }
    scores.clv12[i] = alive * clv * value;
  }
  return scores;
}
