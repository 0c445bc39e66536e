/**
 * Cohorts compared like with like: value at equal ages, the best retention at one age among
 * cohorts old and large enough, the default range and the period labels. Every expected figure
 * is worked out by hand in the comments.
 */
import { describe, expect, it } from 'vitest';
import { parseAnalyticsQuery } from '../../src/modules/analytics/analytics.query.js';
import { shapeCohorts } from '../../src/modules/analytics/analytics.shape.js';
import { ageComplete, bestRetention, defaultCohortRange, wilsonLowerBound } from '../../src/modules/analytics/cohort-comparisons.js';
import { periodLabel, periodRangeLabel } from '../../src/modules/analytics/period-labels.js';
import type { CohortCellRow } from '../../src/modules/analytics/queries/cohorts.query.js';

const cell = (cohort: string, offset: number, customers: number, revenue: number): CohortCellRow =>
  ({ cohort, segment: null, offset, customers, orders: customers, revenue, lastActive: 0 });

describe('cohorts at equal ages', () => {
  // Last day 15 Jul 2024. Month 3 of a cohort is complete once its fourth month after has begun
  // by 16 Jul: January (May) and March (July) are; April's month 3 is July, still running.
  const cells = [
    cell('2024-01-01', 0, 40, 400_000), cell('2024-01-01', 1, 5, 40_000), cell('2024-01-01', 3, 8, 20_000), cell('2024-01-01', 4, 3, 99_999),
    cell('2024-03-01', 0, 10, 50_000), cell('2024-03-01', 3, 6, 5_001),
    cell('2024-04-01', 0, 50, 100_000), cell('2024-04-01', 3, 30, 60_000),
  ];
  const query = parseAnalyticsQuery({ from: '2024-01-01', to: '2024-04-30' }, { lastDay: '2024-07-15' });
  const r = shapeCohorts(cells, query, '2024-07-15');

  it('values each cohort at months 3, 6 and 12 only once it is that old', () => {
    // January: (4,000.00 + 400.00 + 0 + 200.00) ÷ 40 = 115.00; month 4's 999.99 is not in it.
    // March: (500.00 + 50.01) ÷ 10 = 55.001 → 55.00. April: month 3 (July) has not ended → null.
    expect(r.cohorts.map((c) => [c.cohort, c.valueAt.map((v) => v.value)])).toEqual([
      ['2024-01-01', [11_500, null, null]], ['2024-03-01', [5_500, null, null]], ['2024-04-01', [null, null, null]],
    ]);
    expect(r.cohorts[0]!.valueAt[0]).toEqual({ age: 3, customers: 40, value: 11_500 });
    // Over the two old enough: (4,600.00 + 550.01) ÷ 50 = 103.0002 → 103.00.
    expect(r.valueAverage).toEqual([
      { age: 3, cohorts: 2, customers: 50, value: 10_300 }, { age: 6, cohorts: 0, customers: 0, value: null }, { age: 12, cohorts: 0, customers: 0, value: null },
    ]);
  });

  it('compares month-3 retention only among cohorts old and large enough', () => {
    // April (30 of 50 in a running July) is too young; March (6 of 10) too small; January alone
    // (8 of 40 = 20 %) is not enough to name a best.
    expect(r.bestRetention).toEqual({
      age: 3, minCustomers: 30, minCohorts: 6,
      mature: { cohorts: 2, first: '2024-01-01', last: '2024-03-01' },
      compared: { cohorts: 1, first: '2024-01-01', last: '2024-01-01', customers: 40, retained: 8, retention: 0.2, tooSmall: 1 },
      best: null,
    });
  });

  it('knows when an age is complete', () => {
    expect(ageComplete('month', '2024-01-01', 3, '2024-04-30')).toBe(true); // April ended on the last day
    expect(ageComplete('month', '2024-01-01', 3, '2024-04-29')).toBe(false);
    expect(ageComplete('quarter', '2024-01-01', 1, '2024-06-30')).toBe(true);
    expect(ageComplete('week', '2024-01-01', 13, '2024-04-07')).toBe(true); // week 13 is 1–7 Apr
    expect(ageComplete('week', '2024-01-01', 13, '2024-04-06')).toBe(false);
  });
});

describe('best retention', () => {
  // Nine steady cohorts, January to September 2025: 200 customers each, 40 … 48 retained at
  // month 3 (20.0 % … 24.0 %); September, 48 of 200, is the best of them.
  const steady = Array.from({ length: 9 }, (_, i) => ({ cohort: `2025-0${i + 1}-01`, size: 200, retained: 40 + i }));

  it('a tiny cohort with a seasonal spike does not win', () => {
    // December: 12 customers, 9 back in month 3 (75 %): under 30 customers, left out.
    const r = bestRetention(3, [...steady, { cohort: '2024-12-01', size: 12, retained: 9 }]);
    expect(r.best).toMatchObject({ cohort: '2025-09-01', size: 200, retained: 48, retention: 0.24 });
    // 9 × 200 = 1,800 customers, 40 + 41 + … + 48 = 396 retained: 22.0 %.
    expect(r.compared).toEqual({ cohorts: 9, first: '2025-01-01', last: '2025-09-01', customers: 1_800, retained: 396, retention: 0.22, tooSmall: 1 });
  });

  it('a small cohort with a lucky rate ranks below a large steady one', () => {
    // 14 of 40 (35 %): Wilson lower bound (0.35 + 0.04802 − 1.96 × √(0.0056875 + 0.00060025)) ÷ 1.09604 = 0.2213.
    // 132 of 400 (33 %): (0.33 + 0.004802 − 1.96 × √(0.00055275 + 0.0000060025)) ÷ 1.009604 = 0.2857.
    expect(wilsonLowerBound(14, 40)).toBeCloseTo(0.2213, 4);
    expect(wilsonLowerBound(132, 400)).toBeCloseTo(0.2857, 4);
    const r = bestRetention(3, [...steady, { cohort: '2025-10-01', size: 40, retained: 14 }, { cohort: '2025-11-01', size: 400, retained: 132 }]);
    expect(r.best).toMatchObject({ cohort: '2025-11-01', retention: 0.33 });
    expect(r.compared.cohorts).toBe(11);
  });

  it('names no best with fewer than six comparable cohorts', () => {
    const r = bestRetention(3, steady.slice(0, 5));
    expect([r.best, r.compared.cohorts]).toEqual([null, 5]);
    expect(bestRetention(3, []).compared).toEqual({ cohorts: 0, first: null, last: null, customers: 0, retained: 0, retention: null, tooSmall: 0 });
    expect(wilsonLowerBound(0, 50)).toBe(0);
  });
});

describe('the default cohort range and period labels', () => {
  it('defaults to the last full periods', () => {
    // 15 Oct 2026: October is running, so October 2025 – September 2026.
    expect(defaultCohortRange('month', '2026-10-15')).toEqual({ from: '2025-10-01', to: '2026-09-30' });
    // 30 Sep 2026 ends September: the same range.
    expect(defaultCohortRange('month', '2026-09-30')).toEqual({ from: '2025-10-01', to: '2026-09-30' });
    // Q4 2026 is running: the eight quarters Q4 2024 … Q3 2026.
    expect(defaultCohortRange('quarter', '2026-10-15')).toEqual({ from: '2024-10-01', to: '2026-09-30' });
    // Tuesday 5 Mar 2024: the last full week is 26 Feb – 3 Mar; 51 weeks (357 days) before 26 Feb 2024 is 6 Mar 2023.
    expect(defaultCohortRange('week', '2024-03-05')).toEqual({ from: '2023-03-06', to: '2024-03-03' });
  });

  it('labels periods as a marketer reads them', () => {
    expect(periodLabel('month', '2024-11-01')).toBe('Nov 2024');
    expect(periodLabel('quarter', '2024-10-01')).toBe('Q4 2024');
    expect(periodLabel('week', '2024-11-04')).toBe('Week of 4 Nov 2024');
    expect(periodLabel('month', '2024-11-01', { short: true })).toBe('Nov 24');
    expect(periodLabel('week', '2024-11-04', { short: true })).toBe('4 Nov 24');
    expect(periodRangeLabel('month', '2026-01-01', '2026-09-01')).toBe('Jan–Sep 2026');
    expect(periodRangeLabel('month', '2025-11-01', '2026-06-01')).toBe('Nov 2025–Jun 2026');
    expect(periodRangeLabel('quarter', '2025-01-01', '2025-07-01')).toBe('Q1–Q3 2025');
    expect(periodRangeLabel('month', '2026-03-01', '2026-03-01')).toBe('Mar 2026');
  });
});
