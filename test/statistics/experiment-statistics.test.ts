/**
 * The statistics of experiments, checked the way the docs state them: CUPED against an independent
 * least-squares fit; calibration by A/A simulation on a store-like population (95 % intervals cover
 * zero 93–97 % of the time, CUPED narrower and still calibrated, the always-valid monitor rejects in
 * at most 5 % of experiments looked at every day); planted effects recovered; the power calculator's
 * sample sizes detect their effect at the stated power.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/lib/random.js';
import {
  addPerson, compare, emptyArmSums, incremental, powerPlan, proportionDifference, simulate, sumIncrementals, type ArmSums,
} from '../../src/lib/statistics/index.js';
import { syntheticStore } from './store-population.js';

/** Least squares by the normal equations, written separately from the library's solver. */
function leastSquares(rows: number[][], y: number[]): number[] {
  const p = rows[0]!.length;
  const a = Array.from({ length: p }, () => new Array<number>(p + 1).fill(0));
  rows.forEach((row, i) => {
    for (let j = 0; j < p; j += 1) {
      for (let k = 0; k < p; k += 1) a[j]![k]! += row[j]! * row[k]!;
      a[j]![p]! += row[j]! * y[i]!;
    }
  });
  // Gauss–Jordan without pivoting: the matrix is positive definite.
  for (let c = 0; c < p; c += 1) {
    for (let r = 0; r < p; r += 1) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= p; k += 1) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return a.map((row, i) => row[p]! / row[i]!);
}

describe('CUPED', () => {
  it('equals the treatment coefficient of a least-squares fit with a group indicator, and Welch on the adjusted outcomes', () => {
    const store = syntheticStore(3_000, 30, 5);
    const next = seededRandom(9);
    const treated = emptyArmSums(2);
    const control = emptyArmSums(2);
    const rows: number[][] = [];
    const ys: number[] = [];
    const group: boolean[] = [];
    for (let i = 0; i < 3_000; i += 1) {
      const x = [store.revenue.x[0]![i]!, store.revenue.x[1]![i]!];
      const inTreated = next() >= 0.2;
      // A true effect of 5 on the treated, so the fit has something to find.
      const y = store.revenue.y[i]! + (inTreated ? 5 : 0);
      addPerson(inTreated ? treated : control, y, x);
      rows.push([1, inTreated ? 1 : 0, ...x]);
      ys.push(y);
      group.push(inTreated);
    }
    const result = compare('mean', treated, control);
    const [, effect, theta0, theta1] = leastSquares(rows, ys);
    expect(result.cuped!.difference).toBeCloseTo(effect!, 8);

    // Welch's standard error of y − θᵀx, person by person.
    const adjusted = ys.map((y, i) => y - theta0! * rows[i]![2]! - theta1! * rows[i]![3]!);
    const moments = (inGroup: boolean) => {
      const values = adjusted.filter((_, i) => group[i] === inGroup);
      const m = values.reduce((a, v) => a + v, 0) / values.length;
      return values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1) / values.length;
    };
    const se = Math.sqrt(moments(true) + moments(false));
    expect(result.cuped!.standard_error).toBeCloseTo(se, 8);
    expect(result.cuped!.variance_reduction).toBeGreaterThan(0.02);
    expect(result.cuped!.interval.high - result.cuped!.interval.low).toBeLessThan(result.interval.high - result.interval.low);
  });

  it('falls back to no adjustment when the covariates do not vary', () => {
    const treated: ArmSums = emptyArmSums(1);
    const control: ArmSums = emptyArmSums(1);
    for (let i = 0; i < 100; i += 1) addPerson(i % 4 ? treated : control, i % 3 === 0 ? 1 : 0, [2]);
    expect(compare('proportion', treated, control).cuped).toBeNull();
  });
});

describe('calibration by A/A simulation (no true effect)', () => {
  const store = syntheticStore(20_000, 60, 17);

  it.each([
    ['conversion', 'converted'],
    ['revenue per person (heavy-tailed)', 'revenue'],
  ] as const)('covers zero 93–97 %% of the time for %s, with CUPED narrower and still calibrated', (_, outcome) => {
    const population = store[outcome];
    const result = simulate(population, { runs: 1_000, holdoutShare: 0.1, seed: 3 });
    // 1,000 runs: a binomial standard deviation of 0.7 points around 95 %.
    expect(result.coverage).toBeGreaterThanOrEqual(0.93);
    expect(result.coverage).toBeLessThanOrEqual(0.97);
    expect(result.cuped_coverage).toBeGreaterThanOrEqual(0.93);
    expect(result.cuped_coverage).toBeLessThanOrEqual(0.97);
    expect(result.cuped_mean_width).toBeLessThan(result.mean_width);
    expect(result.mean_variance_reduction).toBeGreaterThan(0.05);
  });

  it('keeps the false positives of an experiment looked at every day at or under 5 % with the always-valid interval — and not without it', () => {
    const result = simulate(store.converted, { runs: 1_000, holdoutShare: 0.1, seed: 23, peek: true });
    expect(result.peeking_rejections).toBeLessThanOrEqual(0.05);
    // Looking at the fixed 95 % interval every day for 60 days calls far more than 5 % of A/A tests.
    expect(result.naive_peeking_rejections).toBeGreaterThan(0.08);
  });
});

describe('planted effects', () => {
  it('recovers a true lift in revenue per person inside its interval about 95 % of the time', () => {
    const store = syntheticStore(20_000, 60, 31);
    const result = simulate(store.revenue, { runs: 500, holdoutShare: 0.1, seed: 8, effect: 1.5 });
    expect(result.cuped_coverage).toBeGreaterThanOrEqual(0.92);
    expect(result.cuped_coverage).toBeLessThanOrEqual(0.98);
    expect(result.cuped_rejections).toBeGreaterThan(result.rejections);
  });
});

describe('power', () => {
  function binomial(n: number, p: number, next: () => number): number {
    let x = 0;
    for (let i = 0; i < n; i += 1) if (next() < p) x += 1;
    return x;
  }

  it('plans a sample that detects the effect at the stated power, checked by simulation', () => {
    const plan = powerPlan({ kind: 'proportion', baseline_mean: 0.05, minimum_effect: 0.02, holdout_share: 0.2, eligible_per_day: 150, window_days: 30 });
    const treatedPeople = plan.people_needed - plan.holdout_needed;
    const next = seededRandom(41);
    let detected = 0;
    const runs = 1_000;
    for (let r = 0; r < runs; r += 1) {
      const d = proportionDifference(binomial(treatedPeople, 0.07, next), treatedPeople, binomial(plan.holdout_needed, 0.05, next), plan.holdout_needed);
      if (d.low > 0) detected += 1;
    }
    expect(detected / runs).toBeGreaterThan(0.76);
    expect(detected / runs).toBeLessThan(0.85);
    expect(plan.days_to_enrol).toBe(Math.ceil(plan.people_needed / 150));
    expect(plan.days_to_result).toBe(plan.days_to_enrol + 30);
    expect(plan.reason).toContain('2.00 points');
  });

  it('needs four times the people for half the effect, and refuses impossible inputs', () => {
    const base = { kind: 'mean' as const, baseline_mean: 20, baseline_sd: 60, holdout_share: 0.1, eligible_per_day: 50, window_days: 30 };
    const big = powerPlan({ ...base, minimum_effect: 4 }).people_needed;
    const small = powerPlan({ ...base, minimum_effect: 2 }).people_needed;
    expect(small / big).toBeCloseTo(4, 1);
    expect(() => powerPlan({ ...base, minimum_effect: 2, holdout_share: 1 })).toThrow(/holdout_share/);
    expect(() => powerPlan({ ...base, minimum_effect: 2, baseline_sd: undefined })).toThrow(/baseline_sd/);
    expect(() => powerPlan({ ...base, kind: 'proportion', baseline_mean: 0.99, minimum_effect: 0.05 })).toThrow(/between 0 and 1/);
  });
});

describe('verdicts and totals', () => {
  const arm = (n: number, buyers: number): ArmSums => ({ n, y: buyers, yy: buyers, x: [], xx: [], xy: [] });

  it('says "too early to tell" with the interval and the sizes while the interval includes zero', () => {
    const c = compare('proportion', arm(900, 45), arm(100, 4));
    expect(c.verdict).toBe('too_early');
    expect(c.reason).toMatch(/^Too early to tell: the 95 % interval \(−\d\.\d\d points to \+\d+\.\d\d points\) includes zero, with 900 treated and 100 in the holdout/);
    expect(c.interval.low).toBeLessThan(0);
    expect(c.always_valid.interval.high - c.always_valid.interval.low).toBeGreaterThan(c.interval.high - c.interval.low);
    expect(compare('proportion', arm(20, 5), arm(10, 1)).reason).toContain('at least 30 people');
  });

  it('calls an increase when the interval is above zero, with the relative lift', () => {
    const c = compare('proportion', arm(9_000, 900), arm(1_000, 50));
    expect(c.verdict).toBe('increase');
    expect(c.relative_lift).toBeCloseTo(1, 10);
    expect(c.relative_interval!.low).toBeGreaterThan(0.4);
    const added = incremental(c, 9_000);
    expect(added.value).toBeCloseTo(450, 6);
    expect(added.low).toBeCloseTo(c.interval.low * 9_000, 6);
  });

  it('adds independent incremental figures with variances that add', () => {
    const total = sumIncrementals([{ value: 10, low: 10 - 1.959963984540054 * 3, high: 10 + 1.959963984540054 * 3 }, { value: 5, low: 5 - 1.959963984540054 * 4, high: 5 + 1.959963984540054 * 4 }]);
    expect(total.value).toBe(15);
    expect(total.high - total.value).toBeCloseTo(1.959963984540054 * 5, 10);
  });
});
