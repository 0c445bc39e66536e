// The server side of bench/ingest.bench.mjs, in its own process so the load generator does not
// share its event loop: Hearth's server as `hearth serve` starts it (startServer) over a fresh data
// directory, with the configuration's defaults (HEARTH_DB_MEMORY_LIMIT 1GB unless set). A second
// app built the same way over the same services, in the same process, carries what only the
// benchmark needs: a no-op endpoint that parses the same body and answers without storing (the
// baseline) and two read-outs. The worker is off, so the scheduled model refit cannot start in
// the middle of the run. Prints one JSON line when listening.
import { loadConfig } from '../dist/config.js';
import { buildApp } from '../dist/http/app.js';
import { silentLogger } from '../dist/lib/logger.js';
import { startServer } from '../dist/main.js';

const dataDir = process.argv[2];
const config = loadConfig({ ...process.env, HEARTH_DATA_DIR: dataDir, HEARTH_HOST: '127.0.0.1', HEARTH_PORT: '0', HEARTH_LOG_LEVEL: 'silent' });
const server = await startServer(config, { migrate: true, logger: silentLogger, worker: false });
const { services } = server;
const bench = await buildApp(services, { logger: false });
bench.post('/bench/noop', { bodyLimit: 500 * 1024 }, async (request) => ({ success: true, received: request.body.batch.length }));
// Where the memory is: the JS heap, and DuckDB's buffer manager (bounded by its memory_limit).
bench.get('/bench/memory', async () => {
  globalThis.gc?.();
  const duck = await services.storage.withWriter(async (connection) => (await connection.runAndReadAll('select sum(memory_usage_bytes) from duckdb_memory()')).getRows()[0][0]);
  const { rss, heapUsed } = process.memoryUsage();
  const windowMb = Math.round(services.ingest.writer.windowBytes / 2 ** 20);
  return { rssMb: Math.round(rss / 2 ** 20), heapMb: Math.round(heapUsed / 2 ** 20), duckdbMb: Math.round(Number(duck) / 2 ** 20), windowMb };
});
// Where the ingest writer's time goes, per phase, and the commit group sizes it achieved.
bench.get('/bench/writer', async () => services.ingest.writer.profile);
// How long domain events wait between their commit and their delivery to each subscriber,
// since the last read-out (every event's lag is kept; a run stores a few million).
let lags = new Map();
server.dispatcher.onLag((subscriber, ms) => {
  let list = lags.get(subscriber);
  if (!list) lags.set(subscriber, (list = []));
  for (const lag of ms.delivered) list.push(lag);
});
bench.get('/bench/lag', async (request) => {
  if (request.query.drain === '1') await server.dispatcher.idle(60_000);
  const out = {};
  for (const [subscriber, list] of lags) {
    const sorted = Float64Array.from(list).sort();
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    out[subscriber] = { events: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
  }
  lags = new Map();
  return out;
});
await bench.listen({ host: '127.0.0.1', port: 0 });
const shop = await services.accounts.createStore({ name: 'Bench Shop' });
const write = await services.accounts.createApiKey(shop.id, 'write', 'bench');
const secret = await services.accounts.createApiKey(shop.id, 'secret', 'bench');
process.stdout.write(`${JSON.stringify({ url: server.url, benchUrl: `http://127.0.0.1:${bench.server.address().port}`, writeKey: write.key, secretKey: secret.key, memoryLimit: config.db.memoryLimit })}\n`);

process.on('SIGTERM', async () => {
  await bench.close();
  await server.stop();
  process.exit(0);
});
