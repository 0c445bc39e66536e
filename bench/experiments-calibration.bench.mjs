// A/A calibration on the 50,000-customer demo store (made by `hearth demo --no-serve --customers
// 50000` as a user would, shared with the dashboard benchmark; the tiny run reads the benchmark demo
// store), as the product runs it: the customers who had ordered before a day of eligibility spread
// over 60 days, their real 30-day outcomes split at random into treated and a 10 % holdout 1,000
// times (no true effect), intervals computed for conversion, orders and net revenue per person with
// and without CUPED, and conversion monitored after each day with the always-valid interval — in a
// worker thread. Target: ≤ 60 s. The baseline is the time to read the people from the database.
// The figures are the calibration itself: coverage of zero by the 95 % intervals (target 93–97 %)
// and the monitor's false positives (target ≤ 5 %).
import { rmSync } from 'node:fs';
import { loadConfig } from '../dist/config.js';
import { Storage } from '../dist/db/database.js';
import { calibrate } from '../dist/modules/experiments/calibration/calibration.js';
import { calibrationPopulations } from '../dist/modules/experiments/calibration/calibration.query.js';
import { copyOfDemoStore } from './lib/hearth.mjs';

const percent = (v) => `${(v * 100).toFixed(1)} %`;

export default async function ({ scale, tiny, log }) {
  const customers = Math.max(1_000, Math.round(50_000 * scale));
  const runs = tiny ? 50 : 1_000;
  const { dir, summary: demo } = await copyOfDemoStore(customers, { log, ...(!tiny && { shape: null }) });
  const config = loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_LOG_LEVEL: 'silent' });
  const store = await Storage.open({ dataDir: dir, readers: config.db.readers, memoryLimit: config.db.memoryLimit, threads: config.db.threads });
  try {
    const readStarted = performance.now();
    await calibrationPopulations(store, demo.store.id, { windowDays: 30, spanDays: 60 });
    const readMs = performance.now() - readStarted;
    const result = await calibrate(store, demo.store.id, { runs });
    log(`${result.customers.toLocaleString('en')} customers in each simulated experiment`);
    const rows = [
      { name: 'read the people (baseline)', value: Math.round(readMs), unit: 'ms', note: `${result.customers.toLocaleString('en')} customers of ${demo.counts.customers.toLocaleString('en')}` },
      {
        name: `${runs.toLocaleString('en')} A/A simulations, 3 outcomes`, value: Math.round(result.seconds * 10) / 10, unit: 's',
        ratio: Math.round((result.seconds * 1000) / readMs), note: 'target ≤ 60 s; in a worker thread',
      },
    ];
    for (const m of result.metrics) {
      rows.push({
        name: `${m.metric}: 95 % intervals covering zero`, value: percent(m.coverage), unit: '',
        note: `CUPED ${percent(m.cuped_coverage)}, ${percent(m.mean_variance_reduction)} of the variance removed; target 93–97 %`,
      });
      if (m.peeking_rejections !== null) {
        rows.push({
          name: `${m.metric}: false positives, looked at daily for 60 days`, value: percent(m.peeking_rejections), unit: '',
          note: `always-valid interval; the fixed 95 % interval looked at daily: ${percent(m.naive_peeking_rejections)}; target ≤ 5 %`,
        });
      }
    }
    return rows;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
