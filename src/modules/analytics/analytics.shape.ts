/**
 * Turns query rows into the reports' typed results: rates from counts, cohort matrices with
 * retention and cumulative revenue per customer, RFM segments with shares and movement.
 */
import type { AnalyticsQuery } from './analytics.query.js';
import { ageComplete, bestRetention, retentionAge, valueAges, type BestRetention, type RetentionAtAge } from './cohort-comparisons.js';
import { addPeriods, periodOffset } from './periods.js';
import type { CohortCellRow } from './queries/cohorts.query.js';
import type { KpiNewCustomers } from './queries/kpi-new-customers.query.js';
import type { KpiIntervals, KpiRetention } from './queries/kpi-retention.query.js';
import type { KpiTotals } from './queries/kpi-totals.query.js';
import type { RfmCellRow, RfmMovementRow } from './queries/rfm.query.js';
import { averageMinorUnits } from '../../lib/money.js';
import { ratio } from './queries/sql-helpers.js';
import { segmentDefinitions, segments, type Segment } from './rfm-segments.js';

export interface KpiBlock {
  from: string;
  to: string;
  customers: number;
  newCustomers: number;
  returningCustomers: number;
  orders: number;
  guestOrders: number;
  /** Minor units, net of returns. */
  revenue: number;
  aov: number | null;
  ordersPerCustomer: number | null;
  repeatPurchaseRate: number | null;
  secondOrderRate: { days: number; eligible: number; customers: number; rate: number | null }[];
  timeBetweenOrders: { repeatOrders: number; medianDays: number | null; distribution: { label: string; orders: number }[] };
  medianDaysToSecondOrder: number | null;
  retentionRate: number | null;
  retention: { previousCustomers: number; retainedCustomers: number };
  churnRate: number | null;
  churn: { activeAtStart: number; churnedCustomers: number };
  /** Returned amount ÷ gross amount of the orders placed in the range. */
  returnsRate: number | null;
  /** Share of orders placed in the range with at least one return. */
  orderReturnRate: number | null;
  /** Repeat rate of the range's new customers, with and without a return on their first order. */
  repeatRateAfterReturn: number | null;
  repeatRateWithoutReturn: number | null;
}

/** A period's repeat purchase, retention and churn rates, as the KPI block defines them. */
export function shapePeriodRates(t: Pick<KpiTotals, 'customers' | 'repeatCustomers'>, r: KpiRetention): { repeatPurchaseRate: number | null; retentionRate: number | null; churnRate: number | null } {
  return {
    repeatPurchaseRate: ratio(t.repeatCustomers, t.customers),
    retentionRate: ratio(r.retainedCustomers, r.previousCustomers),
    churnRate: ratio(r.churnedCustomers, r.activeAtStart),
  };
}

export function shapeKpiBlock(range: { from: string; to: string }, t: KpiTotals, r: KpiRetention, i: KpiIntervals, n: KpiNewCustomers): KpiBlock {
  return {
    ...shapePeriodRates(t, r),
    from: range.from, to: range.to,
    customers: t.customers, newCustomers: t.newCustomers, returningCustomers: t.returningCustomers,
    orders: t.orders, guestOrders: t.guestOrders, revenue: t.revenue,
    aov: averageMinorUnits(t.revenue, t.orders),
    ordersPerCustomer: ratio(t.customerOrders, t.customers),
    secondOrderRate: n.secondOrderWithin.map((w) => ({ ...w, rate: ratio(w.customers, w.eligible) })),
    timeBetweenOrders: i,
    medianDaysToSecondOrder: n.medianDaysToSecondOrder,
    retention: { previousCustomers: r.previousCustomers, retainedCustomers: r.retainedCustomers },
    churn: { activeAtStart: r.activeAtStart, churnedCustomers: r.churnedCustomers },
    returnsRate: ratio(t.returnedOnOrders, t.gross),
    orderReturnRate: ratio(t.ordersWithReturns, t.orders),
    repeatRateAfterReturn: ratio(n.firstOrderReturned.repeaters, n.firstOrderReturned.customers),
    repeatRateWithoutReturn: ratio(n.firstOrderKept.repeaters, n.firstOrderKept.customers),
  };
}

export interface CohortPeriod {
  offset: number;
  periodStart: string;
  /** Retained customers: ordered in this period (or, with retained=any_later, in it or any later one). */
  customers: number;
  retention: number;
  orders: number;
  revenue: number;
  /** Revenue of periods 0…offset ÷ cohort size, in whole minor units: the cohort's LTV curve. */
  cumulativeRevenuePerCustomer: number;
}

/** Cumulative revenue per customer of periods 0…age; null until the period `age` has ended. */
export interface CohortValueAt {
  age: number;
  customers: number;
  value: number | null;
}

export interface Cohort {
  cohort: string;
  segment?: string | null;
  size: number;
  periods: CohortPeriod[];
  valueAt: CohortValueAt[];
}

export interface CohortsResult {
  cohorts: Cohort[];
  /** Per offset, retained customers over the sizes of the cohorts old enough to have that offset. */
  average: { offset: number; cohorts: number; retention: number | null; cumulativeRevenuePerCustomer: number | null }[];
  /** Per age, the cohorts old enough to have it complete: their revenue of periods 0…age over their size. */
  valueAverage: { age: number; cohorts: number; customers: number; value: number | null }[];
  /** Which cohort kept its customers best at one age, among those old and large enough to compare. */
  bestRetention: BestRetention;
}

export function shapeCohorts(cells: CohortCellRow[], query: AnalyticsQuery, lastDay: string): CohortsResult {
  const groups = new Map<string, CohortCellRow[]>();
  for (const cell of cells) {
    const key = `${cell.cohort}\u0000${cell.segment ?? ''}`;
    const list = groups.get(key) ?? [];
    list.push(cell);
    groups.set(key, list);
  }
  const cohorts: Cohort[] = [];
  const exactCumulative = new Map<Cohort, number[]>();
  const ages = valueAges[query.period];
  const age = retentionAge[query.period];
  // The comparison is of whole cohorts (segments summed) and of ordering in the period itself,
  // whatever `retained` says: "ordered then or later" is not the same age for an older cohort.
  const atAge = new Map<string, RetentionAtAge>();
  for (const list of groups.values()) {
    const { cohort, segment } = list[0]!;
    const byOffset = new Map(list.map((c) => [c.offset, c]));
    const size = byOffset.get(0)?.customers ?? 0;
    const maxOffset = Math.max(periodOffset(query.period, cohort, lastDay), ...list.map((c) => c.offset));
    let cumulative = 0;
    let laterActive = list.reduce((sum, c) => sum + c.lastActive, 0);
    const periods: CohortPeriod[] = [];
    const cumulatives: number[] = [];
    for (let offset = 0; offset <= maxOffset; offset += 1) {
      const cell = byOffset.get(offset);
      cumulative += cell?.revenue ?? 0;
      cumulatives.push(cumulative);
      const retained = query.retained === 'any_later' ? laterActive : cell?.customers ?? 0;
      laterActive -= cell?.lastActive ?? 0;
      periods.push({
        offset, periodStart: addPeriods(query.period, cohort, offset), customers: retained, retention: size ? retained / size : 0,
        orders: cell?.orders ?? 0, revenue: cell?.revenue ?? 0, cumulativeRevenuePerCustomer: averageMinorUnits(cumulative, size) ?? 0,
      });
    }
    const complete = (a: number) => ageComplete(query.period, cohort, a, lastDay);
    const valueAt = ages.map((a) => ({ age: a, customers: size, value: complete(a) ? averageMinorUnits(cumulatives[a] ?? cumulative, size) : null }));
    if (complete(age)) {
      const whole = atAge.get(cohort) ?? { cohort, size: 0, retained: 0 };
      atAge.set(cohort, { cohort, size: whole.size + size, retained: whole.retained + (byOffset.get(age)?.customers ?? 0) });
    }
    const shaped: Cohort = { cohort, ...(query.breakdown && { segment }), size, periods, valueAt };
    cohorts.push(shaped);
    exactCumulative.set(shaped, cumulatives);
  }
  const longest = Math.max(0, ...cohorts.map((c) => c.periods.length));
  const average = Array.from({ length: longest }, (_, offset) => {
    const having = cohorts.filter((c) => c.periods.length > offset);
    const size = having.reduce((sum, c) => sum + c.size, 0);
    return {
      offset, cohorts: having.length,
      retention: ratio(having.reduce((sum, c) => sum + c.periods[offset]!.customers, 0), size),
      // The cohorts' exact cumulative revenue (not their rounded per-customer figures) over their total size.
      cumulativeRevenuePerCustomer: averageMinorUnits(having.reduce((sum, c) => sum + exactCumulative.get(c)![offset]!, 0), size),
    };
  });
  const valueAverage = ages.map((a, i) => {
    const having = cohorts.filter((c) => c.valueAt[i]!.value !== null);
    const customers = having.reduce((sum, c) => sum + c.size, 0);
    return { age: a, cohorts: having.length, customers, value: averageMinorUnits(having.reduce((sum, c) => sum + exactCumulative.get(c)![a]!, 0), customers) };
  });
  return { cohorts, average, valueAverage, bestRetention: bestRetention(age, [...atAge.values()]) };
}

export interface RfmSegmentSummary {
  segment: Segment;
  /** What the segment means (`segmentDefinitions`). */
  definition: string;
  customers: number;
  share: number | null;
  revenue: number;
  revenueShare: number | null;
  avgRecencyDays: number | null;
  avgOrders: number | null;
  avgRevenue: number | null;
}

export interface RfmResult {
  asOf: string;
  customers: number;
  segments: RfmSegmentSummary[];
  grid: { r: number; fm: number; customers: number }[];
  movement: RfmMovementRow[] | undefined;
}

export function shapeRfm(asOf: string, cells: RfmCellRow[], movement: RfmMovementRow[] | undefined): RfmResult {
  const customers = cells.reduce((sum, c) => sum + c.customers, 0);
  const revenue = cells.reduce((sum, c) => sum + c.revenue, 0);
  return {
    asOf, customers,
    segments: segments.map((segment) => {
      const mine = cells.filter((c) => c.segment === segment);
      const n = mine.reduce((sum, c) => sum + c.customers, 0);
      const money = mine.reduce((sum, c) => sum + c.revenue, 0);
      return {
        segment, definition: segmentDefinitions[segment], customers: n, share: ratio(n, customers), revenue: money, revenueShare: ratio(money, revenue),
        avgRecencyDays: ratio(mine.reduce((sum, c) => sum + c.recencyDays, 0), n),
        avgOrders: ratio(mine.reduce((sum, c) => sum + c.orders, 0), n),
        avgRevenue: averageMinorUnits(money, n),
      };
    }),
    grid: cells.map((c) => ({ r: c.r, fm: c.fm, customers: c.customers })),
    movement,
  };
}
