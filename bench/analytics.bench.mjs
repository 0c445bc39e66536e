// Analytics endpoints at 1M customers / 10M orders (× scale). The data is generated inside DuckDB
// (range() + hash-based pseudo-random values) straight into the real tables of a temporary store.
// Each endpoint runs warm through app.inject() (median of 5); its baseline is one naive SQL query
// computing the same figures from the raw orders, in the same run. Also: the full summary rebuild,
// the incremental update after a batch of 1,000 orders, and the peak RSS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../dist/config.js';
import { Storage } from '../dist/db/database.js';
import { buildApp } from '../dist/http/app.js';
import { silentLogger } from '../dist/lib/logger.js';
import { createServices } from '../dist/services.js';

const STORE = 'st_bench';
const TZ = 'Europe/London';
const FROM = '2025-01-01';
const TO = '2025-12-31';
const local = (col) => `cast((${col} at time zone 'UTC') at time zone '${TZ}' as date)`;

/** Pseudo-random integer in [0, m) from a row number and a salt. */
const rnd = (i, salt, m) => `cast(hash(${i}, ${salt}) % ${m} as bigint)`;

export async function generate(connection, customers, orders) {
  await connection.run(`insert into stores values ('${STORE}', 'bench', 'Bench', '${TZ}', 'GBP', null, null, now())`);
  await connection.run(`insert into products select '${STORE}', i, 'p' || i, 'Product ' || i, 'category ' || (i % 20), 1000, 'GBP', null, now(), now() from range(1, 1001) t(i)`);
  await connection.run(`insert into customers select '${STORE}', i, 'c' || i, null, null, null, null,
    ['GB', 'US', 'DE', 'FR', 'NL', 'ES', 'IT', 'SE'][1 + ${rnd('i', 1, 8)}], null, false, [], '{}', now(), now() from range(1, ${customers + 1}) t(i)`);
  // Orders 1..N are each customer's first (acquisition spread over three years); later orders go to
  // customers with a skew (u² over ids), so some customers order often and most rarely; 4% guests.
  await connection.run(`insert into orders
    select '${STORE}', i, 'o' || i,
      case when i <= ${customers} then i when ${rnd('i', 2, 100)} < 4 then null
        else 1 + cast(floor(${customers} * pow(${rnd('i', 3, 1000000)} / 1e6, 2)) as bigint) end,
      timestamp '2023-01-01' + to_seconds(${rnd('i', 4, 3 * 365 * 86400)}),
      'GBP', total, 0, 0, 0, total, case when ${rnd('i', 5, 5)} = 0 then ['SAVE10'] else [] end,
      ['web', 'email', 'ads', 'social', 'referral'][1 + ${rnd('i', 6, 5)}],
      case when ${rnd('i', 7, 100)} < 2 then 'cancelled' else 'paid' end, 'demo', now(), now()
    from (select i, 500 + ${rnd('i', 8, 20000)} as total from range(1, ${orders + 1}) t(i))`);
  await connection.run(`insert into order_lines select '${STORE}', id, 1, 1 + ${rnd('id', 9, 1000)}, null, null, null, 1, total, total from orders where store_id = '${STORE}'`);
  await connection.run(`insert into returns select '${STORE}', id, 'r' || id, id, customer_id, placed_at + interval 10 day, 'GBP', total // 2, null, now()
    from orders where store_id = '${STORE}' and ${rnd('id', 10, 100)} < 3`);
}

/** The same figures as each endpoint, each in one query over the raw tables, without summaries. */
const naive = {
  kpis: `with o as (
      select o.customer_id, ${local('o.placed_at')} as day, o.total - coalesce(r.amount, 0) as revenue
      from orders o left join (select order_id, sum(amount) as amount from returns where store_id = '${STORE}' group by order_id) r on r.order_id = o.id
      where o.store_id = '${STORE}' and o.status <> 'cancelled'
    ), f as (select customer_id, min(day) as first_day, count(*) as n from o where customer_id is not null group by customer_id)
    select count(*) filter (where day between '${FROM}' and '${TO}') as orders, sum(revenue) filter (where day between '${FROM}' and '${TO}') as revenue,
      count(distinct o.customer_id) filter (where day between '${FROM}' and '${TO}') as customers,
      count(distinct o.customer_id) filter (where day between '${FROM}' and '${TO}' and f.first_day >= '${FROM}') as new_customers,
      count(*) filter (where day between '2024-01-01' and '2024-12-31') as previous_orders,
      count(distinct o.customer_id) filter (where day between '2024-01-01' and '2024-12-31') as previous_customers
    from o left join f on f.customer_id = o.customer_id`,
  cohorts: `with o as (
      select customer_id, date_trunc('month', ${local('placed_at')}) as month, total from orders
      where store_id = '${STORE}' and status <> 'cancelled' and customer_id is not null
    ), c as (select customer_id, min(month) as cohort from o group by customer_id)
    select c.cohort, date_diff('month', c.cohort, o.month) as offset, count(distinct o.customer_id) as customers, sum(o.total) as revenue
    from o join c using (customer_id) where c.cohort between date_trunc('month', date '${FROM}') and date '${TO}' group by 1, 2`,
  rfm: `with c as (
      select customer_id, max(${local('placed_at')}) as last_day, count(*) as orders, sum(total) as revenue from orders
      where store_id = '${STORE}' and status <> 'cancelled' and customer_id is not null group by customer_id
    ), s as (
      select ntile(5) over (order by last_day) as r, ntile(5) over (order by orders) as f, ntile(5) over (order by revenue) as m, revenue from c
    ) select r, (f + m + 1) // 2 as fm, count(*), sum(revenue) from s group by 1, 2`,
  products: `with o as (
      select id, customer_id, row_number() over (partition by customer_id order by placed_at, id) as seq from orders
      where store_id = '${STORE}' and status <> 'cancelled' and customer_id is not null
    ), p as (
      select o.customer_id, max(l.product_id) filter (where o.seq = 1) as first_product, count(distinct o.id) as orders
      from o join order_lines l on l.store_id = '${STORE}' and l.order_id = o.id group by o.customer_id
    ) select first_product, count(*) as customers, avg(case when orders >= 2 then 1 else 0 end) as repeat_rate from p group by 1 order by 2 desc limit 100`,
  clv: `with c as (
      select customer_id, date_trunc('month', min(${local('placed_at')})) as cohort, sum(total) as revenue, count(*) as orders from orders
      where store_id = '${STORE}' and status <> 'cancelled' and customer_id is not null group by customer_id
    ) select cohort, count(*), sum(revenue) / count(*), sum(orders) / count(*) from c group by 1 order by 1`,
};

const query = { kpis: `from=${FROM}&to=${TO}`, cohorts: `from=${FROM}&to=${TO}&period=month`, rfm: '', products: '', clv: '' };

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function time(work, runs) {
  await work(); // warm
  const times = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return median(times);
}

export default async function ({ scale, log }) {
  const customers = Math.max(1000, Math.round(1_000_000 * scale));
  const orders = Math.max(10_000, Math.round(10_000_000 * scale));
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-analytics-'));
  let peakRss = 0;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);
  const rows = [];
  try {
    const config = loadConfig({ HEARTH_DATA_DIR: dir });
    const store = await Storage.open({ dataDir: dir, readers: config.db.readers, memoryLimit: config.db.memoryLimit, threads: config.db.threads });
    await store.migrate();
    let start = performance.now();
    await store.withWriter((connection) => generate(connection, customers, orders));
    log(`generated ${customers.toLocaleString()} customers, ${orders.toLocaleString()} orders in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    const services = createServices(config, store, silentLogger);
    start = performance.now();
    await services.analytics.refreshSummaries(STORE);
    rows.push({ name: 'summary rebuild', value: Math.round(performance.now() - start), unit: 'ms', note: `${orders.toLocaleString()} orders, one transaction` });

    const app = await buildApp(services, { logger: false });
    const { key } = await services.accounts.createApiKey(STORE, 'secret', 'bench');
    for (const report of Object.keys(naive)) {
      const endpoint = await time(async () => {
        const response = await app.inject({ method: 'GET', url: `/api/v1/analytics/${report}?${query[report]}`, headers: { authorization: `Bearer ${key}` } });
        if (response.statusCode !== 200) throw new Error(`${report}: ${response.statusCode} ${response.body}`);
      }, 5);
      const baseline = await time(() => store.withWriter((connection) => connection.runAndReadAll(naive[report])), 3);
      rows.push({ name: `${report} warm`, value: Math.round(endpoint), unit: 'ms', ratio: (endpoint / baseline).toFixed(3), note: `naive query ${Math.round(baseline)} ms; target ≤ 500 ms` });
    }

    // Streaming: a batch of 1,000 new orders for existing customers, then the writer's hook.
    const batch = 1000;
    await store.withWriter((connection) => connection.run(`insert into orders
      select '${STORE}', ${orders} + i, 'n' || i, 1 + ${rnd('i', 11, customers)}, timestamp '2025-12-31 12:00:00', 'GBP', 2500, 0, 0, 0, 2500, [], 'web', 'paid', 'api', now(), now()
      from range(1, ${batch + 1}) t(i)`));
    start = performance.now();
    await services.analytics.onOrdersWritten(STORE);
    rows.push({ name: 'incremental update', value: Math.round(performance.now() - start), unit: 'ms', note: `after a batch of ${batch} orders` });
    rows.push({ name: 'peak RSS', value: Math.round(peakRss / 2 ** 20), unit: 'MiB', note: 'target ≤ 2048 MiB' });
    await app.close();
    await services.shutdown();
    await store.close();
  } finally {
    clearInterval(sampler);
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
