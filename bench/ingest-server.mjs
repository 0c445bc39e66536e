// The server side of bench/ingest.bench.mjs, in its own process so the load generator does not
// share its event loop: the real Hearth app over a fresh store, plus a no-op endpoint that parses
// the same body and answers without storing (the baseline). Prints one JSON line when listening.
import { loadConfig } from '../dist/config.js';
import { Storage } from '../dist/db/database.js';
import { buildApp } from '../dist/http/app.js';
import { silentLogger } from '../dist/lib/logger.js';
import { createServices } from '../dist/services.js';

const dataDir = process.argv[2];
const config = loadConfig({ HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent' });
const store = await Storage.open({ dataDir, readers: 2, memoryLimit: '1GB' });
await store.migrate();
const services = createServices(config, store, silentLogger);
const app = await buildApp(services, { logger: false });
app.post('/bench/noop', { bodyLimit: 500 * 1024 }, async (request) => ({ success: true, received: request.body.batch.length }));
// Where the memory is: the JS heap, and DuckDB's buffer manager (bounded by its memory_limit).
app.get('/bench/memory', async () => {
  globalThis.gc?.();
  const duck = await store.withWriter(async (connection) => (await connection.runAndReadAll('select sum(memory_usage_bytes) from duckdb_memory()')).getRows()[0][0]);
  const { rss, heapUsed } = process.memoryUsage();
  const windowMb = Math.round(services.ingest.writer.windowBytes / 2 ** 20);
  return { rssMb: Math.round(rss / 2 ** 20), heapMb: Math.round(heapUsed / 2 ** 20), duckdbMb: Math.round(Number(duck) / 2 ** 20), windowMb };
});
// Where the ingest writer's time goes, per phase, and the commit group sizes it achieved.
app.get('/bench/writer', async () => services.ingest.writer.profile);
await app.listen({ host: '127.0.0.1', port: 0 });
const shop = await services.accounts.createStore({ name: 'Bench Shop' });
const write = await services.accounts.createApiKey(shop.id, 'write', 'bench');
const secret = await services.accounts.createApiKey(shop.id, 'secret', 'bench');
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${app.server.address().port}`, writeKey: write.key, secretKey: secret.key })}\n`);

process.on('SIGTERM', async () => {
  await app.close();
  await services.shutdown();
  await store.close();
  process.exit(0);
});
