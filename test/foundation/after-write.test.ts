import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { tempDir } from '../helpers/store.js';

describe('after orders are written through the running server', () => {
  const dir = tempDir('hearth-after-write-');
  let server: RunningServer;
  let storeId: string;
  let key: string;

  beforeAll(async () => {
    server = await startServer(loadConfig({ HEARTH_DATA_DIR: dir.path, HEARTH_PORT: '0', HEARTH_LOG_LEVEL: 'silent' }), { migrate: true, logger: silentLogger, worker: false });
    const store = await server.services.accounts.createStore({ name: 'Follow-up Store', currency: 'EUR' });
    storeId = store.id;
    key = (await server.services.accounts.createApiKey(storeId, 'secret', 'test')).key;
  });
  afterAll(async () => {
    await server.stop();
    dir.remove();
  });

  it('brings the report summaries up to date and queues a segment refresh, without delaying the write', async () => {
    const order = (n: number) => ({
      external_id: `o-${n}`, customer_external_id: 'c-1', placed_at: `2026-0${n}-10T10:00:00Z`, currency: 'EUR',
      lines: [{ product_external_id: 'p-1', quantity: 1, unit_price: 2500 }],
    });
    const response = await fetch(`${server.url}/api/v1/orders/batch`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ orders: [order(1), order(2), order(3)] }),
    });
    expect(response.status).toBe(200);

    const db = server.services.storage.read;
    let summarised = 0;
    let refreshQueued = false;
    for (let i = 0; i < 100 && !(summarised === 3 && refreshQueued); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const state = await sql<{ n: number }>`select orders_count as n from analytics_state where store_id = ${storeId}`.execute(db);
      summarised = Number(state.rows[0]?.n ?? 0);
      refreshQueued = (await server.services.jobs.list({ storeId })).some((job) => job.kind === 'segments.refresh');
    }
    expect(summarised).toBe(3);
    expect(refreshQueued).toBe(true);
    const facts = await sql<{ revenue: number }>`select sum(revenue) as revenue from order_facts where store_id = ${storeId}`.execute(db);
    expect(Number(facts.rows[0]?.revenue)).toBe(7500);
  });
});
