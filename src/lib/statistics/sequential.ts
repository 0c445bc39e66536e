/**
 * An always-valid interval for a difference that people look at every day: the mixture sequential
 * probability ratio test (H. Robbins, "Statistical methods related to the law of the iterated
 * logarithm", Ann. Math. Statist. 41 (1970) 1397–1409), in the form used for A/B tests by R. Johari,
 * P. Koomen, L. Pekelis, D. Walsh, "Peeking at A/B Tests", KDD 2017, §4 (normal mixture, eq. 11).
 *
 * With the estimate θ̂ ~ N(θ, V) and a normal mixture θ ~ N(0, τ²) over the alternatives, the
 * likelihood ratio against θ = θ₀ is
 *   Λ = √(V / (V + τ²)) · exp( (θ̂ − θ₀)² τ² / (2 V (V + τ²)) ),
 * a martingale under θ₀; by Ville's inequality P(Λ ever ≥ 1/α) ≤ α, however often one looks. The
 * values of θ₀ not rejected form the confidence sequence
 *   |θ̂ − θ₀| < √( V (V + τ²) / τ² · (2 ln(1/α) + ln((V + τ²) / V)) ),
 * and 1/Λ at θ₀ = 0 is an always-valid p-value.
 *
 * τ² sets where the interval is tightest. It is fixed per person, τ² = σ² · 2 / TUNED_PEOPLE (σ² the
 * pooled variance of one person's outcome), so the interval is narrowest around TUNED_PEOPLE people
 * per group: the size of a small store's holdout, where a verdict matters most.
 */
import type { Interval } from './intervals.js';

/** The group size the mixture is tuned for. */
export const TUNED_PEOPLE = 500;

export interface AlwaysValid {
  interval: Interval;
  pValue: number;
}

/**
 * `variancePerPerson` is σ² of one person's outcome; `inverseSizes` is 1/n_treated + 1/n_control, so
 * V = σ² · inverseSizes.
 */
export function alwaysValid(difference: number, variancePerPerson: number, inverseSizes: number, alpha = 0.05): AlwaysValid {
  const v = variancePerPerson * inverseSizes;
  const tau2 = (variancePerPerson * 2) / TUNED_PEOPLE;
  if (!(v > 0) || !(tau2 > 0)) return { interval: { low: difference, high: difference }, pValue: v > 0 || difference === 0 ? 1 : 0 };
  const half = Math.sqrt(((v * (v + tau2)) / tau2) * (2 * Math.log(1 / alpha) + Math.log((v + tau2) / v)));
  const logLambda = 0.5 * Math.log(v / (v + tau2)) + (difference * difference * tau2) / (2 * v * (v + tau2));
  return { interval: { low: difference - half, high: difference + half }, pValue: Math.min(1, Math.exp(-logLambda)) };
}
