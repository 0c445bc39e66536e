/**
 * A real Hearth server on 127.0.0.1 (port 0) over a fresh data directory, with a seeded store, an
 * owner and an analyst, serving the built dashboard.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config.js';
import { registerJobs } from '../../../src/jobs/handlers.js';
import { Worker } from '../../../src/jobs/worker.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { dashboardDir, startServer, type RunningServer } from '../../../src/main.js';
import { fitAndScore, type FitOptions, type FitReport } from '../../../src/modules/predictions/predictions.fitting.js';
import { seedStore, type SeedSummary } from './seed.js';

export interface E2eServer {
  server: RunningServer;
  url: string;
  storeId: string;
  owner: { email: string; password: string };
  analyst: { email: string; password: string };
  seed: SeedSummary;
  /** The fit made in setup (when asked for). */
  fit: FitReport | undefined;
  /** Runs the jobs queued so far, one after another, as the server's worker would; returns how many ran. */
  runJobs: () => Promise<number>;
  stop: () => Promise<void>;
}

/** Builds the dashboard when its files are missing (a fresh clone running only this suite). */
export function ensureDashboardBuilt(): void {
  if (dashboardDir()) return;
  execFileSync('npx', ['vite', 'build', 'dashboard', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (!dashboardDir()) throw new Error('The dashboard build produced no dashboard/dist/index.html');
}

/**
 * The server runs without its own worker and scheduler: the daily refit the scheduler queues a
 * minute after start would otherwise run in the middle of the tests, and a model fit holds the
 * server's event loop (every request waits) for as long as it takes. Tests run queued jobs
 * explicitly with `runJobs`, so background work happens at a known point.
 */
export async function startE2eServer(options: { customers?: number; seed?: number; fitPredictions?: Omit<FitOptions, 'currency'> } = {}): Promise<E2eServer> {
  ensureDashboardBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'hearth-e2e-'));
  const config = loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_HOST: '127.0.0.1', HEARTH_PORT: '0', HEARTH_LOG_LEVEL: 'silent' });
  const server = await startServer(config, { migrate: true, logger: silentLogger, worker: false });
  const accounts = server.services.accounts;
  const store = await accounts.createStore({ name: 'Hearth Coffee Co', slug: 'hearth-coffee', currency: 'USD', timezone: 'America/New_York' });
  const owner = { email: 'owner@example.com', password: 'owner-password-1' };
  const analyst = { email: 'analyst@example.com', password: 'analyst-password-1' };
  await accounts.addUser(store.id, { ...owner, role: 'owner', name: 'Olive Owner' });
  await accounts.addUser(store.id, { ...analyst, role: 'analyst', name: 'Andy Analyst' });
  const seed = await seedStore(server.services.storage, store.id, { ...(options.customers && { customers: options.customers }), ...(options.seed && { seed: options.seed }) });
  const fit = options.fitPredictions ? await fitAndScore(server.services.storage, store.id, { ...options.fitPredictions, currency: store.currency }) : undefined;
  const worker = new Worker(server.services.jobs, silentLogger);
  registerJobs(worker, server.services);
  return {
    server, url: server.url, storeId: store.id, owner, analyst, seed, fit,
    runJobs: async () => {
      let ran = 0;
      while (await worker.tick()) ran += 1;
      return ran;
    },
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sends events to the server's tracking API (`/v1/batch`) with a new write key of the store, as a shop's page would. */
export async function trackBatch(hearth: E2eServer, batch: Record<string, unknown>[]): Promise<void> {
  const { key } = await hearth.server.services.accounts.createApiKey(hearth.storeId, 'write', 'e2e tracking');
  const response = await fetch(`${hearth.url}/v1/batch`, {
    method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`, 'content-type': 'application/json' }, body: JSON.stringify({ batch }),
  });
  if (response.status !== 200) throw new Error(`/v1/batch answered ${response.status}: ${await response.text()}`);
}
