// Loyalty balances and redemptions as a shop's server calls them, at 1M members (targets: a balance
// read's p99 ≤ 10 ms under 200 requests/s; ≥ 500 redemptions/s with idempotency keys). The store is
// generated set-based (1M customers, 2M orders over three years) and its past orders are awarded by
// `hearth loyalty backfill`; the server is started as `hearth serve` starts it (its worker off), with
// a reward costing one point.
// Requests come from a worker thread over keep-alive connections (lib/http-load.mjs), as a shop's
// server would send them, not from `fetch` on the product's own event loop.
// - Balance reads: GET /api/v1/loyalty/customers/:id for random members, sent at a steady 200
//   requests/s (open loop: each request leaves on its schedule, whatever the earlier ones do) for
//   10 s; latency from send to answer, p50 and p99.
// - Redemptions: POST /api/v1/loyalty/customers/:id/redemptions, each with its own Idempotency-Key,
//   for distinct members, 16 at a time; then the same requests again (retries answered from the
//   first answer); then as many new ones 64 at a time (more of them arrive while a group is written).
// Baseline in the same run: GET /healthz at the same rate (the server's floor for one request).
// The server loads every member's balance inputs as it starts; the measures begin once it has, and
// how long that took is reported.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../dist/config.js';
import { silentLogger } from '../dist/lib/logger.js';
import { startServer } from '../dist/main.js';
import { runHearth } from './lib/hearth.mjs';
import { sendLoad } from './lib/http-load.mjs';
import { generateLoyaltyStore } from './lib/loyalty-store.mjs';

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export default async function ({ scale, tiny, log }) {
  const members = Math.max(1_000, Math.round(1_000_000 * scale));
  const seconds = tiny ? 1 : 10;
  const redemptions = tiny ? 50 : 2_000;
  const memoryLimit = process.env.HEARTH_DB_MEMORY_LIMIT || '4GB';
  const dir = mkdtempSync(join(tmpdir(), 'hearth-loyalty-serving-bench-'));
  try {
    const dataDir = join(dir, 'data');
    const reward = { id: 'thanks', name: 'A thank-you', kind: 'amount_off', points: 1, value: 100 };
    await generateLoyaltyStore(dataDir, { orders: members * 2, customers: members, memoryLimit, log, settings: { pending: { days: 0, from: 'payment' }, rewards: [reward] } });
    const backfill = await runHearth(['loyalty', 'backfill', '--data-dir', dataDir, '--json'], { env: { HEARTH_DB_MEMORY_LIMIT: memoryLimit }, log });
    log(`backfill: ${backfill.json.orders.toLocaleString('en')} orders awarded in ${backfill.seconds.toFixed(1)} s`);
    const config = loadConfig({ HEARTH_DATA_DIR: dataDir, HEARTH_HOST: '127.0.0.1', HEARTH_PORT: '0', HEARTH_LOG_LEVEL: 'silent', HEARTH_DB_MEMORY_LIMIT: memoryLimit });
    const starting = performance.now();
    const server = await startServer(config, { migrate: true, logger: silentLogger, worker: false });
    try {
      const [store] = await server.services.accounts.listStores();
      // The server loads the store's balances as it starts; measure once it has (the time from start is a figure).
      await server.services.loyalty.warmBalances(store.id);
      const loadedMs = performance.now() - starting;
      log(`server started and balances loaded in ${(loadedMs / 1000).toFixed(1)} s`);
      const { key } = await server.services.accounts.createApiKey(store.id, 'secret', 'bench');
      const headers = { authorization: `Bearer ${key}` };
      const rows = await server.services.storage.read.selectFrom('loyalty_entries').select('customer_id').distinct()
        .where('store_id', '=', store.id).where('kind', '=', 'earn').where('state', '=', 'available').where('points', '>', 0).execute();
      const ids = rows.map((r) => Number(r.customer_id));
      log(`${ids.length.toLocaleString('en')} members with points`);
      const pick = (i) => ids[(i * 7_919 + 13) % ids.length];
      const many = (n, request) => Array.from({ length: n }, (_, i) => request(i));
      const healthz = () => ({ path: '/healthz' });
      const load = (requests, options) => sendLoad({ url: server.url, requests, ...options });

      await load(many(50, healthz), { rate: 50 }); // warm-up
      const floor = await load(many(200 * seconds, healthz), { rate: 200 });
      const reads = await load(many(200 * seconds, (i) => ({ path: `/api/v1/loyalty/customers/${pick(i)}`, headers })), { rate: 200 });
      const count = Math.min(redemptions, ids.length);
      const redeemAs = (prefix, offset) => many(count, (i) => ({
        method: 'POST', path: `/api/v1/loyalty/customers/${ids[(offset + i) % ids.length]}/redemptions`,
        headers: { ...headers, 'idempotency-key': `${prefix}-${i}` }, body: JSON.stringify({ reward_id: reward.id }),
      }));
      const first = await load(redeemAs('bench', 0), { width: 16 });
      const retried = await load(redeemAs('bench', 0), { width: 16 });
      const wide = await load(redeemAs('wide', count), { width: 64 });
      const p99 = percentile(reads.latencies, 99);
      const floorP99 = percentile(floor.latencies, 99);
      for (const [name, run] of Object.entries({ reads, redemptions: first, retries: retried, 'redemptions 64 at a time': wide })) {
        if (run.failures) log(`failures: ${name} ${JSON.stringify(run.statuses)}`);
      }
      return [
        { name: `balance read p99 at 200 requests/s, ${ids.length.toLocaleString('en')} members`, value: +p99.toFixed(2), unit: 'ms', ratio: +(p99 / floorP99).toFixed(2), note: `p50 ${percentile(reads.latencies, 50).toFixed(2)} ms; ratio to GET /healthz at the same rate; target ≤ 10 ms` },
        { name: 'GET /healthz p99 at 200 requests/s (baseline)', value: +floorP99.toFixed(2), unit: 'ms' },
        { name: 'server start, balances loaded', value: +(loadedMs / 1000).toFixed(2), unit: 's', note: `${ids.length.toLocaleString('en')} members, one pass over the store's ledger` },
        { name: `redemptions with Idempotency-Key, 16 at a time (${count.toLocaleString('en')})`, value: Math.round(count / first.seconds), unit: 'redemptions/s', note: 'target ≥ 500/s' },
        { name: 'the same redemptions retried (answered from the first answer)', value: Math.round(count / retried.seconds), unit: 'requests/s' },
        { name: `new redemptions, 64 at a time (${count.toLocaleString('en')})`, value: Math.round(count / wide.seconds), unit: 'redemptions/s', note: 'target ≥ 500/s' },
      ];
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
