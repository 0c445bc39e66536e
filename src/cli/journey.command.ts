/**
 * `hearth report <funnels|paths|exits|lifecycle>`: the customer-journey reports as terminal tables
 * or JSON (`--json`, the same body as the API). Wrong flags exit 2 naming the flag.
 */
import type { Command } from 'commander';
import { journeyReports, lifecycleStages, type JourneyReport, type JourneyResult } from '../modules/analytics/index.js';
import type { ExitsResult, FunnelsResult, LifecycleResult, PathsResult } from '../modules/analytics/index.js';
import { AppError } from '../lib/errors.js';
import { camelKeys, snakeKeys } from '../lib/json-case.js';
import { formatDay, formatNumber, formatPercent } from '../lib/format.js';
import { formatMoney } from '../lib/money.js';
import { formatTable, printJson, resolveStore, toWire, withContextOrServer, withDataDir, type CommonOptions, type Wire } from './context.js';
import { reportCommand } from './report.command.js';

const descriptions: Record<JourneyReport, string> = {
  funnels: 'funnel conversion per step (browse → product → cart → checkout → order, or --funnel repeat, or --steps), drop-offs and where they went',
  paths: 'the most common steps after (--start) or before (--end) a page or event',
  exits: 'exit pages of sessions without a purchase, and pages seen before customers lapsed, ranked by lift',
  lifecycle: "customers per lifecycle stage per month, revenue, and movements between stages",
};

/** Flags, the query parameter each sets, and the reports that read it. */
const flags: { flags: string; param: string; help: string; reports: JourneyReport[] | 'all' }[] = [
  { flags: '--from <date>', param: 'from', help: 'first day, YYYY-MM-DD in the store time zone (default: a year before --to; exits: the first order)', reports: 'all' },
  { flags: '--to <date>', param: 'to', help: "last day (default: the store's last day with orders)", reports: 'all' },
  { flags: '--funnel <name>', param: 'funnel', help: 'purchase (default) or repeat (first order → second within 90 days)', reports: ['funnels'] },
  { flags: '--steps <steps>', param: 'steps', help: 'funnels: steps as page:<path pattern> or event:<name>, with [key=value,price>=20] property filters, | for any of, > between steps; paths: how many steps (1–5, default 3)', reports: ['funnels', 'paths'] },
  { flags: '--count <unit>', param: 'count', help: 'session (default) or customer', reports: ['funnels'] },
  { flags: '--window-days <n>', param: 'window_days', help: 'with --count customer: days from the first step (default 30)', reports: ['funnels'] },
  { flags: '--breakdown <split>', param: 'breakdown', help: 'customer_type (first vs returning, default), channel (acquisition channel), device, persona, or segment (members of --segment or not)', reports: ['funnels'] },
  { flags: '--segment <id>', param: 'segment', help: 'with --breakdown segment: the segment to compare', reports: ['funnels'] },
  { flags: '--period <period>', param: 'period', help: 'week, month or quarter for the trend (default month)', reports: ['funnels'] },
  { flags: '--start <step>', param: 'start', help: 'paths after this page or event (page:/cart, event:Product Added)', reports: ['paths'] },
  { flags: '--end <step>', param: 'end', help: 'paths before this page or event', reports: ['paths'] },
  { flags: '--group <grouping>', param: 'group', help: 'pattern (page groups, default) or url (each path)', reports: ['paths', 'exits'] },
  { flags: '--sessions <n>', param: 'sessions', help: 'last sessions read per customer (1–5, default 2)', reports: ['exits'] },
  { flags: '--min-customers <n>', param: 'min_customers', help: 'pages seen by fewer customers are left out (default 20)', reports: ['exits'] },
  { flags: '--limit <n>', param: 'limit', help: 'most rows', reports: ['funnels', 'paths', 'exits'] },
];

const camel = (param: string) => param.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function rawQuery(report: JourneyReport, options: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags) {
    if (flag.reports !== 'all' && !flag.reports.includes(report)) continue;
    const value = options[camel(flag.param)];
    if (typeof value === 'string') out[flag.param] = value;
  }
  return out;
}

const seconds = (value: number | null) => (value === null ? '' : value < 120 ? `${Math.round(value)} s` : value < 7200 ? `${Math.round(value / 60)} min` : value < 172_800 ? `${(value / 3600).toFixed(1)} h` : `${(value / 86_400).toFixed(1)} days`);

function print(report: JourneyReport, result: Wire<JourneyResult>, storeName: string): void {
  const { from, to } = result.query;
  const out: string[] = [`${storeName}: ${report}, ${formatDay(from)} – ${formatDay(to)}`];
  if (report === 'funnels') {
    const r = result as Wire<FunnelsResult>;
    out.push(formatTable(['step', 'reached', 'of start', 'of previous', 'dropped', 'went instead'], r.steps.map((s) => [
      s.label, formatNumber(s.units), formatPercent(s.conversionFromStart), formatPercent(s.conversionFromPrevious), formatNumber(s.dropOff),
      s.next.slice(0, 3).map((n) => `${n.label} ${formatPercent(n.share)}`).join(', '),
    ])));
    const t = r.timeToConvert;
    const show = (v: number | null) => (t.unit === 'days' ? (v === null ? '' : `${v} days`) : seconds(v));
    out.push(`conversion ${formatPercent(r.conversion)}; time to convert: median ${show(t.median)} (quartiles ${show(t.lowerQuartile)} – ${show(t.upperQuartile)})`);
    out.push(formatTable([r.breakdown.dimension.replace('_', ' '), 'entered', 'converted', 'conversion'], r.breakdown.rows.map((b) => [b.value, formatNumber(b.entered), formatNumber(b.converted), formatPercent(b.conversion)])));
  } else if (report === 'paths') {
    const r = result as Wire<PathsResult>;
    out.push(`${formatNumber(r.sessions)} sessions ${r.query.direction === 'after' ? 'from' : 'to'} ${r.query.anchor}`);
    out.push(formatTable(['path', 'sessions', 'share'], r.paths.map((p) => {
      const steps = p.steps.length ? p.steps.join(' → ') : '(none)';
      return [r.query.direction === 'after' ? `${r.query.anchor} → ${steps}` : `${steps} → ${r.query.anchor}`, formatNumber(p.sessions), formatPercent(p.share)];
    })));
  } else if (report === 'exits') {
    const r = result as Wire<ExitsResult>;
    out.push(`pages seen before a lapse (${formatNumber(r.churn.customers)} customers, ${formatPercent(r.churn.lapseRate)} lapsed)`);
    out.push(formatTable(['page', 'customers', 'lapsed', 'others lapsed', 'lift', '95 % CI'], r.churn.rows.map((p) => [
      p.page, formatNumber(p.customers), formatPercent(p.lapseRate), formatPercent(p.otherLapseRate), p.lift === null ? '' : `${p.lift.toFixed(2)}×`,
      p.liftLow === null || p.liftHigh === null ? '' : `${p.liftLow.toFixed(2)}–${p.liftHigh.toFixed(2)}`,
    ])));
    out.push(`touchpoints in the ${r.touchpoints.days} days before a lapse (${formatNumber(r.touchpoints.customers)} customers)`);
    out.push(formatTable(['touchpoint', 'customers', 'lapsed', 'others lapsed', 'lift', '95 % CI'], r.touchpoints.rows.map((p) => [
      p.touchpoint, formatNumber(p.customers), formatPercent(p.lapseRate), formatPercent(p.otherLapseRate), p.lift === null ? '' : `${p.lift.toFixed(2)}×`,
      p.liftLow === null || p.liftHigh === null ? '' : `${p.liftLow.toFixed(2)}–${p.liftHigh.toFixed(2)}`,
    ])));
    out.push(`exit pages of sessions without a purchase (${formatNumber(r.exitPages.sessions)} sessions)`);
    out.push(formatTable(['page', 'sessions', 'exits', 'exit rate'], r.exitPages.rows.map((p) => [p.page, formatNumber(p.sessions), formatNumber(p.exits), formatPercent(p.exitRate)])));
  } else {
    const r = result as Wire<LifecycleResult>;
    out.push(formatTable(['month', ...lifecycleStages, 'revenue'], r.months.map((m) => [
      m.month.slice(0, 7), ...lifecycleStages.map((s) => formatNumber(m.stages.find((x) => x.stage === s)?.customers ?? 0)),
      formatMoney(m.stages.reduce((sum, x) => sum + x.revenue, 0), r.store.currency),
    ])));
    out.push(formatTable(['from', 'to', 'customers'], r.transitions.map((t) => [t.from ?? '(new to the store)', t.to, formatNumber(t.customers)])));
    out.push('what preceded the reactivations (an offer used, else the latest marketing message in the 30 days before)');
    out.push(formatTable(['by', 'name', 'customers', 'revenue'], r.reactivations.map((x) => [
      x.by, x.by === 'none' ? '(nothing recorded)' : x.name ?? x.source_id ?? '', formatNumber(x.customers), formatMoney(x.revenue, r.store.currency),
    ])));
  }
  process.stdout.write(`${out.join('\n\n')}\n`);
}

export function registerJourneyCommands(program: Command): void {
  const report = reportCommand(program);
  for (const name of journeyReports) {
    const command = withDataDir(report.command(name).description(descriptions[name]));
    for (const flag of flags) if (flag.reports === 'all' || flag.reports.includes(name)) command.option(flag.flags, flag.help);
    command.option('--json', 'print the JSON the API returns').action(async (options: CommonOptions & Record<string, unknown>) => {
      const raw = rawQuery(name, options);
      // `--steps` is a count for paths and a list for funnels: both reach the service as the API's `steps`.
      const { result, storeName } = await withContextOrServer(options, async ({ services }) => {
        const store = await resolveStore(services, options.store);
        return { result: toWire(await services.analytics.journey.run(name, store.id, raw, '--')), storeName: store.name };
      }, async (server) => {
        const store = await resolveStore(server, options.store);
        return server.json<unknown>('GET', `/api/v1/analytics/${name}?${new URLSearchParams(raw).toString()}`, { store: store.id })
          .then((json) => ({ result: camelKeys(json) as Wire<JourneyResult>, storeName: store.name }))
          .catch((error: unknown) => {
            if (!(error instanceof AppError)) throw error;
            throw new AppError(error.code, error.message, error.details.map((d) => ({ ...d, path: d.path.startsWith('query.') ? `--${d.path.slice(6).replace(/_/g, '-')}` : d.path })));
          });
      });
      if (options.json) return printJson(snakeKeys(result));
      print(name, result, storeName);
    });
  }
}
