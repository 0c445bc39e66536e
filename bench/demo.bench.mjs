// The demo generator at benchmark size: 1M customers and ~10M orders (× scale) written into a
// fresh store in a temporary directory, with browsing sampled to ~10 events per customer (the
// setting `hearth demo` picks on its own above 200,000 customers). Reports wall time, CPU time,
// rows/s and the peak RSS sampled during the run (the process's lifetime maxRSS is shown too,
// but it includes whatever ran before in the same process).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '../dist/db/database.js';
import { planDemo, writeDemoData } from '../dist/modules/demo/demo.generator.js';

const FULL_CUSTOMERS = 1_000_000;
const ORDERS_PER_CUSTOMER = 10;
const EVENTS_PER_CUSTOMER = 10;

export default async function ({ scale, log }) {
  const customers = Math.max(1_000, Math.round(FULL_CUSTOMERS * scale));
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-demo-'));
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  try {
    const store = await Storage.open({ dataDir: dir, readers: 1, memoryLimit: '1GB', threads: 2 });
    await store.migrate();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const plan = planDemo({ customers, seed: 1, ordersPerCustomer: ORDERS_PER_CUSTOMER, eventsPerCustomer: EVENTS_PER_CUSTOMER });
    const planned = performance.now();
    log(`${customers} customers; purchase-rate scale ${plan.rateScale.toFixed(2)}, sessions sampled at ${(plan.sessionSample * 100).toFixed(1)} %`);
    let lastLog = started;
    const counts = await writeDemoData(store, 'st_bench', plan, (done, total) => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        log(`${done}/${total} customers after ${((lastLog - started) / 1000).toFixed(0)} s`);
      }
      return new Promise((resolve) => setTimeout(resolve, 0));
    });
    await store.close();
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const rows = Object.values(counts).reduce((sum, n) => sum + n, 0);
    const sizeMb = statSync(join(dir, 'hearth.duckdb')).size / 2 ** 20;
    log(`rows: ${JSON.stringify(counts)}`);
    return [
      { name: 'customers', value: counts.customers, unit: 'rows' },
      { name: 'orders', value: counts.orders, unit: 'rows', note: `${(counts.orders / counts.customers).toFixed(1)} per customer; ${counts.order_lines} lines` },
      { name: 'events', value: counts.events, unit: 'rows' },
      { name: 'generate + write', value: +seconds.toFixed(1), unit: 's', note: `calibration ${((planned - started) / 1000).toFixed(1)} s; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s` },
      { name: 'throughput (all tables)', value: Math.round(rows / seconds), unit: 'rows/s', note: `${rows} rows` },
      { name: 'orders throughput', value: Math.round(counts.orders / seconds), unit: 'orders/s' },
      { name: 'peak RSS (sampled)', value: Math.round(peakRss / 2 ** 20), unit: 'MB', note: `process maxRSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB` },
      { name: 'database file', value: Math.round(sizeMb), unit: 'MB' },
    ];
  } finally {
    clearInterval(sampler);
    rmSync(dir, { recursive: true, force: true });
  }
}
