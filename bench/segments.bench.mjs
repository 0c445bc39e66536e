// Segment count at 1M customers / 10M orders (scale 1): the preview count of a typical
// multi-condition segment (country, consent, lifetime orders and revenue, recency), median of
// warm runs, against a plain count(*) of the store's customers in the same run (the ratio's
// baseline). Target: ≤ 300 ms. Lifetime order metrics come from the analytics per-customer
// summary (built once, timed as a note); a second segment adds a 365-day revenue window, which
// has to group the orders themselves. Data is generated in DuckDB SQL from range() into a
// temporary store, orders in time order as a store receives them; a saved segment's first
// refresh (member diff + history) is timed too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { Storage } from '../dist/db/database.js';
import { JobQueue } from '../dist/jobs/queue.js';
import { AnalyticsService } from '../dist/modules/analytics/analytics.service.js';
import { SegmentsService } from '../dist/modules/segments/segments.service.js';

const STORE = 'st_bench';
const AS_OF = new Date('2026-06-01T00:00:00Z');
const RULE = {
  kind: 'all',
  rules: [
    { kind: 'profile', field: 'country', op: 'in', value: ['US', 'GB'] },
    { kind: 'profile', field: 'accepts_marketing', op: 'eq', value: true },
    { kind: 'orders', metric: 'count', op: 'gte', value: 2 },
    { kind: 'orders', metric: 'revenue', op: 'gte', value: 20_000 },
    { kind: 'orders', metric: 'last_order_at', op: 'within_last_days', value: 180 },
  ],
};
const WINDOWED = { kind: 'all', rules: [...RULE.rules, { kind: 'orders', metric: 'revenue', op: 'gte', value: 10_000, within_days: 365 }] };

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

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
  const customers = Math.max(1000, Math.round(1_000_000 * scale));
  const orders = customers * 10;
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-segments-'));
  const store = await Storage.open({ dataDir: dir, readers: 2, memoryLimit: '6GB' });
  try {
    await store.migrate();
    await store.write.insertInto('stores').values({ id: STORE, slug: 'bench', name: 'Bench', timezone: 'UTC', currency: 'USD', shopify_secret: null, inactivity_days: null, created_at: AS_OF }).execute();
    const started = performance.now();
    await store.withWriter(async (connection) => {
      await connection.run(`insert into customers
        select '${STORE}', i, 'c' || i, 'c' || i || '@example.com', 'First', 'Last', null,
          (['US', 'GB', 'DE', 'FR', 'CA'])[1 + i % 5], null, i % 3 = 0,
          case when i % 10 = 0 then ['vip'] else []::varchar[] end, '{}',
          timestamp '2024-01-01' + to_days(cast(i % 700 as integer)), timestamp '2024-01-01'
        from range(1, ${customers + 1}) t(i)`);
      // Skewed frequencies: a customer id drawn from a squared uniform gives some customers many orders and many none.
      await connection.run(`insert into orders
        select '${STORE}', j, 'o' || j, 1 + cast(floor(${customers} * pow((hash(j) % 1000003) / 1000003.0, 2)) as bigint),
          timestamp '2024-06-01' + to_seconds(cast(j * (730 * 86400.0 / ${orders}) as bigint)), 'USD',
          1000 + hash(j * 13) % 20000, 0, 0, 0, 1000 + hash(j * 13) % 20000, []::varchar[], 'web',
          case when j % 50 = 0 then 'cancelled' else 'paid' end, 'bench', timestamp '2024-06-01', timestamp '2024-06-01'
        from range(1, ${orders + 1}) t(j)`);
      await connection.run('checkpoint');
    });
    log(`generated ${customers.toLocaleString()} customers and ${orders.toLocaleString()} orders in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const analytics = new AnalyticsService(store.write, store.read);
    const service = new SegmentsService(store, new JobQueue(store.write, store.read), () => analytics.summaries);
    const summaryStarted = performance.now();
    await analytics.summaries.ensureFresh(STORE);
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
    log(`segment has ${count.result.toLocaleString()} of ${customers.toLocaleString()} customers`);

    const refreshStarted = performance.now();
    const segment = await service.create(STORE, { name: 'Bench', rule: RULE }, { asOf: AS_OF });
    const refreshMs = performance.now() - refreshStarted;

    return [
      { name: 'customers count(*) (baseline)', value: Math.round(baseline.ms * 10) / 10, unit: 'ms', note: `${customers.toLocaleString()} customers` },
      {
        name: 'segment count, 5 conditions', value: Math.round(count.ms * 10) / 10, unit: 'ms', ratio: Math.round((count.ms / baseline.ms) * 10) / 10,
        note: `target ≤ 300 ms at 1M customers / 10M orders; ${count.result.toLocaleString()} members; median of 7 warm runs; summary built once in ${(summaryMs / 1000).toFixed(1)} s`,
      },
      {
        name: 'segment count, + 365-day revenue window', value: Math.round(windowedCount.ms * 10) / 10, unit: 'ms', ratio: Math.round((windowedCount.ms / baseline.ms) * 10) / 10,
        note: `groups the last year's orders; ${windowedCount.result.toLocaleString()} members; median of 5 warm runs`,
      },
      { name: 'segment preview (count + 10-row sample)', value: Math.round(preview.ms), unit: 'ms', note: 'median of 3 warm runs' },
      { name: 'first refresh of a saved segment', value: Math.round(refreshMs), unit: 'ms', note: `${segment.member_count.toLocaleString()} entries recorded` },
    ];
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
