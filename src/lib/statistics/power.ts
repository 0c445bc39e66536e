/**
 * How many people an experiment needs, and so how long it must run, to see a difference of a given
 * size: the normal-approximation sample size for two independent groups of unequal size,
 *   N = (z₁₋α/₂ + z_power)² · (σ₁² / (1 − h) + σ₀² / h) / δ²,
 * with h the holdout share, σ₁² and σ₀² the per-person variances of treated and control (p(1 − p)
 * for proportions, with p₁ = p₀ + δ), and δ the difference. It is the N at which δ is
 * (z₁₋α/₂ + z_power) unpooled standard errors away from zero, the same standard error the results
 * use. For proportions the results use Newcombe's interval, which is wider than the normal one at
 * retail rates, so N is then the smallest size at which δ clears Newcombe's lower half-width —
 * evaluated at the expected rates — by z_power standard errors. The tests check by simulation that
 * experiments of the planned size detect δ at the stated power.
 */
import { wilson } from './intervals.js';
import { normalCdf, normalQuantile } from './normal.js';
import type { OutcomeKind } from './compare.js';

export interface PowerInput {
  kind: OutcomeKind;
  /** The control group's expected outcome: a rate for proportions, a mean for means. */
  baseline_mean: number;
  /** Per-person standard deviation; required for means. */
  baseline_sd?: number;
  holdout_share: number;
  /** People who become eligible per day. */
  eligible_per_day: number;
  /** The absolute difference to detect (points as a fraction for proportions). */
  minimum_effect: number;
  /** Days after eligibility over which the outcome is counted. */
  window_days: number;
  power?: number;
  alpha?: number;
}

export interface PowerPlan {
  /** Everyone eligible, treated and held out together. */
  people_needed: number;
  holdout_needed: number;
  days_to_enrol: number;
  /** Enrolment plus the last person's window. */
  days_to_result: number;
  reason: string;
}

export function powerPlan(input: PowerInput): PowerPlan {
  const { kind, baseline_mean: p0, holdout_share: h, eligible_per_day: rate, minimum_effect: delta, window_days: window } = input;
  const power = input.power ?? 0.8;
  const alpha = input.alpha ?? 0.05;
  if (!(h > 0 && h < 1)) throw new RangeError('holdout_share must be between 0 and 1');
  if (!(delta !== 0 && Number.isFinite(delta))) throw new RangeError('minimum_effect must be a non-zero number');
  if (!(rate > 0)) throw new RangeError('eligible_per_day must be above 0');
  if (!(power > 0 && power < 1) || !(alpha > 0 && alpha < 1)) throw new RangeError('power and alpha must be between 0 and 1');
  let treatedVariance: number;
  let controlVariance: number;
  if (kind === 'proportion') {
    const p1 = p0 + delta;
    if (!(p0 >= 0 && p0 <= 1) || !(p1 > 0 && p1 < 1)) throw new RangeError('baseline_mean plus minimum_effect must be a rate between 0 and 1');
    treatedVariance = p1 * (1 - p1);
    controlVariance = p0 * (1 - p0);
  } else {
    const sd = input.baseline_sd;
    if (sd === undefined || !(sd > 0)) throw new RangeError('baseline_sd must be above 0 for a mean');
    treatedVariance = controlVariance = sd * sd;
  }
  const z = normalQuantile(1 - alpha / 2);
  const zSum = z + normalQuantile(power);
  let people = Math.ceil((zSum * zSum * (treatedVariance / (1 - h) + controlVariance / h)) / (delta * delta));
  if (kind === 'proportion') people = newcombeSize(p0, p0 + delta, h, z, power, people);
  const daysToEnrol = Math.ceil(people / rate);
  const holdout = Math.ceil(people * h);
  const effect = kind === 'proportion' ? `${(Math.abs(delta) * 100).toFixed(2)} points` : `${Math.abs(delta)}`;
  return {
    people_needed: people, holdout_needed: holdout, days_to_enrol: daysToEnrol, days_to_result: daysToEnrol + Math.ceil(window),
    reason: `To see a difference of ${effect} ${Math.round(power * 100)} % of the time it needs about ${people.toLocaleString('en-US')} people `
      + `(${holdout.toLocaleString('en-US')} held out): ${daysToEnrol.toLocaleString('en-US')} days of enrolment at ${rate} a day, `
      + `then ${Math.ceil(window)} days for the last window to close.`,
  };
}

/** The smallest N at which Newcombe's interval at the expected rates excludes zero with the given power. */
function newcombeSize(p0: number, p1: number, h: number, z: number, power: number, normalSize: number): number {
  const [high, low] = p1 > p0 ? [p1, p0] : [p0, p1];
  const detects = (n: number) => {
    const n1 = n * (1 - h);
    const n0 = n * h;
    // The side of the interval that must clear zero: from the larger rate down, the smaller up.
    const [nHigh, nLow] = p1 > p0 ? [n1, n0] : [n0, n1];
    const half = Math.sqrt((high - wilson(high * nHigh, nHigh, z).low) ** 2 + (wilson(low * nLow, nLow, z).high - low) ** 2);
    const se = Math.sqrt((high * (1 - high)) / nHigh + (low * (1 - low)) / nLow);
    return normalCdf((high - low - half) / se) >= power;
  };
  let lo = Math.max(2, Math.floor(normalSize / 4));
  let hi = normalSize;
  while (!detects(hi)) hi *= 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (detects(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
