/**
 * The customer journey, joined to orders and churn: funnels, paths, exit pages before a lapse and
 * lifecycle stages. Each report: the store's context, the parsed query, the queries (one per file
 * under queries/), a typed result. Definitions: docs/metrics.md ("The customer journey").
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import { ratio } from './queries/sql-helpers.js';
import {
  parseExitQuery, parseFunnelQuery, parseLifecycleQuery, parsePathQuery, type ExitQuery, type FunnelQuery, type JourneyDefaults,
  type JourneyReport, type LifecycleQuery, type PathQuery,
} from './journey.query.js';
import { funnel } from './queries/funnel.query.js';
import { DAY_BUCKETS, repeatFunnel } from './queries/repeat-funnel.query.js';
import { paths } from './queries/paths.query.js';
import { exitPages } from './queries/exit-pages.query.js';
import { exitChurn } from './queries/exit-churn.query.js';
import { exitTouchpoints, TOUCH_DAYS, type Touchpoint } from './queries/exit-touchpoints.query.js';
import { lifecycle, reactivations, stages, type ReactivationCause, type Stage } from './queries/lifecycle.query.js';
import { spanOf } from './queries/journey-events.sql.js';
import { DeliveryTable } from './delivery.table.js';
import { JourneyTable } from './journey.table.js';
import { addPeriods, periodStart } from './periods.js';
import type { StoreContext } from './analytics.service.js';

export { stages, type Stage };

/** 95 % two-sided normal quantile. */
const Z95 = 1.959963984540054;

export interface FunnelStepResult {
  label: string;
  /** Units (sessions, people or customers) that reached the step. */
  units: number;
  conversionFromStart: number | null;
  conversionFromPrevious: number | null;
  /** Units that reached the previous step but not this one. */
  dropOff: number;
  /** After reaching this step and not the next: what they did next (a page group or event), most common first. */
  next: { label: string; units: number; share: number | null }[];
}

export interface FunnelsResult {
  store: StoreContext;
  query: { from: string; to: string; funnel: FunnelQuery['funnel']; count: FunnelQuery['count'] | 'customer'; windowDays: number | null; period: FunnelQuery['period']; breakdown: FunnelQuery['breakdown']; segment: { id: string; name: string } | null };
  steps: FunnelStepResult[];
  conversion: number | null;
  timeToConvert: {
    unit: 'seconds' | 'days';
    median: number | null; lowerQuartile: number | null; upperQuartile: number | null;
    distribution: { label: string; units: number }[];
  };
  breakdown: { dimension: FunnelQuery['breakdown']; rows: { value: string; entered: number; converted: number; conversion: number | null }[] };
  trend: { periodStart: string; entered: number; converted: number; conversion: number | null }[];
}

export interface PathsResult {
  store: StoreContext;
  query: { from: string; to: string; direction: PathQuery['direction']; anchor: string; steps: number; group: PathQuery['group'] };
  /** Sessions that reached the anchor. */
  sessions: number;
  paths: { steps: string[]; sessions: number; share: number | null }[];
  /** Sankey links: from the node at `depth` - 1 to the node at `depth` (0 is the anchor), with sessions. */
  links: { depth: number; source: string; target: string; sessions: number }[];
}

export interface ExitsResult {
  store: StoreContext;
  query: { from: string; to: string; sessions: number; minCustomers: number; group: ExitQuery['group'] };
  exitPages: { sessions: number; rows: { page: string; sessions: number; exits: number; exitRate: number | null }[] };
  churn: { customers: number; lapsed: number; lapseRate: number | null; rows: (LapseComparison & { page: string })[] };
  /** The same customers (with or without browsing): a touchpoint in the `days` before the lapse. */
  touchpoints: { days: number; customers: number; lapsed: number; lapseRate: number | null; rows: (LapseComparison & { touchpoint: Touchpoint })[] };
}

export interface LapseComparison {
  customers: number; lapsed: number; lapseRate: number | null; otherCustomers: number; otherLapsed: number; otherLapseRate: number | null;
  lift: number | null; liftLow: number | null; liftHigh: number | null;
}

/** Those with a trait (n₁, a lapsed) against all the others of the same customers. */
function compareLapses(customers: number, lapsed: number, total: { customers: number; lapsed: number }): LapseComparison {
  const otherCustomers = total.customers - customers;
  const otherLapsed = total.lapsed - lapsed;
  const rr = riskRatio(lapsed, customers, otherLapsed, otherCustomers);
  return {
    customers, lapsed, lapseRate: ratio(lapsed, customers), otherCustomers, otherLapsed, otherLapseRate: ratio(otherLapsed, otherCustomers),
    lift: rr.lift, liftLow: rr.low, liftHigh: rr.high,
  };
}

export interface LifecycleResult {
  store: StoreContext;
  query: LifecycleQuery;
  months: { month: string; stages: { stage: Stage; customers: number; revenue: number }[] }[];
  /** Movements between consecutive months over the range; `from` null: not yet known the month before. */
  transitions: { from: Stage | null; to: Stage; customers: number }[];
  /** What preceded the reactivations in the range: an offer used, else a campaign's or flow's message, else nothing recorded. */
  reactivations: { by: ReactivationCause; source_id: string | null; name: string | null; customers: number; revenue: number }[];
}

export type JourneyResult = FunnelsResult | PathsResult | ExitsResult | LifecycleResult;

/** Relative risk a/n1 ÷ c/n2 with its 95 % interval on the log scale. */
export function riskRatio(a: number, n1: number, c: number, n2: number): { lift: number | null; low: number | null; high: number | null } {
  if (n1 === 0 || n2 === 0 || c === 0) return { lift: null, low: null, high: null };
  const lift = (a / n1) / (c / n2);
  if (a === 0) return { lift, low: null, high: null };
  // Katz D, Baptista J, Azen SP, Pike MC (1978), "Obtaining confidence intervals for the risk ratio
  // in cohort studies", Biometrics 34(3):469–474: SE(ln RR) = sqrt(1/a − 1/n1 + 1/c − 1/n2).
  const se = Math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2);
  return { lift, low: Math.exp(Math.log(lift) - Z95 * se), high: Math.exp(Math.log(lift) + Z95 * se) };
}

export class JourneyService {
  /** The browsing reports read (kept up to date before each). */
  readonly browsing: JourneyTable;
  /** The deliveries the exits report reads (kept up to date before each). */
  readonly deliveries: DeliveryTable;

  constructor(
    private readonly read: Db,
    private readonly context: (storeId: string) => Promise<{ store: StoreContext; firstDay: string | undefined; today: string }>,
    /** Brings the store's lifecycle marks up to date for a threshold (kept with the summaries). */
    private readonly lifecycleMarks: (storeId: string, inactivityDays: number) => Promise<void>,
  ) {
    this.browsing = new JourneyTable(read);
    this.deliveries = new DeliveryTable(read);
  }

  private async prepare<Q>(storeId: string, raw: unknown, fieldPrefix: string, parse: (input: unknown, defaults: JourneyDefaults) => Q) {
    const { store, firstDay, today } = await this.context(storeId);
    return { store, query: parse(raw, { lastDay: store.lastDay ?? today, firstDay, fieldPrefix }) };
  }

  async funnels(storeId: string, raw: unknown, fieldPrefix = 'query.'): Promise<FunnelsResult> {
    const { store, query } = await this.prepare(storeId, raw, fieldPrefix, parseFunnelQuery);
    if (query.funnel === 'repeat') return this.repeatFunnel(storeId, store, query);
    const segment = query.segmentId === null ? null
      : (await sql<{ id: string; name: string }>`select id, name from segments where store_id = ${storeId} and id = ${query.segmentId}`.execute(this.read)).rows[0];
    if (segment === undefined) throw new AppError('validation_failed', 'Invalid journey query', [{ path: `${fieldPrefix}segment`, reason: `no segment ${query.segmentId} in this store` }]);
    const span = { storeId, ...spanOf(query, store.timezone) };
    await this.browsing.refresh(storeId);
    const { rows, dropoffs } = await funnel(this.read, { ...span, timezone: store.timezone }, query);
    const all = rows.find((r) => r.cut === 'all');
    const reached = all?.reached ?? query.steps.map(() => 0);
    const n = query.steps.length;
    const steps = query.steps.map((step, i) => {
      const dropped = i + 1 < n ? reached[i]! - reached[i + 1]! : 0;
      return {
        label: step.label, units: reached[i]!, conversionFromStart: ratio(reached[i]!, reached[0]!),
        conversionFromPrevious: i === 0 ? null : ratio(reached[i]!, reached[i - 1]!), dropOff: i === 0 ? 0 : reached[i - 1]! - reached[i]!,
        next: dropoffs.filter((d) => d.step === i + 1).slice(0, query.limit).map((d) => ({ label: d.label, units: d.units, share: ratio(d.units, dropped) })),
      };
    });
    const bucketLabels = ['≤ 1 min', '1–10 min', '10–60 min', '1–24 h', '1–7 days', '> 7 days'];
    return {
      store, query: { ...this.funnelEcho(query), segment }, steps, conversion: ratio(reached[n - 1]!, reached[0]!),
      timeToConvert: {
        unit: 'seconds', median: all?.medianSeconds ?? null, lowerQuartile: all?.p25Seconds ?? null, upperQuartile: all?.p75Seconds ?? null,
        distribution: bucketLabels.map((label, i) => ({ label, units: all?.buckets[i] ?? 0 })),
      },
      breakdown: {
        dimension: query.breakdown,
        rows: rows.filter((r) => r.cut === 'segment').map((r) => ({
          value: r.segment!, entered: r.reached[0]!, converted: r.reached[n - 1]!, conversion: ratio(r.reached[n - 1]!, r.reached[0]!),
        })).sort((a, b) => b.entered - a.entered || a.value.localeCompare(b.value)),
      },
      trend: this.trend(query, rows.filter((r) => r.cut === 'period').map((r) => ({ period: r.period!, entered: r.reached[0]!, converted: r.reached[n - 1]! }))),
    };
  }

  private async repeatFunnel(storeId: string, store: StoreContext, query: FunnelQuery): Promise<FunnelsResult> {
    const rows = await repeatFunnel(this.read, storeId, { ...query, lastDay: store.lastDay ?? query.to, windowDays: query.windowDays! });
    const all = rows.find((r) => r.cut === 'all');
    const eligible = all?.eligible ?? 0;
    const converted = all?.converted ?? 0;
    const window = query.windowDays!;
    const labels = [`≤ ${DAY_BUCKETS[0]} days`, `${DAY_BUCKETS[0] + 1}–${DAY_BUCKETS[1]} days`, `${DAY_BUCKETS[1] + 1}–${DAY_BUCKETS[2]} days`, `${DAY_BUCKETS[2] + 1}–${window} days`];
    return {
      store, query: this.funnelEcho(query),
      steps: [
        { label: query.steps[0]!.label, units: eligible, conversionFromStart: ratio(eligible, eligible), conversionFromPrevious: null, dropOff: 0, next: [] },
        { label: query.steps[1]!.label, units: converted, conversionFromStart: ratio(converted, eligible), conversionFromPrevious: ratio(converted, eligible), dropOff: eligible - converted, next: [] },
      ],
      conversion: ratio(converted, eligible),
      timeToConvert: { unit: 'days', median: all?.medianDays ?? null, lowerQuartile: all?.p25Days ?? null, upperQuartile: all?.p75Days ?? null, distribution: labels.map((label, i) => ({ label, units: all?.buckets[i] ?? 0 })) },
      breakdown: {
        dimension: 'channel',
        rows: rows.filter((r) => r.cut === 'channel').map((r) => ({ value: r.channel!, entered: r.eligible, converted: r.converted, conversion: ratio(r.converted, r.eligible) })),
      },
      trend: this.trend(query, rows.filter((r) => r.cut === 'period').map((r) => ({ period: r.period!, entered: r.eligible, converted: r.converted }))),
    };
  }

  private funnelEcho(query: FunnelQuery): FunnelsResult['query'] {
    return { from: query.from, to: query.to, funnel: query.funnel, count: query.funnel === 'repeat' ? 'customer' : query.count, windowDays: query.windowDays, period: query.period, breakdown: query.breakdown, segment: null };
  }

  /** Every period of the range, empty ones included. */
  private trend(query: FunnelQuery, rows: { period: string; entered: number; converted: number }[]): FunnelsResult['trend'] {
    const byPeriod = new Map(rows.map((r) => [r.period, r]));
    const out: FunnelsResult['trend'] = [];
    for (let start = periodStart(query.period, query.from); start <= query.to; start = addPeriods(query.period, start, 1)) {
      const row = byPeriod.get(start);
      out.push({ periodStart: start, entered: row?.entered ?? 0, converted: row?.converted ?? 0, conversion: ratio(row?.converted ?? 0, row?.entered ?? 0) });
    }
    return out;
  }

  async paths(storeId: string, raw: unknown, fieldPrefix = 'query.'): Promise<PathsResult> {
    const { store, query } = await this.prepare(storeId, raw, fieldPrefix, parsePathQuery);
    await this.browsing.refresh(storeId);
    const { anchored, rows } = await paths(this.read, { storeId, ...spanOf(query, store.timezone) }, query);
    const anchor = query.anchor.label;
    const links = new Map<string, PathsResult['links'][number]>();
    for (const row of rows) {
      // Depth counts away from the anchor: 1 is the step right after it (or right before it).
      const chain = query.direction === 'after' ? [anchor, ...row.steps] : [...row.steps, anchor];
      for (let i = 1; i < chain.length; i += 1) {
        const depth = query.direction === 'after' ? i : chain.length - i;
        const key = `${depth}\u0000${chain[i - 1]}\u0000${chain[i]}`;
        const link = links.get(key) ?? { depth, source: chain[i - 1]!, target: chain[i]!, sessions: 0 };
        link.sessions += row.sessions;
        links.set(key, link);
      }
    }
    return {
      store, query: { from: query.from, to: query.to, direction: query.direction, anchor, steps: query.steps, group: query.group },
      sessions: anchored,
      paths: rows.slice(0, query.limit).map((row) => ({ ...row, share: ratio(row.sessions, anchored) })),
      links: [...links.values()].sort((a, b) => a.depth - b.depth || b.sessions - a.sessions || a.source.localeCompare(b.source) || a.target.localeCompare(b.target)),
    };
  }

  async exits(storeId: string, raw: unknown, fieldPrefix = 'query.'): Promise<ExitsResult> {
    const { store, query } = await this.prepare(storeId, raw, fieldPrefix, parseExitQuery);
    await this.browsing.refresh(storeId);
    const span = { storeId, ...spanOf(query, store.timezone) };
    // Only the touchpoints read the deliveries: they are brought up to date while the pages are read.
    const [pages, churn, touched] = await Promise.all([
      exitPages(this.read, span, query.group),
      exitChurn(this.read, span, { inactivityDays: store.inactivityDays, sessions: query.sessions, group: query.group }),
      this.deliveries.refresh(storeId).then((usualDays) => exitTouchpoints(this.read, span, store.inactivityDays, usualDays)),
    ]);
    const rows = churn.rows.filter((r) => r.customers >= query.minCustomers).map((r) => ({ page: r.page, ...compareLapses(r.customers, r.lapsed, churn) }));
    rows.sort((a, b) => (b.lift ?? -1) - (a.lift ?? -1) || b.customers - a.customers || a.page.localeCompare(b.page));
    return {
      store, query: { from: query.from, to: query.to, sessions: query.sessions, minCustomers: query.minCustomers, group: query.group },
      exitPages: {
        sessions: pages.sessions,
        rows: pages.rows.map((r) => ({ ...r, exitRate: ratio(r.exits, r.sessions) }))
          .sort((a, b) => b.exits - a.exits || a.page.localeCompare(b.page)).slice(0, query.limit),
      },
      churn: { customers: churn.customers, lapsed: churn.lapsed, lapseRate: ratio(churn.lapsed, churn.customers), rows: rows.slice(0, query.limit) },
      touchpoints: {
        days: TOUCH_DAYS, customers: touched.customers, lapsed: touched.lapsed, lapseRate: ratio(touched.lapsed, touched.customers),
        rows: touched.rows.map((r) => ({ touchpoint: r.touchpoint, ...compareLapses(r.customers, r.lapsed, touched) })),
      },
    };
  }

  async lifecycle(storeId: string, raw: unknown, fieldPrefix = 'query.'): Promise<LifecycleResult> {
    const { store, query } = await this.prepare(storeId, raw, fieldPrefix, parseLifecycleQuery);
    const firstMonth = periodStart('month', query.from);
    const lastMonth = periodStart('month', query.to);
    await Promise.all([this.lifecycleMarks(storeId, store.inactivityDays), this.browsing.refresh(storeId)]);
    const [rows, causes, names] = await Promise.all([
      lifecycle(this.read, { storeId, timezone: store.timezone, firstMonth, lastMonth, to: query.to }),
      reactivations(this.read, { storeId, firstMonth, to: query.to }),
      this.sourceNames(storeId),
    ]);
    const months: LifecycleResult['months'] = [];
    for (let month = firstMonth; month <= lastMonth; month = addPeriods('month', month, 1)) {
      const inMonth = rows.filter((r) => r.month === month);
      months.push({
        month,
        stages: stages.map((stage) => {
          const matching = inMonth.filter((r) => r.stage === stage);
          return { stage, customers: matching.reduce((s, r) => s + r.customers, 0), revenue: matching.reduce((s, r) => s + r.revenue, 0) };
        }),
      });
    }
    const transitions = new Map<string, LifecycleResult['transitions'][number]>();
    for (const row of rows) {
      if (row.customers === 0) continue;
      const key = `${row.previous}|${row.stage}`;
      const t = transitions.get(key) ?? { from: row.previous, to: row.stage, customers: 0 };
      t.customers += row.customers;
      transitions.set(key, t);
    }
    const order = (s: Stage | null) => (s === null ? -1 : stages.indexOf(s));
    const reactivated = causes.map((c) => ({ ...c, name: c.source_id === null ? null : names.get(`${c.by}:${c.source_id}`) ?? null }));
    return { store, query, months, reactivations: reactivated, transitions: [...transitions.values()].sort((a, b) => order(a.from) - order(b.from) || order(a.to) - order(b.to)) };
  }

  /** The names of the store's campaigns, flows and offers, by `<kind>:<id>`. */
  private async sourceNames(storeId: string): Promise<Map<string, string>> {
    const { rows } = await sql<{ key: string; name: string }>`
      select 'campaign:' || id as key, name from campaigns where store_id = ${storeId}
      union all select 'flow:' || id, name from flows where store_id = ${storeId}
      union all select 'offer:' || id, name from offers where store_id = ${storeId}`.execute(this.read);
    return new Map(rows.map((r) => [r.key, r.name]));
  }

  run(report: JourneyReport, storeId: string, raw: unknown, fieldPrefix = 'query.'): Promise<JourneyResult> {
    return this[report](storeId, raw, fieldPrefix);
  }
}
