/**
 * A real Hearth server on 127.0.0.1 (port 0) over a fresh data directory, with a seeded store, an
 * owner and an analyst, serving the built dashboard.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { dashboardDir, startServer, type RunningServer } from '../../../src/main.js';
import { seedStore, type SeedSummary } from './seed.js';

export interface E2eServer {
  server: RunningServer;
  url: string;
  storeId: string;
  owner: { email: string; password: string };
  analyst: { email: string; password: string };
  seed: SeedSummary;
  stop: () => Promise<void>;
}

/** Builds the dashboard when its files are missing (a fresh clone running only this suite). */
export function ensureDashboardBuilt(): void {
  if (dashboardDir()) return;
  execFileSync('npx', ['vite', 'build', 'dashboard', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (!dashboardDir()) throw new Error('The dashboard build produced no dashboard/dist/index.html');
}

export async function startE2eServer(options: { customers?: number } = {}): Promise<E2eServer> {
  ensureDashboardBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'hearth-e2e-'));
  const config = loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_HOST: '127.0.0.1', HEARTH_PORT: '0', HEARTH_LOG_LEVEL: 'silent' });
  const server = await startServer(config, { migrate: true, logger: silentLogger });
  const accounts = server.services.accounts;
  const store = await accounts.createStore({ name: 'Hearth Coffee Co', slug: 'hearth-coffee', currency: 'USD', timezone: 'America/New_York' });
  const owner = { email: 'owner@example.com', password: 'owner-password-1' };
  const analyst = { email: 'analyst@example.com', password: 'analyst-password-1' };
  await accounts.addUser(store.id, { ...owner, role: 'owner', name: 'Olive Owner' });
  await accounts.addUser(store.id, { ...analyst, role: 'analyst', name: 'Andy Analyst' });
  const seed = await seedStore(server.services.store, store.id, options);
  return {
    server, url: server.url, storeId: store.id, owner, analyst, seed,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

