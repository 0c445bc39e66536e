// Recommendations on the demo store `hearth demo` makes (1M customers / ~10M orders at scale 1;
// this benchmark works on its own copy), through the services and the HTTP server as they are
// wired (createServices, buildApp listening on a port):
// - fit every model on all orders (`recommendations.fit`, what the job runs), with the event loop's
//   longest stall meanwhile (the counting is DuckDB's, off the loop) and the process's peak RSS;
//   its baseline is one naive query in the same run: customers per product over every order line;
// - serve one customer's top 10 with explanations, `GET /api/v1/customers/:id/recommendations?k=10`
//   over HTTP at a steady 200 requests/s for 20 s (customers drawn from those with orders), p50 /
//   p99; its baseline is a trivial authenticated read at the same rate in the same run
//   (`GET /api/v1/recommendations/settings`, one small query). Requests are served from the
//   history index in memory, read after the first request (its time and size are printed).
//   Targets: fit ≤ 60 s, p99 ≤ 10 ms.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'kysely';
import { loadConfig } from '../dist/config.js';
import { Storage } from '../dist/db/database.js';
import { buildApp } from '../dist/http/app.js';
import { silentLogger } from '../dist/lib/logger.js';
import { createServices } from '../dist/services.js';
import { copyOfDemoStore, demoCustomers } from './lib/hearth.mjs';

const RATE = 200;
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** Fires `paths` at a steady `rate` per second for `seconds` (each request on its own schedule, not waiting for the last); latencies in ms, sorted. */
async function steadyLoad(base, key, paths, rate, seconds) {
  const total = Math.round(rate * seconds);
  const latencies = [];
  const started = performance.now();
  const pending = [];
  for (let i = 0; i < total; i += 1) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push((async () => {
      const sent = performance.now();
      const response = await fetch(`${base}${paths[i % paths.length]}`, { headers: { authorization: `Bearer ${key}` } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${paths[i % paths.length]}: ${response.status}`);
      latencies.push(performance.now() - sent);
    })());
  }
  await Promise.all(pending);
  return latencies.sort((a, b) => a - b);
}

export default async function ({ scale, tiny, log }) {
  const customers = demoCustomers(scale);
  const { dir, summary: demo } = await copyOfDemoStore(customers, { log });
  const STORE = demo.store.id;
  const { secretKey } = JSON.parse(readFileSync(join(dir, 'demo-login.json'), 'utf8'));
  const config = loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_LOG_LEVEL: 'silent' });
  const storage = await Storage.open({ dataDir: dir, readers: config.db.readers, memoryLimit: config.db.memoryLimit, threads: config.db.threads });
  const rows = [];
  try {
    const services = createServices(config, storage, silentLogger);
    const naiveStarted = performance.now();
    await sql`select l.product_id, count(distinct o.customer_id) from order_lines l join orders o on o.store_id = l.store_id and o.id = l.order_id
      where l.store_id = ${STORE} group by l.product_id`.execute(storage.read);
    const naiveMs = performance.now() - naiveStarted;

    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const fitStarted = performance.now();
    const fit = await services.recommendations.fit(STORE);
    const fitMs = performance.now() - fitStarted;
    loop.disable();
    rows.push({
      name: 'fit all models (buy again, bought together, next product, popular)', value: (fitMs / 1000).toFixed(1), unit: 's', ratio: (fitMs / naiveMs).toFixed(1),
      note: `${demo.counts.customers.toLocaleString('en')} customers, ${demo.counts.orders.toLocaleString('en')} orders; ${fit.products} products, ${fit.pairs.toLocaleString('en')} neighbour pairs; longest event-loop stall ${(loop.max / 1e6).toFixed(0)} ms; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB; naive customers-per-product query ${Math.round(naiveMs)} ms; target ≤ 60 s`,
    });

    const app = await buildApp(services, { logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${app.server.address().port}`;
    const { rows: sample } = await sql`select distinct customer_id from orders where store_id = ${STORE} and customer_id is not null order by hash(customer_id) limit 2000`.execute(storage.read);
    const paths = sample.map((r) => `/api/v1/customers/${Number(r.customer_id)}/recommendations?k=10`);
    const seconds = tiny ? 1 : 20;
    // Warm: the fit is read once, and the first request starts reading the history index, which
    // later requests are served from (until it is read they are served from the database).
    const indexStarted = performance.now();
    await steadyLoad(base, secretKey, paths.slice(0, 50), 50, 1);
    while (!services.recommendations.historyIndex(STORE)) await new Promise((resolve) => setTimeout(resolve, 50));
    const indexSeconds = (performance.now() - indexStarted) / 1000;
    const index = services.recommendations.historyIndex(STORE);
    const baseline = await steadyLoad(base, secretKey, ['/api/v1/recommendations/settings'], RATE, seconds);
    const served = await steadyLoad(base, secretKey, paths, RATE, seconds);
    const p = (list, q) => quantile(list, q).toFixed(1);
    rows.push({
      name: `one customer's top 10 with explanations, ${RATE} requests/s over HTTP`, value: `${p(served, 0.5)} / ${p(served, 0.99)}`, unit: 'ms p50 / p99',
      ratio: (quantile(served, 0.99) / quantile(baseline, 0.99)).toFixed(2),
      note: `${served.length.toLocaleString('en')} requests over ${paths.length.toLocaleString('en')} customers; a trivial authenticated read at the same rate: p50 / p99 ${p(baseline, 0.5)} / ${p(baseline, 0.99)} ms; history index (${index.customers.toLocaleString('en')} customers, ${index.orders.toLocaleString('en')} orders, ${index.lines.toLocaleString('en')} lines) read in ${indexSeconds.toFixed(1)} s after the first request; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB; target p99 ≤ 10 ms`,
    });
    await app.close();
    await services.shutdown();
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
