/**
 * `hearth demo`: creates the demo store in the data directory (once; later runs reuse it), then
 * starts the server and prints the owner's login. `--no-serve` only generates and prints a summary.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { Storage } from '../db/database.js';
import { snakeKeys } from '../lib/json-case.js';
import { silentLogger } from '../lib/logger.js';
import { startServer } from '../main.js';
import { DEMO_DEFAULTS, MAX_CUSTOMERS, validateDemoOptions, type DemoOptions } from '../modules/demo/index.js';
import { DEMO_LOGIN_FILE, ensureDemoStore, type DemoResult } from '../modules/demo/index.js';
import { createServices } from '../services.js';
import { CliError, formatTable, printJson } from './context.js';
import { announce, parsePort, stopOnSignals } from './serve.command.js';

interface DemoCommandOptions {
  customers?: string;
  months?: string;
  seed?: string;
  eventsPerCustomer?: string;
  ordersPerCustomer?: string;
  /** false with --no-history. */
  history?: boolean;
  serve: boolean;
  json?: boolean;
  dataDir?: string;
  port?: number;
  host?: string;
}

const FLAGS: Record<keyof DemoOptions & string, string> = {
  customers: '--customers', months: '--months', seed: '--seed', end: '--end',
  eventsPerCustomer: '--events-per-customer', ordersPerCustomer: '--orders-per-customer', history: '--no-history',
};

function numberFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value.replace(/_/g, ''));
  if (value.trim() === '' || !Number.isFinite(number)) throw new CliError(`${flag}: "${value}" is not a number`, 2);
  return number;
}

/** Checks the flags before the data directory is opened, so wrong input changes nothing. */
export function demoOptionsFrom(options: DemoCommandOptions): DemoOptions {
  const demo: DemoOptions = {
    customers: numberFlag('--customers', options.customers),
    months: numberFlag('--months', options.months),
    seed: numberFlag('--seed', options.seed),
    eventsPerCustomer: numberFlag('--events-per-customer', options.eventsPerCustomer),
    ordersPerCustomer: numberFlag('--orders-per-customer', options.ordersPerCustomer),
    history: options.history !== false,
  };
  const problem = validateDemoOptions(demo)[0];
  if (problem) throw new CliError(`${FLAGS[problem.path as keyof typeof FLAGS] ?? problem.path}: ${problem.reason}`, 2);
  return demo;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('create a demo store with realistic customers, orders and browsing (once), then start the server')
    .option('--customers <n>', `customers to simulate (default ${DEMO_DEFAULTS.customers}, at most ${MAX_CUSTOMERS})`)
    .option('--months <m>', `months of history ending today (default ${DEMO_DEFAULTS.months})`)
    .option('--seed <s>', `random seed; the same seed gives the same data (default ${DEMO_DEFAULTS.seed})`)
    .option('--events-per-customer <n>', 'sample browsing sessions down to about this many events per customer (default: all up to 200,000 customers, 10 above)')
    .option('--orders-per-customer <n>', 'scale purchase rates to this average (for benchmark data sets)')
    .option('--no-history', 'skip replaying the last months of the flows and the loyalty programme (a faster store without their runs and ledger)')
    .option('--no-serve', 'generate the store and exit')
    .option('--json', 'with --no-serve: print the summary as JSON')
    .option('--data-dir <dir>', 'data directory (default: $HEARTH_DATA_DIR or ./data)')
    .option('--port <port>', 'port to listen on (default: $HEARTH_PORT or 7600)', parsePort)
    .option('--host <host>', 'address to listen on (default: $HEARTH_HOST or 127.0.0.1)')
    .action(async (options: DemoCommandOptions) => {
      const demo = demoOptionsFrom(options);
      const config = loadConfig(undefined, { dataDir: options.dataDir, port: options.port, host: options.host });
      const storage = await Storage.open({ dataDir: config.dataDir, readers: config.db.readers, memoryLimit: config.db.memoryLimit, threads: config.db.threads });
      let result: DemoResult;
      try {
        await storage.migrate();
        const services = createServices(config, storage, silentLogger);
        result = await generateWithProgress(() => ensureDemoStore(services, config.dataDir, demo, progress.update), options.json === true);
        await services.shutdown();
      } catch (error) {
        await storage.close();
        throw error;
      }
      if (!options.serve) {
        await storage.close();
        if (options.json) printJson(snakeKeys(summaryOf(result)));
        else process.stdout.write(describe(result));
        return;
      }
      process.stdout.write(describe(result, false));
      const server = await startServer(config, { migrate: true, storage });
      stopOnSignals(server.stop);
      announce(server.url, result.login, ` (demo owner; kept in ${DEMO_LOGIN_FILE} in the data directory)`);
    });
}

const progress = {
  bar: undefined as cliProgress.SingleBar | undefined,
  started: false,
  update: (done: number, total: number): Promise<void> => {
    if (progress.bar) {
      if (!progress.started) progress.bar.start(total, 0);
      progress.started = true;
      progress.bar.update(done);
    }
    // Let the bar's timer run between chunks.
    return new Promise((resolve) => setImmediate(resolve));
  },
};

async function generateWithProgress(work: () => Promise<DemoResult>, quiet: boolean): Promise<DemoResult> {
  if (process.stderr.isTTY && !quiet) {
    progress.bar = new cliProgress.SingleBar({ format: 'simulating customers {bar} {percentage}% | {value}/{total} | ETA {eta_formatted}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
  }
  try {
    return await work();
  } finally {
    if (progress.started) progress.bar?.stop();
    progress.bar = undefined;
    progress.started = false;
  }
}

function summaryOf(result: DemoResult) {
  return {
    created: result.created,
    store: { id: result.store.id, slug: result.store.slug, name: result.store.name, timezone: result.store.timezone, currency: result.store.currency },
    login: { email: result.login.email, password: result.login.password },
    keys: { write: result.login.writeKey, secret: result.login.secretKey },
    plan: result.plan ? { ...result.plan, end: result.plan.end.toISOString() } : null,
    counts: result.counts,
    seconds: Math.round(result.seconds * 10) / 10,
  };
}

function describe(result: DemoResult, withLogin = true): string {
  const head = result.created
    ? `Created ${result.store.name} (${result.store.slug}) in ${result.seconds.toFixed(1)} s`
    : `Using the existing ${result.store.name} (${result.store.slug}); delete the data directory to generate a new one`;
  const table = formatTable(['entity', 'rows'], Object.entries(result.counts).map(([entity, n]) => [entity, n]));
  const sample = result.plan && result.plan.sessionSample < 1 ? `\nBrowsing sessions sampled at ${(result.plan.sessionSample * 100).toFixed(1)} %.` : '';
  const owner = withLogin ? `\nOwner: ${result.login.email} / ${result.login.password}` : '';
  return `${head}\n${table}${sample}${owner}\nWrite key (browser tracking): ${result.login.writeKey}\n${result.login.serverKey ? `Server key (server-side tracking: orders, consent): ${result.login.serverKey}\n` : ''}Secret key (admin API): ${result.login.secretKey}\n`;
}
