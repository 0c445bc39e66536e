/**
 * Retention analytics for a store: KPIs, cohorts, RFM, product retention and historical CLV.
 * Each report: bring the summaries up to date, parse the request into a query value, run the
 * queries (one per file under queries/), shape a typed result.
 */
import { storeSettings } from '../accounts/index.js';
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { notFound } from '../../lib/errors.js';
import { addDays, parseAnalyticsQuery, periods, type AnalyticsQuery, type Period } from './analytics.query.js';
import { defaultCohortRange } from './cohort-comparisons.js';
import { shapeCohorts, shapeKpiBlock, shapePeriodRates, shapeRfm, type CohortsResult, type KpiBlock, type RfmResult } from './analytics.shape.js';
import { clvBy } from './queries/clv.query.js';
import { cohortCells } from './queries/cohorts.query.js';
import { kpiNewCustomers } from './queries/kpi-new-customers.query.js';
import { kpiPeriodRates } from './queries/kpi-period-rates.query.js';
import { kpiIntervals, kpiRetention } from './queries/kpi-retention.query.js';
import { kpiSources } from './queries/kpi-sources.js';
import { kpiSeries, type KpiSeriesPoint } from './queries/kpi-series.query.js';
import { kpiTotals } from './queries/kpi-totals.query.js';
import { productLabels } from './queries/product-labels.query.js';
import { nextProducts, productRetention } from './queries/products.query.js';
import { rfmCells, rfmCuts, rfmMovement, type RfmCuts } from './queries/rfm.query.js';
import { averageMinorUnits } from '../../lib/money.js';
import { ratio } from './queries/sql-helpers.js';
import { addPeriods, periodStart, todayIn } from './periods.js';
import { SummariesService, type SummaryState } from './summaries.service.js';
import { JourneyService } from './journey.service.js';

import { reports, type Report } from './analytics.reports.js';
export { reports, type Report };

export interface StoreContext {
  currency: string;
  timezone: string;
  /** Days without an order after which a customer counts as churned, and where that number comes from. */
  inactivityDays: number;
  inactivitySource: 'store' | 'derived' | 'default';
  /** The store's last day with data (local); the default end of every range. */
  lastDay: string | null;
}

export interface KpisResult {
  store: StoreContext;
  query: AnalyticsQuery;
  current: KpiBlock;
  comparison: KpiBlock | undefined;
  /** Per period: counts, and the period's own rates (`complete`: the whole period lies in the range and has ended). */
  series: (KpiSeriesPoint & ReturnType<typeof shapePeriodRates> & { complete: boolean })[];
}

export interface ProductsResult {
  store: StoreContext;
  query: AnalyticsQuery;
  level: 'product' | 'category';
  rows: {
    key: string; title: string | null; customers: number; repeatRate: number | null; medianDaysToSecondOrder: number | null;
    matureCustomers: number; revenue12mPerCustomer: number | null; next: { key: string; title: string | null; customers: number; share: number | null }[];
  }[];
}

export interface ClvResult {
  store: StoreContext;
  query: AnalyticsQuery;
  rows: { key: string | null; title: string | null; customers: number; orders: number; revenue: number; revenuePerCustomer: number | null; ordersPerCustomer: number | null; repeatRate: number | null }[];
}

export type CohortsReport = CohortsResult & { store: StoreContext; query: AnalyticsQuery };
export type RfmReport = RfmResult & { store: StoreContext; query: AnalyticsQuery };
export type ReportResult = KpisResult | CohortsReport | RfmReport | ProductsResult | ClvResult;

const DEFAULT_INACTIVITY_DAYS = 365;
const CUT_CACHE_SIZE = 64;

export class AnalyticsService {
  readonly summaries: SummariesService;
  /** Funnels, paths, exit pages and lifecycle stages (the customer journey). */
  readonly journey: JourneyService;
  private readonly cutCache = new Map<string, Promise<RfmCuts>>();

  constructor(
    write: Db,
    private readonly read: Db,
  ) {
    this.summaries = new SummariesService(write, read);
    this.journey = new JourneyService(read, async (storeId) => {
      const { store } = await this.storeContext(storeId);
      return { store, firstDay: await this.firstDay(storeId), today: todayIn(store.timezone) };
    }, (storeId, inactivityDays) => this.summaries.ensureLifecycle(storeId, inactivityDays));
  }

  /** Rebuilds the store's summaries (the `analytics.refresh` job and `hearth report --refresh`). */
  refreshSummaries(storeId: string): Promise<SummaryState> {
    return this.summaries.refreshSummaries(storeId);
  }

  /** The writer calls this after committing a batch of orders or returns. */
  onOrdersWritten(storeId: string, customerIds: readonly number[] = []): Promise<void> {
    return this.summaries.onOrdersWritten(storeId, customerIds);
  }

  async kpis(storeId: string, raw: unknown, fieldPrefix = 'query.'): Promise<KpisResult> {
    const { store, query } = await this.prepare(storeId, raw, fieldPrefix, 'year');
    const lastDay = store.lastDay ?? query.to;
    const sources = kpiSources(storeId, query.filters);
    const block = async (range: { from: string; to: string }) => {
      const [totals, retention, intervals, fresh] = await Promise.all([
        kpiTotals(this.read, sources, range),
        kpiRetention(this.read, sources, range, store.inactivityDays),
        kpiIntervals(this.read, sources, range),
        kpiNewCustomers(this.read, sources, range, lastDay),
      ]);
      return shapeKpiBlock(range, totals, retention, intervals, fresh);
    };
    // Each period's rates with the range's own definitions, so a trend answers "is it improving?";
    // a period cut by the range or not over by the store's last day is marked incomplete.
    const ranges = new Map<string, { from: string; to: string; end: string }>();
    for (let start = periodStart(query.period, query.from); start <= query.to; start = addPeriods(query.period, start, 1)) {
      const end = addDays(addPeriods(query.period, start, 1), -1);
      ranges.set(start, { from: start < query.from ? query.from : start, to: end > query.to ? query.to : end, end });
    }
    const [current, comparison, points, counts] = await Promise.all([
      block(query),
      query.compareRange ? block(query.compareRange) : Promise.resolve(undefined),
      kpiSeries(this.read, sources, query, query.period),
      kpiPeriodRates(this.read, sources, [...ranges.values()], store.inactivityDays),
    ]);
    const countsByPeriod = new Map([...ranges.keys()].map((start, i) => [start, counts[i]!]));
    const series = points.map((point) => {
      const range = ranges.get(point.periodStart)!;
      const { customers, repeatCustomers, ...retention } = countsByPeriod.get(point.periodStart)!;
      return { ...point, ...shapePeriodRates({ customers, repeatCustomers }, retention), complete: range.from === point.periodStart && range.to === range.end && range.end <= lastDay };
    });
    return { store, query, current, comparison, series };
  }

  async cohorts(storeId: string, raw: unknown, fieldPrefix = 'query.'): Promise<CohortsReport> {
    const { store, query } = await this.prepare(storeId, raw, fieldPrefix, 'cohorts');
    const cells = await cohortCells(this.read, storeId, query);
    const labels = query.breakdown === 'first_product'
      ? await productLabels(this.read, storeId, cells.map((c) => Number(c.segment)).filter((id) => Number.isFinite(id)))
      : undefined;
    const relabelled = labels ? cells.map((c) => ({ ...c, segment: c.segment === null ? null : labels.get(Number(c.segment))?.externalId ?? c.segment })) : cells;
    return { store, query, ...shapeCohorts(relabelled, query, store.lastDay ?? query.to) };
  }

  async rfm(storeId: string, raw: unknown, fieldPrefix = 'query.'): Promise<RfmReport> {
    const { store, query, version } = await this.prepare(storeId, raw, fieldPrefix, 'year');
    const current = store.lastDay !== null && query.to >= store.lastDay;
    const [cuts, sinceCuts] = await Promise.all([
      this.cuts(storeId, version, query.to, current),
      query.since ? this.cuts(storeId, version, query.since, false) : Promise.resolve(undefined),
    ]);
    const [cells, movement] = await Promise.all([
      rfmCells(this.read, storeId, query.to, current, cuts, query.filters),
      query.since && sinceCuts
        ? rfmMovement(this.read, storeId, { asOf: query.to, current, cuts }, { date: query.since, cuts: sinceCuts }, query.filters)
        : Promise.resolve(undefined),
    ]);
    return { store, query, ...shapeRfm(query.to, cells, movement) };
  }

  /** RFM cut points, kept per summaries version (they change only when the data does). */
  private cuts(storeId: string, version: string, asOf: string, current: boolean): Promise<RfmCuts> {
    const key = `${storeId}|${version}|${asOf}|${current}`;
    let cuts = this.cutCache.get(key);
    if (!cuts) {
      cuts = rfmCuts(this.read, storeId, asOf, current);
      cuts.catch(() => this.cutCache.delete(key));
      this.cutCache.set(key, cuts);
      if (this.cutCache.size > CUT_CACHE_SIZE) this.cutCache.delete(this.cutCache.keys().next().value!);
    }
    return cuts;
  }

  async products(storeId: string, raw: unknown, fieldPrefix = 'query.'): Promise<ProductsResult> {
    const { store, query } = await this.prepare(storeId, raw, fieldPrefix, 'all');
    const level = query.breakdown === 'first_category' ? 'category' : 'product';
    const productQuery = { level, from: query.from, to: query.to, lastDay: store.lastDay ?? query.to, filters: query.filters, limit: query.limit } as const;
    const [rows, allNext] = await Promise.all([productRetention(this.read, storeId, productQuery), nextProducts(this.read, storeId, productQuery)]);
    const shown = new Set(rows.map((r) => r.key));
    const next = allNext.filter((n) => shown.has(n.key));
    const labels = level === 'product' ? await productLabels(this.read, storeId, [...rows.map((r) => Number(r.key)), ...next.map((n) => Number(n.next))]) : undefined;
    const label = (key: string) => (labels ? { key: labels.get(Number(key))?.externalId ?? key, title: labels.get(Number(key))?.title ?? null } : { key, title: null });
    return {
      store, query, level,
      rows: rows.map((row) => {
        const following = next.filter((n) => n.key === row.key);
        return {
          ...label(row.key), customers: row.customers, repeatRate: ratio(row.repeaters, row.customers), medianDaysToSecondOrder: row.medianDaysToSecondOrder,
          matureCustomers: row.matureCustomers, revenue12mPerCustomer: averageMinorUnits(row.revenue12m, row.matureCustomers),
          next: following.map((n) => ({ ...label(n.next), customers: n.customers, share: ratio(n.customers, row.repeaters) })),
        };
      }),
    };
  }

  async clv(storeId: string, raw: unknown, fieldPrefix = 'query.'): Promise<ClvResult> {
    const { store, query } = await this.prepare(storeId, raw, fieldPrefix, 'all');
    const rows = await clvBy(this.read, storeId, query);
    const labels = query.by === 'first_product' ? await productLabels(this.read, storeId, rows.map((r) => Number(r.key))) : undefined;
    return {
      store, query,
      rows: rows.map((row) => ({
        key: labels && row.key !== null ? labels.get(Number(row.key))?.externalId ?? row.key : row.key,
        title: labels && row.key !== null ? labels.get(Number(row.key))?.title ?? null : null,
        customers: row.customers, orders: row.orders, revenue: row.revenue,
        revenuePerCustomer: averageMinorUnits(row.revenue, row.customers), ordersPerCustomer: ratio(row.orders, row.customers), repeatRate: ratio(row.repeaters, row.customers),
      })),
    };
  }

  run(report: Report, storeId: string, raw: unknown, fieldPrefix = 'query.'): Promise<ReportResult> {
    return this[report](storeId, raw, fieldPrefix);
  }

  /**
   * Fresh summaries, the store's settings and the parsed query. Reports about acquired customers
   * (products, CLV) default to all time; cohorts to the last full periods (a year of months);
   * the others to the year up to the store's last day.
   */
  private async prepare(storeId: string, raw: unknown, fieldPrefix: string, defaultRange: 'year' | 'all' | 'cohorts'): Promise<{ store: StoreContext; query: AnalyticsQuery; version: string }> {
    const { store, state, settings } = await this.storeContext(storeId);
    const lastDay = state.last_day;
    let input = (raw ?? {}) as Record<string, unknown>;
    if (defaultRange === 'cohorts' && input.from === undefined && input.to === undefined) {
      const period: Period = periods.find((p) => p === input.period) ?? 'month';
      const range = defaultCohortRange(period, lastDay ?? todayIn(settings.timezone));
      // A store younger than its first full period still sees its first cohort.
      const first = await this.firstDay(storeId);
      input = { ...input, ...range, ...(first !== undefined && lastDay !== null && range.to < first && { to: lastDay }) };
    }
    let firstDay = defaultRange === 'all' && input.from === undefined ? await this.firstDay(storeId) : undefined;
    // A `to` before the first order still gets a valid (empty) range.
    if (firstDay !== undefined && typeof input.to === 'string' && input.to < firstDay) firstDay = input.to;
    const query = parseAnalyticsQuery(firstDay ? { ...input, from: firstDay } : input, { lastDay: lastDay ?? todayIn(settings.timezone), fieldPrefix });
    return { store, query, version: `${state.refreshed_at.toISOString()}|${state.orders_count}|${state.returns_count}|${state.last_day}` };
  }

  /** Fresh summaries and the store's context (currency, time zone, churn threshold, last day). */
  private async storeContext(storeId: string) {
    const state = await this.summaries.ensureFresh(storeId);
    const settings = await storeSettings(this.read, storeId);
    if (!settings) throw notFound(`Store "${storeId}"`);
    const inactivity = settings.inactivity_days !== null ? { inactivityDays: settings.inactivity_days, inactivitySource: 'store' as const }
      : state.derived_inactivity_days !== null ? { inactivityDays: state.derived_inactivity_days, inactivitySource: 'derived' as const }
        : { inactivityDays: DEFAULT_INACTIVITY_DAYS, inactivitySource: 'default' as const };
    const store: StoreContext = { currency: settings.currency, timezone: settings.timezone, ...inactivity, lastDay: state.last_day };
    return { store, state, settings };
  }

  private async firstDay(storeId: string): Promise<string | undefined> {
    const { rows } = await sql<{ first: string | null }>`select min(day) as first from daily_totals where store_id = ${storeId}`.execute(this.read);
    return rows[0]?.first ?? undefined;
  }
}
