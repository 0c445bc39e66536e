/**
 * At-least-once delivery across a crash: a server is killed with SIGKILL after committing orders
 * whose events a subscriber had received but not finished; the CLI then writes while no server
 * runs. When a server starts again, every one of those events reaches the subscriber (the
 * unfinished batch again), and the server's own subscribers bring the summaries up to date.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { startServer } from '../../src/main.js';
import { Dispatcher } from '../../src/modules/domain-events/index.js';
import { startNode } from '../helpers/cli.js';
import { realData } from '../helpers/imports.js';
import { tempDir } from '../helpers/store.js';

const dir = tempDir('hearth-outbox-');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  dir.remove();
});

async function startChild(dataDir: string, recordFile: string) {
  const started = await startNode(['--import', 'tsx', 'test/domain-events/outbox-child.ts', dataDir, recordFile], /READY (\S+) (\S+) (\S+)/, {}, 30_000);
  children.push(started.child);
  const [, url, storeId, key] = started.match as unknown as [string, string, string, string];
  return { child: started.child, url, storeId, key };
}

const idsIn = (file: string): number[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : []);

describe('domain event delivery across SIGKILL and CLI writes', () => {
  it('delivers every committed event to each subscriber after a restart', async () => {
    const dataDir = join(dir.path, 'data');
    const recordFile = join(dir.path, 'recorded.txt');
    const { child, url, storeId, key } = await startChild(dataDir, recordFile);
    const acked: string[] = [];
    for (let n = 0; n < 5; n += 1) {
      const orders = Array.from({ length: 20 }, (_, i) => ({
        external_id: `k-${n}-${i}`, customer_external_id: `c-${i % 7}`, placed_at: `2026-10-${String(10 + n).padStart(2, '0')}T10:00:00Z`, currency: 'EUR',
        lines: [{ product_external_id: 'p-1', quantity: 1, unit_price: 1000 + i }],
      }));
      const response = await fetch(`${url}/api/v1/orders/batch`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ orders }) });
      expect(response.status).toBe(200);
      acked.push(...orders.map((o) => o.external_id));
    }
    // The recorder has received a batch it will never finish; kill the server there.
    for (let i = 0; i < 300 && idsIn(recordFile).length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    const receivedBeforeKill = idsIn(recordFile);
    expect(receivedBeforeKill.length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    // While no server runs, the CLI writes too.
    const imported = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'import', realData('cdnow/CDNOW_sample.txt'), '--format', 'cdnow',
      '--store', storeId, '--data-dir', dataDir, '--json'], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, HEARTH_LOG_LEVEL: 'silent' } });
    expect(imported.stderr).toBe('');
    const cliOrders = JSON.parse(imported.stdout).orders.created as number;
    expect(cliOrders).toBe(6919);

    const server = await startServer(loadConfig({ HEARTH_DATA_DIR: dataDir, HEARTH_PORT: '0', HEARTH_LOG_LEVEL: 'silent' }), { logger: silentLogger, worker: false });
    const delivered: number[] = [];
    const recorder = new Dispatcher(server.services.storage, silentLogger, { pollMs: 20 }).subscribe({
      name: 'recorder', types: ['order.placed'], handle: async (events) => { delivered.push(...events.map((e) => e.id)); },
    });
    try {
      await recorder.start();
      await recorder.idle(60_000);
      await server.dispatcher.idle(60_000);
      const db = server.services.storage.read;
      const placed = await db.selectFrom('domain_events').select('id').where('type', '=', 'order.placed').where('store_id', '=', storeId).orderBy('id').execute();
      // One event per order (100 through the API, the CLI's import), each delivered exactly once now…
      expect(placed.length).toBe(acked.length + cliOrders);
      expect(delivered).toEqual(placed.map((row) => Number(row.id)));
      // …including the batch that was received before the kill and never finished.
      expect(delivered).toEqual(expect.arrayContaining(receivedBeforeKill));
      // The server's own subscribers caught up: the summaries count every order.
      const state = await sql<{ n: number }>`select orders_count as n from analytics_state where store_id = ${storeId}`.execute(db);
      expect(Number(state.rows[0]?.n)).toBe(acked.length + cliOrders);
    } finally {
      await recorder.stop();
      await server.stop();
    }
  }, 120_000);
});
