// Admin batch upsert through HTTP: orders/s through POST /api/v1/orders/batch (1,000 orders of 3
// lines per request, one client, durable acks) on the server as `hearth serve` starts it
// (startServer: summaries and segments follow each write in the background), against a no-op
// route on a second app built the same way (buildApp over the same services) in the same process
// (same body size and JSON parsing, no auth, no write), in the same run. Also: re-sending the same
// batches (all unchanged), one-order PUT latency (new, then the same order again), and one call of
// the commerce writer with 50,000 orders × 3 lines (the file importer's batch size). The worker is
// off, so the scheduled model refit cannot start in the middle of a measurement.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../dist/config.js';
import { buildApp } from '../dist/http/app.js';
import { silentLogger } from '../dist/lib/logger.js';
import { startServer } from '../dist/main.js';
import { median } from './lib/timing.mjs';

const BATCH = 1000;

function order(i, prefix) {
  return {
    external_id: `${prefix}-${i}`,
    customer_external_id: i % 6 === 0 ? null : `c-${i % 20_000}`,
    placed_at: new Date(Date.UTC(2023, 0, 1) + i * 60_000).toISOString(),
    currency: 'EUR',
    shipping: 495,
    lines: [0, 1, 2].map((j) => ({ product_external_id: `p-${(i * 7 + j) % 3000}`, quantity: 1 + ((i + j) % 3), unit_price: 500 + ((i * 13 + j) % 40) * 100 })),
  };
}


async function postAll(url, headers, bodies) {
  const started = performance.now();
  for (const body of bodies) {
    const response = await fetch(url, { method: 'POST', headers, body });
    if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  }
  return (performance.now() - started) / 1000;
}

export default async function ({ scale, tiny, log }) {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-upsert-bench-'));
  const config = loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_HOST: '127.0.0.1', HEARTH_PORT: '0', HEARTH_LOG_LEVEL: 'silent' });
  const server = await startServer(config, { migrate: true, logger: silentLogger, worker: false });
  const { services } = server;
  const store = services.storage;
  const noopApp = await buildApp(services, { logger: false });
  try {
    noopApp.post('/bench/noop', async (request) => ({ received: Array.isArray(request.body?.orders) ? request.body.orders.length : 0 }));
    await noopApp.listen({ host: '127.0.0.1', port: 0 });
    const base = server.url;
    const noopBase = `http://127.0.0.1:${noopApp.server.address().port}`;
    const shop = await services.accounts.createStore({ name: 'Bench', slug: 'bench' });
    const { key } = await services.accounts.createApiKey(shop.id, 'secret', 'bench');
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

    const batches = Math.max(2, Math.round(50 * scale));
    const bodies = Array.from({ length: batches }, (_, b) => JSON.stringify({ orders: Array.from({ length: BATCH }, (_, k) => order(b * BATCH + k, 'o')) }));
    const total = batches * BATCH;
    log(`${batches} requests of ${BATCH} orders (${(bodies[0].length / 1024).toFixed(0)} KiB each)`);

    await postAll(`${noopBase}/bench/noop`, headers, bodies.slice(0, 1));
    const noop = await postAll(`${noopBase}/bench/noop`, headers, bodies);
    const upsert = await postAll(`${base}/api/v1/orders/batch`, headers, bodies);
    const resend = await postAll(`${base}/api/v1/orders/batch`, headers, bodies);
    const stored = await store.read.selectFrom('orders').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    if (Number(stored.n) !== total) throw new Error(`expected ${total} orders, found ${stored.n}`);

    const latencies = [];
    for (let i = 0; i < (tiny ? 5 : 40); i += 1) {
      const body = JSON.stringify(order(10_000_000 + i, 'single'));
      const started = performance.now();
      const response = await fetch(`${base}/api/v1/orders/single-${10_000_000 + i}`, { method: 'PUT', headers, body });
      if (response.status !== 201) throw new Error(`PUT: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
      latencies.push(performance.now() - started);
    }
    // The same orders again: nothing to add, so these take the general merge (all unchanged).
    const again = [];
    for (let i = 0; i < (tiny ? 5 : 20); i += 1) {
      const body = JSON.stringify(order(10_000_000 + i, 'single'));
      const started = performance.now();
      const response = await fetch(`${base}/api/v1/orders/single-${10_000_000 + i}`, { method: 'PUT', headers, body });
      if (response.status !== 200) throw new Error(`PUT again: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
      again.push(performance.now() - started);
    }

    const big = Math.max(1000, Math.round(50_000 * scale));
    const writer = services.commerce;
    const batch = { orders: Array.from({ length: big }, (_, i) => ({ ...order(i, 'big'), placed_at: new Date(Date.UTC(2023, 0, 1) + i * 60_000) })) };
    let started = performance.now();
    const summary = await writer.write(shop.id, batch, { source: 'bench' });
    const bigSeconds = (performance.now() - started) / 1000;
    if (summary.orders.created !== big) throw new Error(`expected ${big} created, got ${summary.orders.created}`);
    started = performance.now();
    await writer.write(shop.id, batch, { source: 'bench' });
    const bigAgainSeconds = (performance.now() - started) / 1000;

    const rate = (seconds) => Math.round(total / seconds);
    return [
      { name: 'no-op endpoint (same process and services, same bodies)', value: rate(noop), unit: 'orders/s' },
      { name: 'POST /api/v1/orders/batch, new orders', value: rate(upsert), unit: 'orders/s', ratio: +(noop / upsert).toFixed(3), note: 'ratio = share of no-op throughput' },
      { name: 'POST /api/v1/orders/batch, same orders again', value: rate(resend), unit: 'orders/s', ratio: +(noop / resend).toFixed(3), note: 'all unchanged' },
      { name: 'PUT /api/v1/orders/:id, one new order (median)', value: +median(latencies).toFixed(1), unit: 'ms', note: 'write, then read back for the response' },
      { name: 'PUT /api/v1/orders/:id, same order again (median)', value: +median(again).toFixed(1), unit: 'ms', note: 'unchanged' },
      { name: `writer, one batch of ${big} orders × 3 lines`, value: +bigSeconds.toFixed(2), unit: 's', note: 'target: a few seconds at 50,000' },
      { name: `writer, same ${big} orders again`, value: +bigAgainSeconds.toFixed(2), unit: 's', note: 'all unchanged' },
    ];
  } finally {
    await noopApp.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
