// Segment count at 1M customers / ~10M orders (scale 1) on the demo store `hearth demo` makes
// (shared with the demo benchmark of the same run; this benchmark works on its own copy), through
// the segments service as the server builds it (createServices): the preview count of a typical
// multi-condition segment (country, consent, lifetime orders and revenue, recency), median of
// warm runs, against a plain count(*) of the store's customers in the same run (the ratio's
// baseline). Target: ≤ 300 ms. Lifetime order metrics come from the analytics per-customer
// summary (`hearth demo` builds it; bringing it up to date is timed as a note); a second segment
// adds a 365-day revenue window, which has to group the orders themselves. A saved segment's
// first refresh (member diff + history) is timed too.
import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import { loadConfig } from '../dist/config.js';
import { Storage } from '../dist/db/database.js';
import { silentLogger } from '../dist/lib/logger.js';
import { createServices } from '../dist/services.js';
import { copyOfDemoStore, demoCustomers } from './lib/hearth.mjs';
import { median } from './lib/timing.mjs';

const RULE = {
  kind: 'all',
  rules: [
    { kind: 'profile', field: 'country', op: 'in', value: ['US', 'CA'] },
    { kind: 'profile', field: 'accepts_marketing', op: 'eq', value: true },
    { kind: 'orders', metric: 'count', op: 'gte', value: 2 },
    { kind: 'orders', metric: 'revenue', op: 'gte', value: 20_000 },
    { kind: 'orders', metric: 'last_order_at', op: 'within_last_days', value: 180 },
  ],
};
const WINDOWED = { kind: 'all', rules: [...RULE.rules, { kind: 'orders', metric: 'revenue', op: 'gte', value: 10_000, within_days: 365 }] };


async function timed(work, runs) {
  const times = [];
  let result;
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    result = await work();
    times.push(performance.now() - started);
  }
  return { ms: median(times), result };
}

export default async function ({ scale, log }) {
  const customers = demoCustomers(scale);
  const { dir, summary: demo } = await copyOfDemoStore(customers, { log });
  const STORE = demo.store.id;
  const AS_OF = new Date(demo.plan.end);
  const config = loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_LOG_LEVEL: 'silent' });
  const store = await Storage.open({ dataDir: dir, readers: config.db.readers, memoryLimit: config.db.memoryLimit, threads: config.db.threads });
  try {
    const services = createServices(config, store, silentLogger);
    const service = services.segments;
    const summaryStarted = performance.now();
    await services.analytics.summaries.ensureFresh(STORE);
    const summaryMs = performance.now() - summaryStarted;
    const baselineQuery = () => sql`select count(*) as n from customers where store_id = ${STORE}`.execute(store.read);
    const { compiled } = await service.compile(STORE, RULE, AS_OF);
    const { compiled: windowed } = await service.compile(STORE, WINDOWED, AS_OF);
    if (!compiled.uses.summary) throw new Error('the typical segment should read the analytics summary');
    const countQuery = () => service.count(STORE, compiled);
    await baselineQuery();
    await countQuery();
    const baseline = await timed(baselineQuery, 7);
    const count = await timed(countQuery, 7);
    const windowedCount = await timed(() => service.count(STORE, windowed), 5);
    const preview = await timed(() => service.preview(STORE, RULE, { asOf: AS_OF }), 3);
    log(`segment has ${count.result.toLocaleString('en')} of ${demo.counts.customers.toLocaleString('en')} customers`);

    const refreshStarted = performance.now();
    const segment = await service.create(STORE, { name: 'Bench', rule: RULE }, { asOf: AS_OF });
    const refreshMs = performance.now() - refreshStarted;
    await services.shutdown();

    return [
      { name: 'customers count(*) (baseline)', value: Math.round(baseline.ms * 10) / 10, unit: 'ms', note: `${demo.counts.customers.toLocaleString('en')} customers` },
      {
        name: 'segment count, 5 conditions', value: Math.round(count.ms * 10) / 10, unit: 'ms', ratio: Math.round((count.ms / baseline.ms) * 10) / 10,
        note: `target ≤ 300 ms at 1M customers / 10M orders; ${count.result.toLocaleString('en')} members; median of 7 warm runs; summary up to date in ${Math.round(summaryMs)} ms`,
      },
      {
        name: 'segment count, + 365-day revenue window', value: Math.round(windowedCount.ms * 10) / 10, unit: 'ms', ratio: Math.round((windowedCount.ms / baseline.ms) * 10) / 10,
        note: `groups the last year's orders; ${windowedCount.result.toLocaleString('en')} members; median of 5 warm runs`,
      },
      { name: 'segment preview (count + 10-row sample)', value: Math.round(preview.ms), unit: 'ms', note: 'median of 3 warm runs' },
      { name: 'first refresh of a saved segment', value: Math.round(refreshMs), unit: 'ms', note: `${segment.member_count.toLocaleString('en')} entries recorded` },
    ];
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
