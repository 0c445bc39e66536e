// The demo generator at benchmark size, as an operator runs it: `hearth demo --no-serve --no-history
// --json --customers 1000000 --orders-per-customer 10 --events-per-customer 10` (× scale) into a fresh
// data directory, as a child process. Reports the time from spawn to exit, the CLI's own timing,
// rows written and rows/s, and the process's peak RSS. `hearth demo` also builds the report
// summaries, fits the models and finds personas before it exits, so the time covers all of that.
// The store it makes is kept for the analytics, segments and dashboard benchmarks of the same run.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_SHAPE, demoCustomers, demoStore } from './lib/hearth.mjs';

export default async function ({ scale, log }) {
  const customers = demoCustomers(scale);
  const { dir, run, summary } = await demoStore(customers, { log });
  const counts = summary.counts;
  const rows = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const sizeMb = statSync(join(dir, 'hearth.duckdb')).size / 2 ** 20;
  log(`rows: ${JSON.stringify(counts)}; purchase-rate scale ${summary.plan.rate_scale.toFixed(2)}, sessions sampled at ${(summary.plan.session_sample * 100).toFixed(1)} %`);
  return [
    { name: 'customers', value: counts.customers, unit: 'rows' },
    { name: 'orders', value: counts.orders, unit: 'rows', note: `${(counts.orders / counts.customers).toFixed(1)} per customer (asked for ${DEMO_SHAPE.ordersPerCustomer}); ${counts.order_lines} lines` },
    { name: 'events', value: counts.events, unit: 'rows', note: `asked for ${DEMO_SHAPE.eventsPerCustomer} per customer` },
    { name: 'hearth demo --no-serve, spawn to exit', value: +run.seconds.toFixed(1), unit: 's', note: `its own summary ${summary.seconds} s (data, summaries, models, personas); CPU ${run.cpuSeconds?.toFixed(1) ?? '?'} s` },
    { name: 'throughput (all tables)', value: Math.round(rows / run.seconds), unit: 'rows/s', note: `${rows} rows` },
    { name: 'orders throughput', value: Math.round(counts.orders / run.seconds), unit: 'orders/s' },
    { name: 'peak RSS', value: run.peakRssMb ?? 'n/a', unit: run.peakRssMb === undefined ? '' : 'MB', note: 'of the hearth process' },
    { name: 'database file', value: Math.round(sizeMb), unit: 'MB' },
  ];
}
