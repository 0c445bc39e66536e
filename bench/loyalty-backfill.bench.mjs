// Loyalty backfill of past orders at 10M orders (target ≤ 60 s on two cores) through the product
// as an operator runs it: a store of N orders over three years (a tenth as many customers, one
// order in twenty a guest's, one in fifty cancelled, nine in ten delivered, one in twenty refunded
// by a third) is generated set-based in SQL into a fresh data directory, the programme is switched
// on (one point per euro, pending 30 days after delivery, no tiers), then
// `hearth loyalty backfill --data-dir DIR --json` runs as a child process. The time is from spawn
// to exit; the CLI's own summary gives the counts and its own timing. A second run (everything
// already awarded) is timed too.
// Baseline in the same run: one plain INSERT … SELECT of one keyed row per order into an empty
// table with the ledger's columns, keys and indexes (primary key, unique idempotency key, customer
// index) in a DuckDB file of its own — the floor for writing that many keyed rows (the ratio is
// backfill time / baseline time).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { sql } from 'kysely';
import { loadConfig } from '../dist/config.js';
import { Storage } from '../dist/db/database.js';
import { silentLogger } from '../dist/lib/logger.js';
import { defaultLoyaltySettings } from '../dist/modules/loyalty/index.js';
import { createServices } from '../dist/services.js';
import { runHearth } from './lib/hearth.mjs';

const DAY_MS = 86_400_000;

/** Writes the store: customers, orders, deliveries and refunds, each one INSERT … SELECT over range(). */
async function generate(dataDir, orders, memoryLimit, log) {
  const storage = await Storage.open({ dataDir, readers: 1, memoryLimit, threads: 2 });
  try {
    await storage.migrate();
    const services = createServices(loadConfig({ HEARTH_DATA_DIR: dataDir, HEARTH_LOG_LEVEL: 'silent' }), storage, silentLogger);
    const { id: store } = await services.accounts.createStore({ name: 'Bench', slug: 'bench', currency: 'EUR' });
    const customers = Math.max(100, Math.round(orders / 10));
    const now = new Date();
    const start = new Date(now.getTime() - 3 * 365 * DAY_MS);
    const spanSeconds = Math.floor((now.getTime() - DAY_MS - start.getTime()) / 1000);
    const db = storage.write;
    const started = performance.now();
    await sql`insert into customers (store_id, id, external_id, email, created_at, updated_at)
      select ${store}, nextval('customers_id_seq'), 'c' || i, 'c' || i || '@example.com', ${start}, ${start} from range(cast(${customers} as bigint)) t(i)`.execute(db);
    const { rows: [first] } = await sql`select min(id) as id from customers where store_id = ${store}`.execute(db);
    await sql`insert into orders (store_id, id, external_id, customer_id, placed_at, currency, subtotal, discount, shipping, tax, total, status, source, created_at, updated_at)
      select ${store}, nextval('orders_id_seq'), 'o' || i, case when i % 20 = 0 then null else ${Number(first.id)} + (i * 7919) % ${customers} end,
        placed_at, 'EUR', subtotal, discount, 495, 0, subtotal - discount + 495, case when i % 50 = 1 then 'cancelled' else 'paid' end, 'bench', placed_at, placed_at
      from (select i, ${start} + to_seconds(cast(i * ${spanSeconds} // ${orders} as bigint)) as placed_at, 1000 + (i * 37) % 20000 as subtotal,
        case when i % 5 = 0 then 500 else 0 end as discount from range(cast(${orders} as bigint)) t(i))`.execute(db);
    await sql`insert into fulfillments (store_id, id, external_id, order_id, order_external_id, status, shipped_at, delivered_at, created_at, updated_at)
      select store_id, nextval('fulfillments_id_seq'), 'f' || id, id, external_id, 'delivered', placed_at + to_days(1), placed_at + to_days(3), placed_at, placed_at
      from orders where store_id = ${store} and id % 10 <> 0`.execute(db);
    await sql`insert into returns (store_id, id, external_id, order_id, customer_id, returned_at, currency, amount, created_at)
      select store_id, nextval('returns_id_seq'), 'r' || id, id, customer_id, placed_at + to_days(10), currency, total // 3, placed_at
      from orders where store_id = ${store} and id % 20 = 3 and status <> 'cancelled'`.execute(db);
    log(`generated ${orders.toLocaleString('en')} orders of ${customers.toLocaleString('en')} customers in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await services.loyalty.saveSettings(store, { ...defaultLoyaltySettings, enabled: true, pending: { days: 30, from: 'delivery' } }, 'bench');
    await services.shutdown();
  } finally {
    await storage.close();
  }
}

/** The floor: one INSERT … SELECT of a keyed row per order into an empty table shaped like the ledger. */
async function plainInsert(dir, dataDir, memoryLimit) {
  const instance = await DuckDBInstance.create(join(dir, 'baseline.duckdb'), { threads: '2', memory_limit: memoryLimit });
  const connection = await instance.connect();
  try {
    await connection.run(`attach '${join(dataDir, 'hearth.duckdb').replace(/'/g, "''")}' as hearth (read_only)`);
    await connection.run(`create sequence entries_id_seq start 1`);
    await connection.run(`create table entries (store_id varchar not null, id bigint not null, customer_id bigint not null, kind varchar not null, points bigint not null,
      state varchar not null, available_at timestamp, expires_at timestamp, source varchar not null, order_id bigint, idempotency_key varchar not null, created_at timestamp not null,
      primary key (store_id, id), unique (store_id, idempotency_key))`);
    await connection.run(`create index entries_customer on entries (store_id, customer_id)`);
    const started = performance.now();
    await connection.run(`insert into entries select store_id, nextval('entries_id_seq'), customer_id, 'earn', total // 100, 'available', placed_at, null, 'order', id,
      'order:' || id || ':earn', placed_at from hearth.orders where customer_id is not null`);
    return (performance.now() - started) / 1000;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export default async function ({ scale, log }) {
  const orders = Math.max(10_000, Math.round(10_000_000 * scale));
  const memoryLimit = process.env.HEARTH_DB_MEMORY_LIMIT || '4GB';
  const dir = mkdtempSync(join(tmpdir(), 'hearth-backfill-bench-'));
  try {
    const dataDir = join(dir, 'data');
    await generate(dataDir, orders, memoryLimit, log);
    const env = { HEARTH_DB_MEMORY_LIMIT: memoryLimit };
    const run = await runHearth(['loyalty', 'backfill', '--data-dir', dataDir, '--json'], { env, log });
    const summary = run.json;
    if (!summary || summary.orders + summary.voided === 0) throw new Error(`the backfill printed no summary:\n${run.stdout}`);
    const again = await runHearth(['loyalty', 'backfill', '--data-dir', dataDir, '--json'], { env, log });
    if (again.json?.orders !== 0) throw new Error(`the second run awarded ${again.json?.orders} orders`);
    const baseline = await plainInsert(dir, dataDir, memoryLimit);
    const awarded = summary.orders + summary.voided;
    log(`${awarded.toLocaleString('en')} orders awarded (${summary.voided.toLocaleString('en')} void), ${summary.refunds.toLocaleString('en')} refunds taken back, ${summary.chunks} chunks`);
    return [
      { name: `backfill of ${orders.toLocaleString('en')} orders (hearth loyalty backfill, spawn to exit)`, value: +run.seconds.toFixed(2), unit: 's', ratio: +(run.seconds / baseline).toFixed(2), note: 'ratio = time / plain INSERT … SELECT of one keyed row per order; target ≤ 60 s at 10M' },
      { name: 'backfill throughput (the command\'s own timing)', value: Math.round(awarded / (summary.ms / 1000)), unit: 'orders/s' },
      { name: 'plain INSERT … SELECT of one keyed row per order (baseline)', value: +baseline.toFixed(2), unit: 's' },
      { name: 'second run (every order already awarded)', value: +again.seconds.toFixed(2), unit: 's', note: 'spawn to exit' },
      { name: 'backfill peak RSS', value: run.peakRssMb ?? 0, unit: 'MB' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
