// Loyalty balances and redemptions as a shop's server calls them, at 1M members (targets: a balance
// read's p99 ≤ 10 ms under 200 requests/s; ≥ 500 redemptions/s with idempotency keys). The store is
// generated set-based (1M customers, 2M orders over three years) and its past orders are awarded by
// `hearth loyalty backfill`; the server is started as `hearth serve` starts it (its worker off), with
// a reward costing one point.
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
import { generateLoyaltyStore } from './lib/loyalty-store.mjs';

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Sends `rate` requests a second for `seconds` on schedule; resolves with the sorted latencies (ms) and the failures. */
async function openLoop(rate, seconds, request) {
  const latencies = [];
  let failures = 0;
  const started = performance.now();
  const pending = [];
  for (let i = 0; i < rate * seconds; i += 1) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    pending.push(request(i).then((ok) => {
      if (ok) latencies.push(performance.now() - sent);
      else failures += 1;
    }));
  }
  await Promise.all(pending);
  return { latencies: latencies.sort((a, b) => a - b), failures };
}

/** Runs `count` calls `width` at a time; resolves with the seconds taken and the failures. */
async function closedLoop(count, width, call) {
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) {
      const i = next++;
      if (!(await call(i))) failures += 1;
    }
  }));
  return { seconds: (performance.now() - started) / 1000, failures };
}

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
      const get = (path) => fetch(`${server.url}${path}`, { headers }).then(async (r) => { await r.arrayBuffer(); return r.ok; });

      await openLoop(50, 1, () => get('/healthz')); // warm-up
      const floor = await openLoop(200, seconds, () => get('/healthz'));
      const reads = await openLoop(200, seconds, (i) => get(`/api/v1/loyalty/customers/${pick(i)}`));
      const redeemAs = (prefix, offset) => (i) => fetch(`${server.url}/api/v1/loyalty/customers/${ids[(offset + i) % ids.length]}/redemptions`, {
        method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': `${prefix}-${i}` }, body: JSON.stringify({ reward_id: reward.id }),
      }).then(async (r) => { await r.arrayBuffer(); return r.status === 201 || r.status === 200; });
      const redeem = redeemAs('bench', 0);
      const first = await closedLoop(Math.min(redemptions, ids.length), 16, redeem);
      const retried = await closedLoop(Math.min(redemptions, ids.length), 16, redeem);
      const wide = await closedLoop(Math.min(redemptions, ids.length), 64, redeemAs('wide', Math.min(redemptions, ids.length)));
      const p99 = percentile(reads.latencies, 99);
      const floorP99 = percentile(floor.latencies, 99);
      const count = Math.min(redemptions, ids.length);
      if (reads.failures || first.failures || retried.failures || wide.failures) log(`failures: reads ${reads.failures}, redemptions ${first.failures}, retries ${retried.failures}, 64 at a time ${wide.failures}`);
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
