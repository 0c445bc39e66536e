/**
 * A/A simulations: the people of a real store, with their real outcomes, split at random into
 * "treated" and "holdout" many times over — no treatment, so every true difference is zero. A
 * correct 95 % interval covers zero in about 95 % of the splits, and an always-valid monitor that
 * looks after every day of enrolment rejects in at most 5 % of them.
 */
import { addPerson, emptyArmSums, type ArmSums } from './arm-sums.js';
import { compare, type OutcomeKind } from './compare.js';
import { seededRandom } from '../random.js';

export interface Population {
  kind: OutcomeKind;
  /** Each person's outcome. */
  y: Float64Array;
  /** Each person's pre-period covariates, one array per covariate. */
  x: Float64Array[];
  /** Each person's day of eligibility (0, 1, …), for monitoring in order of enrolment. */
  day: Int32Array;
}

export interface SimulationOptions {
  runs: number;
  holdoutShare: number;
  seed: number;
  /** Add this true difference to every treated person's outcome (0 for A/A; means only). */
  effect?: number;
  /** Look at the always-valid interval after each day of enrolment. */
  peek?: boolean;
  alpha?: number;
}

export interface SimulationResult {
  runs: number;
  /** Share of runs whose interval contains the true difference. */
  coverage: number;
  cuped_coverage: number;
  /** Share of runs whose interval excludes zero (false positives when effect = 0, power otherwise). */
  rejections: number;
  cuped_rejections: number;
  mean_width: number;
  cuped_mean_width: number;
  mean_variance_reduction: number;
  /** Share of runs in which the always-valid interval excluded zero on any day (null without peeking). */
  peeking_rejections: number | null;
  /** The same for the fixed-horizon interval looked at every day, to show why monitoring needs it. */
  naive_peeking_rejections: number | null;
}

export function simulate(population: Population, options: SimulationOptions): SimulationResult {
  const { runs, holdoutShare, seed } = options;
  const effect = options.effect ?? 0;
  if (effect !== 0 && population.kind === 'proportion') throw new RangeError('a planted effect needs an outcome that is a mean');
  const alpha = options.alpha ?? 0.05;
  const next = seededRandom(seed);
  const size = population.y.length;
  const k = population.x.length;
  // People in order of their day, with the index where each day ends.
  const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => population.day[a]! - population.day[b]!);
  const dayEnds: number[] = [];
  for (let i = 1; i <= size; i += 1) if (i === size || population.day[order[i]!] !== population.day[order[i - 1]!]) dayEnds.push(i);

  const covers = (low: number, high: number) => low <= effect && effect <= high;
  const x = new Array<number>(k);
  let covered = 0, cupedCovered = 0, rejected = 0, cupedRejected = 0, width = 0, cupedWidth = 0, reduction = 0, peeked = 0, naive = 0;
  for (let run = 0; run < runs; run += 1) {
    const treated: ArmSums = emptyArmSums(k);
    const control: ArmSums = emptyArmSums(k);
    let everRejected = false;
    let everNaive = false;
    let next_end = 0;
    for (let i = 0; i < size; i += 1) {
      const person = order[i]!;
      for (let j = 0; j < k; j += 1) x[j] = population.x[j]![person]!;
      if (next() < holdoutShare) addPerson(control, population.y[person]!, x);
      else addPerson(treated, population.y[person]! + effect, x);
      if (options.peek && i + 1 === dayEnds[next_end]) {
        next_end += 1;
        if (i + 1 < size && !everRejected && treated.n >= 30 && control.n >= 30) {
          const look = compare(population.kind, treated, control, { alpha, monitoring: true });
          if (look.always_valid.interval.low > 0 || look.always_valid.interval.high < 0) everRejected = true;
          if (look.interval.low > 0 || look.interval.high < 0) everNaive = true;
        }
      }
    }
    const result = compare(population.kind, treated, control, { alpha, monitoring: false });
    if (covers(result.interval.low, result.interval.high)) covered += 1;
    if (result.interval.low > 0 || result.interval.high < 0) rejected += 1;
    width += result.interval.high - result.interval.low;
    const adjusted = result.cuped ?? { interval: result.interval, variance_reduction: 0 };
    if (covers(adjusted.interval.low, adjusted.interval.high)) cupedCovered += 1;
    if (adjusted.interval.low > 0 || adjusted.interval.high < 0) cupedRejected += 1;
    cupedWidth += adjusted.interval.high - adjusted.interval.low;
    reduction += adjusted.variance_reduction;
    const last = result.always_valid.interval;
    if (everRejected || last.low > 0 || last.high < 0) peeked += 1;
    if (everNaive || result.interval.low > 0 || result.interval.high < 0) naive += 1;
  }
  return {
    runs, coverage: covered / runs, cuped_coverage: cupedCovered / runs, rejections: rejected / runs, cuped_rejections: cupedRejected / runs,
    mean_width: width / runs, cuped_mean_width: cupedWidth / runs, mean_variance_reduction: reduction / runs,
    peeking_rejections: options.peek ? peeked / runs : null, naive_peeking_rejections: options.peek ? naive / runs : null,
  };
}
