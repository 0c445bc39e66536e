/**
 * One interface over the two purchase-count models, so scoring and the backtest do not care which
 * one a store uses. Every expression is in the fit's time unit.
 */
import {
  bgnbdAliveExpectation, bgnbdExpectation, bgnbdPAlive, bgnbdTimeToNextPurchase, fitBgNbd, type BgNbdParams,
} from './bgnbd.js';
import {
  fitParetoNbd, paretoNbdAliveExpectation, paretoNbdAlivePurchaseProbability, paretoNbdExpectation, paretoNbdPAlive,
  paretoNbdTimeToNextPurchase, type FitLimits, type ParetoNbdParams,
} from './pareto-nbd.js';
import type { ModelFit } from './fit-result.js';
import type { RecencyFrequency } from './rf-data.js';
import type { CountModelKind } from '../predictions.table.js';

export type { CountModelKind };

export type CountModel =
  | { kind: 'bgnbd'; params: BgNbdParams }
  | { kind: 'pareto-nbd'; params: ParetoNbdParams };

export type CountFit = ModelFit<BgNbdParams> | ModelFit<ParetoNbdParams>;

/** `limits` bound the Pareto/NBD search; BG/NBD has an analytic gradient and a cheap likelihood and needs none. */
export function fitCountModel(kind: CountModelKind, data: RecencyFrequency, limits: FitLimits = {}): { model: CountModel; fit: CountFit } {
  if (kind === 'bgnbd') {
    const fit = fitBgNbd(data);
    return { model: { kind, params: fit.params }, fit };
  }
  const fit = fitParetoNbd(data, limits);
  return { model: { kind, params: fit.params }, fit };
}

export function pAlive(model: CountModel, x: number, tx: number, T: number): number {
  return model.kind === 'bgnbd' ? bgnbdPAlive(model.params, x, tx, T) : paretoNbdPAlive(model.params, x, tx, T);
}

/** Expected purchases in (T, T+t] for a customer who is still active (depends on x and T only). */
export function aliveExpectation(model: CountModel, x: number, T: number, t: number): number {
  return model.kind === 'bgnbd' ? bgnbdAliveExpectation(model.params, x, T, t) : paretoNbdAliveExpectation(model.params, x, T, t);
}

/** P(at least one purchase in (T, T+t]) for a customer who is still active. */
export function alivePurchaseProbability(model: CountModel, x: number, T: number, t: number): number {
  if (model.kind === 'bgnbd') {
    const { r, alpha } = model.params;
    return 1 - Math.exp((r + x) * Math.log((alpha + T) / (alpha + T + t)));
  }
  return paretoNbdAlivePurchaseProbability(model.params, x, T, t);
}

/** Time until P(a purchase) reaches one half, within `horizon`; undefined when it does not. */
export function timeToNextPurchase(model: CountModel, x: number, tx: number, T: number, horizon: number): number | undefined {
  if (model.kind === 'bgnbd') {
    const t = bgnbdTimeToNextPurchase(model.params, x, tx, T);
    return t !== undefined && t <= horizon ? t : undefined;
  }
  return paretoNbdTimeToNextPurchase(model.params, x, tx, T, horizon);
}

/** Expected repeat purchases in (0, t] for a customer just acquired. */
export function newCustomerExpectation(model: CountModel, t: number): number {
  return model.kind === 'bgnbd' ? bgnbdExpectation(model.params, t) : paretoNbdExpectation(model.params, t);
}
