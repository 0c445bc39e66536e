/**
 * `hearth experiments`: the store's experiments with their arms, one experiment's results per
 * window, and the power calculator. Works on the data directory, or through the server when one
 * runs on it; `--json` prints what the API answers.
 */
import type { Command } from 'commander';
import type { z } from 'zod';
import type { calibrationSchema, experimentListSchema, experimentResultsSchema, powerPlanSchema } from '../http/schemas/experiments.schemas.js';
import { formatDateTime, formatNumber } from '../lib/format.js';
import { isExperimentKind, powerRequestSchema, WINDOWS } from '../modules/experiments/index.js';
import { callBackend, CliError, formatTable, printJson, withDataDir, withStoreBackend, type CommonOptions } from './context.js';

type List = z.input<typeof experimentListSchema>;
type Results = z.input<typeof experimentResultsSchema>;
type Plan = z.input<typeof powerPlanSchema>;
type CalibrationResult = z.input<typeof calibrationSchema>;

const run = withStoreBackend;

const call = callBackend;

const percent = (v: number) => `${(v * 100).toFixed(1)} %`;
const signed = (v: number, digits: number) => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;

function windowOf(text: string | undefined): number {
  if (text === undefined) return 30;
  const value = Number(text);
  if (!(WINDOWS as readonly number[]).includes(value)) throw new CliError(`--window: one of ${WINDOWS.join(', ')}, got "${text}"`, 2);
  return value;
}

function numberOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new CliError(`--${name}: a number, got "${text}"`, 2);
  return value;
}

interface PowerOptions extends CommonOptions {
  kind?: string; baseline?: string; sd?: string; holdout?: string; perDay?: string; effect?: string; window?: string; power?: string; alpha?: string; flow?: string; segment?: string;
}

/** The options as the API's body; a bad one is a usage error naming the option. */
function powerBody(options: PowerOptions): z.output<typeof powerRequestSchema> {
  if (options.flow && options.segment) throw new CliError('--flow and --segment: give one of them', 2);
  const body = {
    kind: options.kind, baseline_mean: numberOption('baseline', options.baseline), baseline_sd: numberOption('sd', options.sd),
    holdout_share: numberOption('holdout', options.holdout) ?? 0.1, eligible_per_day: numberOption('per-day', options.perDay),
    minimum_effect: numberOption('effect', options.effect), window_days: numberOption('window', options.window) ?? 30,
    power: numberOption('power', options.power), alpha: numberOption('alpha', options.alpha),
    source: options.flow ? { flow_id: options.flow } : options.segment ? { segment_id: options.segment } : undefined,
  };
  const parsed = powerRequestSchema.safeParse(JSON.parse(JSON.stringify(body)));
  if (parsed.success) {
    const source = parsed.data.source !== undefined;
    if (parsed.data.kind === 'mean' && parsed.data.baseline_sd === undefined && !source) throw new CliError('--sd: required for a mean (or give --flow or --segment)', 2);
    if (parsed.data.baseline_mean === undefined && !source) throw new CliError('--baseline: required (or give --flow or --segment)', 2);
    if (parsed.data.eligible_per_day === undefined && !source) throw new CliError('--per-day: required (or give --flow or --segment)', 2);
    return parsed.data;
  }
  const names: Record<string, string> = { kind: 'kind', baseline_mean: 'baseline', baseline_sd: 'sd', holdout_share: 'holdout', eligible_per_day: 'per-day', minimum_effect: 'effect', window_days: 'window', power: 'power', alpha: 'alpha' };
  const issue = parsed.error.issues[0]!;
  const field = String(issue.path[0] ?? '');
  throw new CliError(`--${names[field] ?? field}: ${issue.message}`, 2);
}

export function registerExperimentsCommand(program: Command): void {
  const experiments = program.command('experiments').description('measurement: experiments with their arms, results against the holdout, the power calculator');

  withDataDir(experiments.command('list').description('experiments (campaigns, A/B tests, flows, flow splits, the global holdout), newest first'))
    .option('--kind <kind>', 'only this kind').option('--json', 'print JSON')
    .action(async (options: CommonOptions & { kind?: string }) => {
      if (options.kind !== undefined && !isExperimentKind(options.kind)) throw new CliError(`--kind: campaign, ab_test, flow, flow_split, offer or global, got "${options.kind}"`, 2);
      const kind = options.kind;
      const shown = await run(options, async (b) => ({
        store: b.store,
        list: await call<List>(b, (s) => s.experiments.list(b.storeId, { kind }).then((data) => ({ data })), 'GET', `/api/v1/experiments${kind ? `?kind=${kind}` : ''}`),
      }));
      if (options.json) return printJson(shown.list);
      if (shown.list.data.length === 0) return void process.stdout.write('No experiments yet: they appear when a campaign starts or a flow enrols someone.\n');
      process.stdout.write(`${formatTable(['id', 'kind', 'name', 'started', 'arms (people)'], shown.list.data.map((e) => [
        e.id, e.kind, e.name, formatDateTime(e.started_at, shown.store.timezone), e.arms.map((a) => `${a.key} ${formatNumber(a.people)}`).join(', '),
      ]))}\n`);
    });

  withDataDir(experiments.command('show <id>').description('an experiment\'s results in one window: each arm against the control, per metric'))
    .option('--window <days>', `${WINDOWS.join(', ')} (default 30)`).option('--json', 'print JSON (every window)')
    .action(async (id: string, options: CommonOptions & { window?: string }) => {
      const days = windowOf(options.window);
      const results = await run(options, (b) => call<Results>(b, (s) => s.experiments.results(b.storeId, id), 'GET', `/api/v1/experiments/${encodeURIComponent(id)}`));
      if (options.json) return printJson(results);
      const w = results.windows.find((x) => x.days === days)!;
      const lines = [
        `${results.name} (${results.kind}), control ${results.control_arm}; ${results.arms.map((a) => `${a.key} ${formatNumber(a.people)}`).join(', ')}.`,
        `${days}-day window: ${Object.entries(w.matured).map(([arm, n]) => `${arm} ${formatNumber(n)}`).join(', ')} counted${w.still_open ? `, ${formatNumber(w.still_open)} still inside it (monitoring)` : ''}.`,
      ];
      for (const c of w.comparisons) {
        if (c.metrics.length === 0) { lines.push('', `${c.arm}: too few people yet to compare.`); continue; }
        const show = (kind: string, v: number) => (kind === 'proportion' ? percent(v) : v.toFixed(2));
        lines.push('', `${c.arm} against ${results.control_arm}:`, formatTable(['metric', c.arm, results.control_arm, 'difference', '95 % interval', 'verdict'], c.metrics.map((m) => [
          m.metric, show(m.kind, m.treated_mean), show(m.kind, m.control_mean), m.kind === 'proportion' ? `${signed(m.difference * 100, 2)} pts` : signed(m.difference, 2),
          m.kind === 'proportion' ? `${(m.interval.low * 100).toFixed(2)} … ${(m.interval.high * 100).toFixed(2)} pts` : `${m.interval.low.toFixed(2)} … ${m.interval.high.toFixed(2)}`, m.verdict,
        ])));
        const revenue = c.metrics.find((m) => m.metric === 'net_revenue_per_person');
        if (revenue) lines.push(revenue.reason);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  withDataDir(experiments.command('power').description('how many people and days an experiment needs to detect a lift of a given size'))
    .option('--kind <kind>', 'proportion (conversion) or mean (net revenue per person, minor units)')
    .option('--baseline <mean>', 'the control\'s expected mean (default: from --flow or --segment)').option('--sd <sd>', 'its standard deviation (a mean)')
    .option('--holdout <share>', 'holdout share (default 0.1)').option('--per-day <n>', 'people eligible per day (default: from --flow or --segment)')
    .option('--effect <difference>', 'the smallest absolute difference worth detecting').option('--window <days>', 'outcome window in days (default 30)')
    .option('--power <p>', 'default 0.8').option('--alpha <a>', 'default 0.05')
    .option('--flow <id>', 'take the baseline and people per day from this flow').option('--segment <id>', 'or from this segment')
    .option('--json', 'print JSON')
    .action(async (options: PowerOptions) => {
      const body = powerBody(options);
      const plan = await run(options, (b) => call<Plan>(b, (s) => s.experiments.power(b.storeId, body), 'POST', '/api/v1/experiments/power', body));
      if (options.json) return printJson(plan);
      process.stdout.write(`${formatNumber(Math.ceil(plan.people_needed))} people (${formatNumber(Math.ceil(plan.holdout_needed))} in the holdout): ${formatNumber(Math.ceil(plan.days_to_enrol))} days to enrol, a result after ${formatNumber(Math.ceil(plan.days_to_result))} days.\n${plan.reason}\n`);
    });

  withDataDir(experiments.command('calibrate').description('A/A simulations on the store\'s own customers: are the 95 % intervals and the daily monitor calibrated?'))
    .option('--runs <n>', 'simulated experiments (default 1000)').option('--holdout <share>', 'holdout share (default 0.1)')
    .option('--window <days>', `${WINDOWS.join(', ')} (default 30)`).option('--json', 'print JSON')
    .action(async (options: CommonOptions & { runs?: string; holdout?: string; window?: string }) => {
      const runs = numberOption('runs', options.runs);
      if (runs !== undefined && !(Number.isInteger(runs) && runs >= 10 && runs <= 5_000)) throw new CliError(`--runs: a whole number from 10 to 5000, got "${options.runs}"`, 2);
      const holdout = numberOption('holdout', options.holdout);
      if (holdout !== undefined && !(holdout >= 0.01 && holdout <= 0.5)) throw new CliError(`--holdout: a share from 0.01 to 0.5, got "${options.holdout}"`, 2);
      const body = { runs, holdout_share: holdout, window_days: windowOf(options.window) };
      const result = await run(options, (b) => call<CalibrationResult>(b, (s) => s.experiments.calibrate(b.storeId, { runs, holdoutShare: holdout, windowDays: body.window_days }), 'POST', '/api/v1/experiments/calibration', JSON.parse(JSON.stringify(body))));
      if (options.json) return printJson(result);
      if (result.metrics.length === 0) return void process.stdout.write('No customer had ordered before the simulated days: nothing to calibrate on yet.\n');
      process.stdout.write(`${formatNumber(result.runs)} A/A experiments on ${formatNumber(result.customers)} customers, ${percent(result.holdout_share)} held out, ${result.window_days}-day outcomes (${result.seconds.toFixed(1)} s).\n`);
      process.stdout.write(`${formatTable(['outcome', 'covers zero', 'with CUPED', 'variance removed', 'daily looks: false positives'], result.metrics.map((m) => [
        m.metric, percent(m.coverage), percent(m.cuped_coverage), percent(m.mean_variance_reduction),
        m.peeking_rejections === null ? '' : `${percent(m.peeking_rejections)} (fixed interval: ${percent(m.naive_peeking_rejections ?? 0)})`,
      ]))}\nA calibrated 95 % interval covers zero 93–97 % of the time; the always-valid monitor stays at or under 5 %.\n`);
    });
}
