// Loyalty backfill of past orders at 10M orders (target ≤ 60 s on two cores) through the product
// as an operator runs it: a store of N orders over three years (a tenth as many customers, one
// order in twenty a guest's, one in fifty cancelled, nine in ten delivered, one in twenty refunded
// by a third) is generated set-based in SQL into a fresh data directory, the programme is switched
// on (one point per euro, pending 30 days after delivery, no tiers), then
// `hearth loyalty backfill --data-dir DIR --json` runs as a child process. The time is from spawn
// to exit; the CLI's own summary gives the counts and its own timing. A second run (everything
// already awarded) is timed too.
// Baseline in the same run: one plain INSERT … SELECT of one keyed row per order into an empty
// table with the ledger's columns, key and index (unique idempotency key, customer index) in a
// DuckDB file of its own, without the checkpoint that writes it into the file — the floor for writing that many keyed rows (the ratio is
// backfill time / baseline time).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runHearth } from './lib/hearth.mjs';
import { generateLoyaltyStore } from './lib/loyalty-store.mjs';

/** The floor: one INSERT … SELECT of a keyed row per order into an empty table shaped like the ledger. */
async function plainInsert(dir, dataDir, memoryLimit) {
  const instance = await DuckDBInstance.create(join(dir, 'baseline.duckdb'), { threads: '2', memory_limit: memoryLimit });
  const connection = await instance.connect();
  try {
    await connection.run(`attach '${join(dataDir, 'hearth.duckdb').replace(/'/g, "''")}' as hearth (read_only)`);
    await connection.run(`create sequence entries_id_seq start 1`);
    await connection.run(`create table entries (store_id varchar not null, id bigint not null, customer_id bigint not null, kind varchar not null, points bigint not null,
      state varchar not null, available_at timestamp, expires_at timestamp, source varchar not null, order_id bigint, idempotency_key varchar not null, created_at timestamp not null,
      unique (store_id, idempotency_key))`);
    await connection.run(`create index entries_customer on entries (customer_id)`);
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
    await generateLoyaltyStore(dataDir, { orders, memoryLimit, log });
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
