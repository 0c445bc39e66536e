// How benchmarks get their data and run the product: the `hearth` CLI as a child process (as an
// operator runs it), and demo stores made by `hearth demo --no-serve`, generated once per run and
// size and copied for each benchmark that reads them, so one benchmark's writes never reach another.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HEARTH_BIN = join(root, 'bin', 'hearth.js');

/** Peak resident memory of a running process so far (Linux; undefined elsewhere). */
function highWaterMb(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, all threads) a running process has used so far (Linux; USER_HZ = 100). */
function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Runs `hearth ARGS` and resolves with its wall time (spawn to exit), output, the parsed JSON
 * summary when it printed one, and its peak RSS and CPU time as last sampled (every 100 ms, so
 * the CPU time may miss the last tenth of a second). Throws on a non-zero exit.
 */
export function runHearth(args, { env = {}, log } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [HEARTH_BIN, ...args], {
      env: { ...process.env, HEARTH_LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let peakRssMb;
    let cpuSeconds;
    const sampler = setInterval(() => {
      peakRssMb = highWaterMb(child.pid) ?? peakRssMb;
      cpuSeconds = cpuSecondsOf(child.pid) ?? cpuSeconds;
    }, 100);
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', (error) => { clearInterval(sampler); reject(error); });
    child.on('exit', (code, signal) => {
      clearInterval(sampler);
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) {
        reject(new Error(`hearth ${args.join(' ')} exited with ${code ?? signal}:\n${stderr || stdout}`));
        return;
      }
      let json;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      log?.(`hearth ${args[0]}: ${seconds.toFixed(1)} s`);
      resolve({ seconds, stdout, stderr, json, peakRssMb: peakRssMb === undefined ? undefined : Math.round(peakRssMb), cpuSeconds });
    });
  });
}

/**
 * Starts `hearth serve` on a data directory (port chosen by the OS) and resolves once it listens,
 * with its URL and a `stop()` that sends SIGTERM and waits for the exit.
 */
export function serveHearth(dataDir, { env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HEARTH_BIN, 'serve', '--migrate', '--port', '0', '--data-dir', dataDir], {
      env: { ...process.env, HEARTH_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk) => {
      output += chunk;
      const match = /Hearth is running at (\S+)/.exec(output);
      if (match) {
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        resolve({
          url: match[1], pid: child.pid,
          stop: () => new Promise((done) => { child.once('exit', done); child.kill('SIGTERM'); }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`hearth serve exited with ${code}:\n${output}`)));
  });
}

/** Demo stores of this process, by size: generated once, removed on exit. */
const demos = new Map();
process.once('exit', () => {
  for (const { dir } of demos.values()) rmSync(dir, { recursive: true, force: true });
});

/** Customers of the reference data set (the design's 1M customers / 10M orders), × scale. */
export const demoCustomers = (scale) => Math.max(1_000, Math.round(1_000_000 * scale));

/** Benchmark-sized demo data: ~10 orders and ~10 browsing events per customer. */
export const DEMO_SHAPE = { ordersPerCustomer: 10, eventsPerCustomer: 10 };

/**
 * The demo store of `customers` customers made by `hearth demo --no-serve --json` (store, data,
 * owner, keys, summaries, models, personas), generated on first use in this process. `shape`:
 * DEMO_SHAPE (the default) or null for what `hearth demo` picks on its own.
 */
export async function demoStore(customers, { log, shape = DEMO_SHAPE } = {}) {
  const key = `${customers}:${JSON.stringify(shape)}`;
  let demo = demos.get(key);
  if (!demo) {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-demo-'));
    const flags = shape ? ['--orders-per-customer', String(shape.ordersPerCustomer), '--events-per-customer', String(shape.eventsPerCustomer)] : [];
    const ready = (async () => {
      log?.(`generating a demo store of ${customers.toLocaleString('en')} customers (hearth demo --no-serve --no-history${shape ? ` ${flags.join(' ')}` : ''})`);
      // Without the replayed flow and loyalty history: the benchmarks measure the data, and the
      // replay walks day by day through the services (see docs/demo.md).
      const run = await runHearth(['demo', '--no-serve', '--no-history', '--json', '--data-dir', dir, '--customers', String(customers), ...flags]);
      if (!run.json?.store?.id) throw new Error(`hearth demo printed no summary:\n${run.stdout}`);
      return { dir, run, summary: run.json };
    })();
    demo = { dir, ready };
    demos.set(key, demo);
  }
  return demo.ready;
}

/**
 * A demo store made beforehand, named by HEARTH_BENCH_DEMO_DIR: the data directory of
 * `hearth demo --no-serve --no-history --json --data-dir DIR --customers N --orders-per-customer 10
 * --events-per-customer 10`, with that command's output saved as `DIR/demo-summary.json` (the 1M
 * store takes longer to make than a benchmark run should). Used only when its size and shape are
 * the ones asked for; the benchmarks work on copies of it.
 */
function madeBeforehand(customers, shape, log) {
  const dir = process.env.HEARTH_BENCH_DEMO_DIR;
  if (!dir) return undefined;
  const summary = JSON.parse(readFileSync(join(dir, 'demo-summary.json'), 'utf8'));
  const size = summary.counts?.customers;
  if (size !== customers || JSON.stringify(shape) !== JSON.stringify(DEMO_SHAPE)) {
    log?.(`HEARTH_BENCH_DEMO_DIR holds ${size} customers, not ${customers} in this shape: generating the store instead`);
    return undefined;
  }
  log?.(`the demo store of ${customers.toLocaleString('en')} customers made beforehand (HEARTH_BENCH_DEMO_DIR)`);
  return { dir, summary };
}

/** A private copy of a demo store's data directory (remove it with `rmSync` when done). */
export async function copyOfDemoStore(customers, { log, shape = DEMO_SHAPE } = {}) {
  const demo = madeBeforehand(customers, shape, log) ?? await demoStore(customers, { log, shape });
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-copy-'));
  cpSync(demo.dir, dir, { recursive: true });
  if (!existsSync(join(dir, 'demo-login.json'))) throw new Error('the demo store has no login file');
  return { dir, summary: demo.summary };
}
