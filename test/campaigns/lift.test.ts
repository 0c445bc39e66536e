/**
 * The lift statistics against published figures and by simulation: a 95 % interval must contain
 * the true effect in about 95 % of simulated campaigns, and a campaign that changes nothing must be
 * called significant in about 5 % of them.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/lib/random.js';
import { assignGroup, unitHash } from '../../src/modules/campaigns/holdout.js';
import { meanDifference, proportionDifference, wilson, type Moments } from '../../src/lib/statistics/index.js';

/** The project's seeded generator, so every run draws the same campaigns. */
const random = seededRandom;

function binomial(n: number, p: number, next: () => number): number {
  let x = 0;
  for (let i = 0; i < n; i += 1) if (next() < p) x += 1;
  return x;
}

describe('interval estimates against published figures', () => {
  it('gives Wilson\'s and Newcombe\'s intervals of Newcombe (1998), Tables I and II', () => {
    // Table I, 81/263: Wilson score interval 0.2553 to 0.3662.
    const w = wilson(81, 263);
    expect(w.low).toBeCloseTo(0.2553, 4);
    expect(w.high).toBeCloseTo(0.3662, 4);
    // Table II, example (a) 56/70 − 48/80, method 10: 0.0524 to 0.3339.
    const d = proportionDifference(56, 70, 48, 80);
    expect(d.difference).toBeCloseTo(0.2, 10);
    expect(d.low).toBeCloseTo(0.0524, 4);
    expect(d.high).toBeCloseTo(0.3339, 4);
    // Example (e) 0/10 − 0/20, where the Wald interval collapses to a point: −0.1611 to 0.2775.
    const zero = proportionDifference(0, 10, 0, 20);
    expect(zero.low).toBeCloseTo(-0.1611, 4);
    expect(zero.high).toBeCloseTo(0.2775, 4);
  });
});

describe('coverage by simulation', () => {
  it('covers the true difference in conversion about 95 % of the time, at retail-sized rates', () => {
    const next = random(11);
    const campaigns = 2_000;
    let covered = 0;
    let falsePositives = 0;
    for (let c = 0; c < campaigns; c += 1) {
      const [n1, n0, p0, p1] = [4_500, 500, 0.04, 0.05];
      const d = proportionDifference(binomial(n1, p1, next), n1, binomial(n0, p0, next), n0);
      if (d.low <= p1 - p0 && p1 - p0 <= d.high) covered += 1;
      const nil = proportionDifference(binomial(n1, p0, next), n1, binomial(n0, p0, next), n0);
      if (nil.low > 0 || nil.high < 0) falsePositives += 1;
    }
    // Binomial(2000, 0.95) has a standard deviation of about 0.5 points.
    expect(covered / campaigns).toBeGreaterThan(0.935);
    expect(covered / campaigns).toBeLessThan(0.965);
    expect(falsePositives / campaigns).toBeGreaterThan(0.035);
    expect(falsePositives / campaigns).toBeLessThan(0.065);
  });

  it('covers the true difference in revenue per person about 95 % of the time, with skewed spend', () => {
    const next = random(29);
    // Each person orders with probability p; an order's value is log-normal (median 40, heavy tail).
    const spend = (p: number) => {
      if (next() >= p) return 0;
      const normal = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
      return 40 * Math.exp(0.8 * normal);
    };
    const expectedOrderValue = 40 * Math.exp(0.8 ** 2 / 2);
    const truth = (0.06 - 0.05) * expectedOrderValue;
    const campaigns = 1_000;
    let covered = 0;
    for (let c = 0; c < campaigns; c += 1) {
      const draw = (n: number, p: number): Moments => {
        const m = { n, sum: 0, sumSquares: 0 };
        for (let i = 0; i < n; i += 1) {
          const v = spend(p);
          m.sum += v;
          m.sumSquares += v * v;
        }
        return m;
      };
      const d = meanDifference(draw(3_000, 0.06), draw(1_000, 0.05));
      if (d.low <= truth && truth <= d.high) covered += 1;
    }
    expect(covered / campaigns).toBeGreaterThan(0.93);
    expect(covered / campaigns).toBeLessThan(0.97);
  });
});

describe('holdout assignment', () => {
  it('holds out the asked share, the same people on every run, independently per campaign', () => {
    const plan = { holdoutShare: 0.1, variants: 1, testShare: 0 };
    const ids = Array.from({ length: 20_000 }, (_, i) => i + 1);
    const held = (campaign: string) => new Set(ids.filter((id) => assignGroup(campaign, id, plan).kind === 'holdout'));
    const a = held('cmp_a');
    // 10 % of 20,000 has a standard deviation of about 42 people.
    expect(a.size).toBeGreaterThan(1_850);
    expect(a.size).toBeLessThan(2_150);
    expect(held('cmp_a')).toEqual(a);
    // Independent campaigns hold out the same person about 10 % × 10 % of the time.
    const both = [...held('cmp_b')].filter((id) => a.has(id)).length;
    expect(both).toBeGreaterThan(130);
    expect(both).toBeLessThan(270);
    // The hash is uniform: each tenth of [0, 1) gets about a tenth of the people.
    const deciles = new Array<number>(10).fill(0);
    for (const id of ids) deciles[Math.floor(unitHash('cmp_c', id) * 10)]! += 1;
    for (const count of deciles) expect(Math.abs(count - 2_000)).toBeLessThan(200);
  });

  it('splits a test share evenly between variants and keeps the rest for the winner', () => {
    const plan = { holdoutShare: 0.1, variants: 2, testShare: 0.2 };
    const counts = { holdout: 0, a: 0, b: 0, rest: 0 };
    for (let id = 1; id <= 50_000; id += 1) {
      const g = assignGroup('cmp_ab', id, plan);
      if (g.kind === 'holdout') counts.holdout += 1;
      else if (g.kind === 'rest') counts.rest += 1;
      else if (g.index === 0) counts.a += 1;
      else counts.b += 1;
    }
    // 10 % held out; of the other 90 %, a fifth is tested (9 % of everyone per variant) and 72 % wait.
    // Standard deviations: about 67 people for the holdout and 64 for each variant.
    expect(Math.abs(counts.holdout - 5_000)).toBeLessThan(270);
    expect(Math.abs(counts.a - 4_500)).toBeLessThan(260);
    expect(Math.abs(counts.b - 4_500)).toBeLessThan(260);
    expect(Math.abs(counts.rest - 36_000)).toBeLessThan(400);
  });
});
