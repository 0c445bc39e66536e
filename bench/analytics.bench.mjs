// Analytics endpoints at 1M customers / ~10M orders (× scale) on the demo store `hearth demo`
// makes (shared with the demo benchmark of the same run; this benchmark works on its own copy).
// The services are built as the server builds them (createServices, buildApp) over the store
// opened with the configuration's settings. Each endpoint runs warm through app.inject() (median of
// 5) over the last twelve months of the data; its baseline is one naive SQL query computing the
// same figures from the raw orders, in the same run (the KPI report also by week, against the same
// naive query). Also: the full summary rebuild, the
// incremental update after a batch of 1,000 orders written through the commerce writer (what the
// server runs after each write), and the peak RSS.
import { rmSync } from 'node:fs';
import { loadConfig } from '../dist/config.js';
import { Storage } from '../dist/db/database.js';
import { buildApp } from '../dist/http/app.js';
import { silentLogger } from '../dist/lib/logger.js';
import { createServices } from '../dist/services.js';
import { copyOfDemoStore, demoCustomers } from './lib/hearth.mjs';
import { warmMedian } from './lib/timing.mjs';

const DAY_MS = 86_400_000;
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/** The same figures as each endpoint, each in one query over the raw tables, without summaries. */
const naiveQueries = ({ STORE, TZ, FROM, TO, PREVIOUS_FROM, PREVIOUS_TO }) => {
  const local = (col) => `cast((${col} at time zone 'UTC') at time zone '${TZ}' as date)`;
  return {
    kpis: `with o as (
        select o.customer_id, ${local('o.placed_at')} as day, o.total - coalesce(r.amount, 0) as revenue
        from orders o left join (select order_id, sum(amount) as amount from returns where store_id = '${STORE}' group by order_id) r on r.order_id = o.id
        where o.store_id = '${STORE}' and o.status <> 'cancelled'
      ), f as (select customer_id, min(day) as first_day, count(*) as n from o where customer_id is not null group by customer_id)
      select count(*) filter (where day between '${FROM}' and '${TO}') as orders, sum(revenue) filter (where day between '${FROM}' and '${TO}') as revenue,
        count(distinct o.customer_id) filter (where day between '${FROM}' and '${TO}') as customers,
        count(distinct o.customer_id) filter (where day between '${FROM}' and '${TO}' and f.first_day >= '${FROM}') as new_customers,
        count(*) filter (where day between '${PREVIOUS_FROM}' and '${PREVIOUS_TO}') as previous_orders,
        count(distinct o.customer_id) filter (where day between '${PREVIOUS_FROM}' and '${PREVIOUS_TO}') as previous_customers
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
};


/** 1,000 new orders of existing customers and products, placed on the demo's last day. */
async function newOrders(storage, storeId, currency, day, count) {
  const customers = await storage.read.selectFrom('customers').select('external_id').where('store_id', '=', storeId).orderBy('id').limit(count).execute();
  const products = await storage.read.selectFrom('products').select('external_id').where('store_id', '=', storeId).orderBy('id').limit(50).execute();
  return Array.from({ length: count }, (_, i) => ({
    external_id: `bench-${i}`,
    customer_external_id: customers[i % customers.length].external_id,
    placed_at: new Date(Date.parse(`${day}T12:00:00Z`) + i * 1000),
    currency,
    lines: [{ product_external_id: products[i % products.length].external_id, quantity: 1, unit_price: 2500 }],
  }));
}

export default async function ({ scale, log }) {
  const customers = demoCustomers(scale);
  const { dir, summary: demo } = await copyOfDemoStore(customers, { log });
  const STORE = demo.store.id;
  // The last twelve full months before the demo's end, and the twelve before them.
  const end = Date.parse(demo.plan.end);
  const period = { STORE, TZ: demo.store.timezone, FROM: isoDay(end - 365 * DAY_MS), TO: isoDay(end - DAY_MS), PREVIOUS_FROM: isoDay(end - 730 * DAY_MS), PREVIOUS_TO: isoDay(end - 366 * DAY_MS) };
  const naive = naiveQueries(period);
  const query = { kpis: `from=${period.FROM}&to=${period.TO}`, cohorts: `from=${period.FROM}&to=${period.TO}&period=month`, rfm: '', products: '', clv: '' };
  let peakRss = 0;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);
  const rows = [];
  try {
    const config = loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_LOG_LEVEL: 'silent' });
    const store = await Storage.open({ dataDir: dir, readers: config.db.readers, memoryLimit: config.db.memoryLimit, threads: config.db.threads });
    const services = createServices(config, store, silentLogger);
    const orders = demo.counts.orders;
    let start = performance.now();
    await services.analytics.refreshSummaries(STORE);
    rows.push({ name: 'summary rebuild', value: Math.round(performance.now() - start), unit: 'ms', note: `${orders.toLocaleString('en')} orders, ${demo.counts.customers.toLocaleString('en')} customers; one transaction` });

    const app = await buildApp(services, { logger: false });
    const { key } = await services.accounts.createApiKey(STORE, 'secret', 'bench');
    // The KPI report by week too: its trend has a point per week (53 over the year) with its own rates.
    const endpoints = [...Object.keys(naive).map((report) => ({ name: report, report, query: query[report] })), { name: 'kpis by week', report: 'kpis', query: `${query.kpis}&period=week` }];
    for (const { name, report, query: search } of endpoints) {
      const endpoint = await warmMedian(async () => {
        const response = await app.inject({ method: 'GET', url: `/api/v1/analytics/${report}?${search}`, headers: { authorization: `Bearer ${key}` } });
        if (response.statusCode !== 200) throw new Error(`${name}: ${response.statusCode} ${response.body}`);
      }, 5);
      const baseline = await warmMedian(() => store.withWriter((connection) => connection.runAndReadAll(naive[report])), 3);
      rows.push({ name: `${name} warm`, value: Math.round(endpoint), unit: 'ms', ratio: (endpoint / baseline).toFixed(3), note: `naive query ${Math.round(baseline)} ms; target ≤ 500 ms` });
    }

    // A batch of 1,000 new orders through the writer, then what the server runs after a write.
    const batch = 1000;
    const written = await services.commerce.write(STORE, { orders: await newOrders(store, STORE, demo.store.currency, period.TO, batch) });
    if (written.orders.created !== batch) throw new Error(`expected ${batch} new orders, got ${JSON.stringify(written.orders)}`);
    start = performance.now();
    await services.analytics.onOrdersWritten(STORE);
    rows.push({ name: 'incremental update', value: Math.round(performance.now() - start), unit: 'ms', note: `after a batch of ${batch} orders` });
    rows.push({ name: 'peak RSS', value: Math.round(peakRss / 2 ** 20), unit: 'MiB', note: 'this process; target ≤ 2048 MiB' });
    await app.close();
    await services.shutdown();
    await store.close();
  } finally {
    clearInterval(sampler);
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
