/**
 * `hearth report <kpis|cohorts|rfm|products|clv>`: the analytics reports as terminal tables,
 * JSON (`--json`, the same body as the API) or CSV (`--csv`, one table). Other modules add their
 * own reports with `reportCommand(program).command('<name>')`.
 */
import type { Command } from 'commander';
import { breakdowns, clvDimensions, reports, type Report, type ReportResult } from '../modules/analytics/index.js';
import { displayHeaders, displayRows, tablesOf, toCsv } from '../modules/analytics/index.js';
import { AppError } from '../lib/errors.js';
import { camelKeys, snakeKeys } from '../lib/json-case.js';
import { formatDay } from '../lib/format.js';
import { CliError, formatTable, printJson, resolveStore, toWire, withContextOrServer, withDataDir, type CommonOptions, type Wire } from './context.js';

interface ReportOptions extends CommonOptions {
  from?: string;
  to?: string;
  period?: string;
  compare?: string;
  breakdown?: string;
  by?: string;
  channel?: string;
  country?: string;
  firstProduct?: string;
  firstCategory?: string;
  firstDiscount?: string;
  paymentMethod?: string;
  retained?: string;
  since?: string;
  limit?: string;
  csv?: boolean;
  table?: string;
  refresh?: boolean;
}

const descriptions: Record<Report, string> = {
  kpis: 'customers, orders, revenue, repeat, retention and churn for a range, against a comparison range',
  cohorts: 'cohort matrix by first-order week/month/quarter: retention, orders, revenue, LTV curve, value at equal ages, best retention',
  rfm: 'RFM segments with counts and revenue share (and movement with --since)',
  products: 'retention by first product (or category with --breakdown first_category) and what customers buy next',
  clv: 'historical revenue per customer by cohort, channel, first product, category, discount or country',
};

/** Cohort matrices can be wide; the terminal shows these unless --table names another. */
const terminalTables: Partial<Record<Report, string[]>> = { cohorts: ['retention', 'customers', 'value', 'best-retention'] };

const list = (items: readonly string[]) => `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;

/** The query options, and the reports that read each. */
const reportOptions: { flags: string; help: string; reports: Report[] | 'all' }[] = [
  { flags: '--from <date>', help: 'first day of the range, YYYY-MM-DD in the store time zone (default: a year before --to; cohorts: the last 12 full months, by first order)', reports: ['kpis', 'cohorts', 'products', 'clv'] },
  { flags: '--to <date>', help: "last day of the range; rfm: the day scored (default: the store's last day with orders)", reports: 'all' },
  { flags: '--period <period>', help: 'week, month or quarter (default month)', reports: ['kpis', 'cohorts', 'clv'] },
  { flags: '--compare <compare>', help: 'previous, year or none (default previous)', reports: ['kpis'] },
  { flags: '--breakdown <attribute>', help: `${list(breakdowns)}`, reports: ['cohorts', 'products'] },
  { flags: '--by <dimension>', help: `${list(clvDimensions)} (default cohort)`, reports: ['clv'] },
  { flags: '--channel <channel>', help: 'only customers acquired through this channel', reports: 'all' },
  { flags: '--country <country>', help: 'only customers from this country', reports: 'all' },
  { flags: '--first-product <id>', help: "only customers whose first order's main product is this (external id)", reports: 'all' },
  { flags: '--first-category <category>', help: "only customers whose first order's main product is in this category", reports: 'all' },
  { flags: '--first-discount <bool>', help: 'only customers whose first order had (true) or had not (false) a discount', reports: 'all' },
  { flags: '--payment-method <method>', help: "only customers whose first order was paid this way (shopify_payments, paypal, card…)", reports: 'all' },
  { flags: '--retained <mode>', help: 'period (ordered in the period) or any_later (ordered then or later)', reports: ['cohorts'] },
  { flags: '--since <date>', help: 'the earlier date to show segment movement from', reports: ['rfm'] },
  { flags: '--limit <n>', help: 'most rows (default 100)', reports: ['products', 'clv'] },
];

/** The `report` command, created on first use, so any module can add a subcommand to it. */
export function reportCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'report')
    ?? program.command('report').description('analytics reports (tables, --json or --csv)');
}

/** The raw query both the API and the CLI hand to the analytics service. */
function rawQuery(options: ReportOptions): Record<string, string> {
  const pairs: [string, string | undefined][] = [
    ['from', options.from], ['to', options.to], ['period', options.period], ['compare', options.compare], ['breakdown', options.breakdown],
    ['by', options.by], ['channel', options.channel], ['country', options.country], ['first_product', options.firstProduct],
    ['first_category', options.firstCategory], ['first_discount', options.firstDiscount], ['payment_method', options.paymentMethod], ['retained', options.retained],
    ['since', options.since], ['limit', options.limit],
  ];
  return Object.fromEntries(pairs.filter((pair): pair is [string, string] => pair[1] !== undefined));
}

export function registerReportCommand(program: Command): Command {
  const report = reportCommand(program);
  for (const name of reports) {
    const command = withDataDir(report.command(name).description(descriptions[name]));
    // Each report shows only the options it reads.
    for (const option of reportOptions) if (option.reports === 'all' || option.reports.includes(name)) command.option(option.flags, option.help);
    command
      .option('--table <name>', 'which table to print or export')
      .option('--json', 'print the JSON the API returns')
      .option('--csv', 'print one table as CSV')
      .option('--refresh', 'rebuild the summaries from all orders first')
      .action(async (options: ReportOptions) => {
        if (options.json && options.csv) throw new CliError('--json and --csv: choose one', 2);
        const { result, storeName } = await withContextOrServer(options, async ({ services }) => {
          const store = await resolveStore(services, options.store);
          if (options.refresh) await services.analytics.refreshSummaries(store.id);
          return { result: toWire(await services.analytics.run(name, store.id, rawQuery(options), '--')), storeName: store.name };
        }, async (server) => {
          if (options.refresh) throw new CliError('--refresh: a running server holds the data directory and keeps the summaries up to date itself; to rebuild them from all orders, POST /api/v1/analytics/refresh or stop the server', 2);
          const store = await resolveStore(server, options.store);
          const storeId = store.id;
          // The API answers in snake_case (what --json prints); the tables read the service's own names.
          return server.json<unknown>('GET', `/api/v1/analytics/${name}?${new URLSearchParams(rawQuery(options)).toString()}`, { store: storeId })
            .then((json) => camelKeys(json) as Wire<ReportResult>)
            .catch((error: unknown) => {
              // The API names query fields (`query.first_product`), the command its flags (`--first-product`);
              // the route checks the query against the analytics service's own schema before the service does.
              if (!(error instanceof AppError)) throw error;
              const message = error.message === 'Invalid query' ? 'Invalid analytics query' : error.message;
              throw new AppError(error.code, message, error.details.map((d) => ({ ...d, path: d.path.startsWith('query.') ? `--${d.path.slice(6).replace(/_/g, '-')}` : d.path })));
            })
            .then((result) => ({ result, storeName: store.name }));
        });
        if (options.json) return printJson(snakeKeys(result));
        const tables = tablesOf(name, result);
        const currency = result.store.currency;
        const wanted = options.table ? [options.table] : options.csv ? [tables[0]!.name] : terminalTables[name] ?? tables.map((t) => t.name);
        const chosen = tables.filter((t) => wanted.includes(t.name));
        if (chosen.length === 0) throw new CliError(`--table: must be one of ${tables.map((t) => t.name).join(', ')}`, 2);
        if (options.csv) return void process.stdout.write(toCsv(chosen[0]!, currency));
        const { from, to } = result.query;
        process.stdout.write(`${storeName}: ${name}, ${name === 'rfm' ? `as of ${formatDay(to)}` : `${formatDay(from)} – ${formatDay(to)}`}\n`);
        for (const table of chosen) {
          process.stdout.write(`\n${table.name}\n${formatTable(displayHeaders(table), displayRows(table, currency))}\n`);
        }
      });
  }
  return report;
}
