// Experiment results at a million assignments: customers and their orders are written through the
// commerce writer; the store's global holdout, turned on 120 days earlier, makes every customer
// eligible (one experiment, a million assignments, synced by the product's own statement): 60 % from
// the day it began, the other 40 % each from the second they joined after it. Then
// `GET /api/v1/experiments/:id` through app.inject(): first once, when every person's values are
// computed and kept (one pass over the assignments and their orders), then warm, median of 5 — the
// sync that finds nothing new, the check that the kept values' inputs are unchanged, the outcome
// sums of every arm, window (7, 30, 90 days) and metric with the CUPED covariates over the kept
// rows, and the comparisons. Its baseline is one naive query in the same run: the assignments
// joined to their orders and summed per arm.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../dist/config.js';
import { Storage } from '../dist/db/database.js';
import { buildApp } from '../dist/http/app.js';
import { silentLogger } from '../dist/lib/logger.js';
import { createServices } from '../dist/services.js';
import { warmMedian } from './lib/timing.mjs';

const DAY = 86_400_000;
const BATCH = 10_000;

/** A deterministic number in [0, 1) per (customer, salt). */
const draw = (n, salt) => ((Math.imul(n + 1, 2654435761) ^ Math.imul(salt + 7, 40503)) >>> 0) / 2 ** 32;

export default async function ({ scale, tiny, log }) {
  const count = tiny ? 1_000 : Math.max(1_000, Math.round(1_000_000 * scale));
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-experiments-'));
  const rows = [];
  try {
    const config = loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_LOG_LEVEL: 'silent' });
    const storage = await Storage.open({ dataDir: dir, readers: config.db.readers, memoryLimit: config.db.memoryLimit, threads: config.db.threads });
    await storage.migrate();
    const services = createServices(config, storage, silentLogger);
    const app = await buildApp(services, { logger: false });
    const store = await services.accounts.createStore({ name: 'Bench Measure', slug: 'bench-measure', currency: 'EUR' });
    const { key } = await services.accounts.createApiKey(store.id, 'secret', 'bench');
    const since = new Date(Math.floor((Date.now() - 120 * DAY) / DAY) * DAY);

    // Each customer: an order in the year before the holdout began for 60 %, one in the 90 days after for 35 %, a second for 10 %.
    let started = performance.now();
    let orders = 0;
    for (let i = 0; i < count; i += BATCH) {
      const ids = Array.from({ length: Math.min(BATCH, count - i) }, (_, k) => i + k);
      const batch = ids.flatMap((n) => [
        ...(draw(n, 1) < 0.6 ? [{ at: since.getTime() - Math.floor(draw(n, 2) * 360 * DAY) - DAY, salt: 'a' }] : []),
        ...(draw(n, 3) < 0.35 ? [{ at: since.getTime() + Math.floor(draw(n, 4) * 89 * DAY) + 60_000, salt: 'b' }] : []),
        ...(draw(n, 5) < 0.1 ? [{ at: since.getTime() + Math.floor(draw(n, 6) * 89 * DAY) + 60_000, salt: 'c' }] : []),
      ].map((o) => ({
        external_id: `o${n}${o.salt}`, customer_external_id: `c${n}`, placed_at: new Date(o.at), currency: 'EUR',
        lines: [{ product_external_id: `p${n % 50}`, title: `Product ${n % 50}`, quantity: 1, unit_price: 1_500 + Math.floor(draw(n, o.at % 97) * 8_000) }],
      })));
      orders += batch.length;
      await services.commerce.write(store.id, {
        // The 40 % with no order before joined after the holdout began, each at their own second: each is eligible at
        // their own moment, the case the kept sums gain least from (one group per moment).
        customers: ids.map((n) => ({
          external_id: `c${n}`, email: `c${n}@example.com`, email_consent: { status: 'subscribed' },
          created_at: draw(n, 1) < 0.6 ? new Date('2024-01-01T00:00:00Z') : new Date(since.getTime() + Math.floor(draw(n, 7) * 100 * DAY / 1000) * 1000),
        })),
        orders: batch,
      });
    }
    const writeSeconds = (performance.now() - started) / 1000;
    log(`wrote ${count.toLocaleString('en')} customers and ${orders.toLocaleString('en')} orders in ${writeSeconds.toFixed(1)} s`);

    started = performance.now();
    const holdout = await services.experiments.setGlobalHoldout(store.id, 0.1, since);
    const syncMs = performance.now() - started;
    const id = holdout.experiment_id;
    rows.push({ name: 'first sync (global holdout, every customer assigned)', value: Math.round(syncMs), unit: 'ms', note: `${count.toLocaleString('en')} assignments; ${orders.toLocaleString('en')} orders written in ${writeSeconds.toFixed(0)} s` });

    const url = `/api/v1/experiments/${id}`;
    let body;
    const read = async () => {
      const response = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
      if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
      body = response.json();
    };
    started = performance.now();
    await read();
    const first = performance.now() - started;
    const endpoint = await warmMedian(read, 5);
    const people = body.arms.reduce((sum, a) => sum + a.people, 0);
    if (people !== count) throw new Error(`expected ${count} people in the experiment, found ${people}`);
    const outcomes = await warmMedian(() => services.experiments.outcomes(store.id, id), 3);
    const check = await warmMedian(() => services.experiments.keepOutcomes(store.id, id), 3);
    const kept = Number((await storage.withWriter((connection) => connection.runAndReadAll(
      `select count(*) from experiment_outcome_sums where store_id = '${store.id}' and experiment_id = '${id}'`))).getRows()[0][0]);
    const sync = await warmMedian(() => services.experiments.sync(store.id), 3);
    const naive = await warmMedian(() => storage.withWriter((connection) => connection.runAndReadAll(`
      select a.arm, count(distinct a.customer_id), count(o.id), sum(o.total) from experiment_assignments a
      left join orders o on o.store_id = a.store_id and o.customer_id = a.customer_id and o.placed_at >= a.eligible_at
      where a.store_id = '${store.id}' and a.experiment_id = '${id}' group by a.arm`)), 3);
    rows.push({
      name: 'GET /api/v1/experiments/:id first (the sums made and kept)', value: Math.round(first), unit: 'ms', ratio: (first / naive).toFixed(2),
      note: `${people.toLocaleString('en')} assignments; naive join-and-sum ${Math.round(naive)} ms`,
    });
    rows.push({
      name: 'GET /api/v1/experiments/:id warm (all windows, 5 metrics, CUPED, intervals)', value: Math.round(endpoint), unit: 'ms', ratio: (endpoint / naive).toFixed(2),
      note: `${people.toLocaleString('en')} assignments in ${kept.toLocaleString('en')} kept groups; of which outcome sums ${Math.round(outcomes)} ms (inputs check ${Math.round(check)} ms), sync check finding nothing new ${Math.round(sync)} ms; naive join-and-sum ${Math.round(naive)} ms; target ≤ 1,000 ms`,
    });
    await app.close();
    await services.shutdown();
    await storage.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
