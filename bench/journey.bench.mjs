// The customer-journey reports at 1M customers / ~9M browsing events (× scale) on the demo store
// `hearth demo` makes with browsing (--events-per-customer 10: the store shared with the demo
// benchmark of the same run; this benchmark works on its own copy). The services are built as the
// server builds them (createServices, buildApp) over the store opened with the configuration's
// settings. Each report runs through app.inject() with its default range (the year up to the
// store's last day; the exit comparison from the first order): the first call after opening the
// store, then warm (median of 5). Reports: a 4-step funnel (product → cart → checkout → order, by
// session), the same by device, the paths after the cart, the exit pages and the pages seen before
// a lapse, the lifecycle stages. Each has a baseline: one naive SQL query over the raw events and
// orders computing the same kind of figure, timed in the same run. Also: the peak RSS.
import { rmSync } from 'node:fs';
import { loadConfig } from '../dist/config.js';
import { Storage } from '../dist/db/database.js';
import { buildApp } from '../dist/http/app.js';
import { silentLogger } from '../dist/lib/logger.js';
import { createServices } from '../dist/services.js';
import { copyOfDemoStore, demoCustomers } from './lib/hearth.mjs';
import { warmMedian } from './lib/timing.mjs';

/** Product → cart → checkout → order, as the purchase funnel names them (its four steps after Browse). */
const FUNNEL_STEPS = 'page:/products/*|event:Product Viewed>event:Product Added|page:/cart>event:Checkout Started|page:/checkout*>event:Order Completed';


/**
 * One naive query per report over the raw tables, without the product's identity links, session
 * splitting or page groups: a session is the event's session id (else its anonymous id), a page its
 * URL's path, days are local days of each row.
 */
const naiveQueries = ({ STORE, TZ, FROM, TO, INACTIVITY }) => {
  const local = (col) => `cast((${col} at time zone 'UTC') at time zone '${TZ}' as date)`;
  const events = `select coalesce(session_id, anonymous_id, cast(customer_id as varchar)) as s, customer_id, id, occurred_at as t, type, name,
      regexp_extract(url, '^https?://[^/]+([^?#]*)', 1) as path
    from events where store_id = '${STORE}' and type in ('page', 'track') and ${local('occurred_at')} between '${FROM}' and '${TO}'`;
  return {
    // The funnel as a chain of self-joins: each step's first time at or after the step before, per session.
    funnel: `with e as (${events}),
      s1 as (select s, min(t) as t from e where (type = 'page' and path like '/products/%') or (type = 'track' and name = 'Product Viewed') group by s),
      s2 as (select e.s, min(e.t) as t from e join s1 on s1.s = e.s and e.t >= s1.t where (type = 'track' and name = 'Product Added') or (type = 'page' and path = '/cart') group by e.s),
      s3 as (select e.s, min(e.t) as t from e join s2 on s2.s = e.s and e.t >= s2.t where (type = 'track' and name = 'Checkout Started') or (type = 'page' and path like '/checkout%') group by e.s),
      s4 as (select e.s, min(e.t) as t from e join s3 on s3.s = e.s and e.t >= s3.t where type = 'track' and name = 'Order Completed' group by e.s)
      select count(s1.s), count(s2.s), count(s3.s), count(s4.s), median(epoch(s4.t - s1.t))
      from s1 left join s2 using (s) left join s3 using (s) left join s4 using (s)`,
    // Paths: the three steps after each session's first cart page, by lead() over the session's events.
    paths: `with e as (${events}),
      l as (select s, t, id, type = 'page' and path = '/cart' as is_anchor, case when type = 'track' then name else path end as label,
        lead(case when type = 'track' then name else path end, 1) over w as n1, lead(case when type = 'track' then name else path end, 2) over w as n2,
        lead(case when type = 'track' then name else path end, 3) over w as n3
        from e window w as (partition by s order by t, id)),
      firsts as (select s, arg_min([n1, n2, n3], (t, id)) as steps from l where is_anchor group by s)
      select steps, count(*) from firsts group by 1 order by 2 desc limit 20`,
    // Exit pages (the last page of each session without an order) and, per page, the customers
    // whose last order fell in the range who saw it before lapsing (or before the range's end).
    exits: `with e as (${events}),
      sessions as (select s, max(customer_id) as customer_id, arg_max(path, t) filter (where type = 'page') as last_page,
        bool_or(type = 'track' and name = 'Order Completed') as bought, min(t) as started from e group by s),
      exit_pages as (select last_page as page, count(*) as exits from sessions where not bought and last_page is not null group by 1),
      people as (select customer_id, max(placed_at) + to_days(${INACTIVITY}) as cutoff,
          max(${local('placed_at')}) + ${INACTIVITY} < date '${TO}' as lapsed
        from orders where store_id = '${STORE}' and customer_id is not null and status <> 'cancelled' and ${local('placed_at')} <= '${TO}'
        group by 1 having max(${local('placed_at')}) >= '${FROM}'),
      seen as (select distinct p.customer_id, p.lapsed, e.path from people p join sessions s on s.customer_id = p.customer_id and s.started < p.cutoff
        join e on e.s = s.s and e.type = 'page')
      select 'exit' as kind, page, exits as n, null as lapsed from exit_pages
      union all select 'seen', path, count(*), count(*) filter (where lapsed) from seen group by path`,
    // Each customer's stage at the end of each month of the range, from their orders alone.
    lifecycle: `with months as (select cast(m as date) as m_start, cast(m + interval 1 month - interval 1 day as date) as m_end
        from generate_series(date_trunc('month', date '${FROM}'), date '${TO}', interval 1 month) t(m)),
      o as (select customer_id as c, ${local('placed_at')} as d, total from orders where store_id = '${STORE}' and customer_id is not null and status <> 'cancelled'),
      per as (select m.m_start, m.m_end, o.c, min(o.d) as first_day, max(o.d) as last_day, count(*) filter (where o.d >= m.m_start) as orders_in,
          sum(o.total) filter (where o.d >= m.m_start) as revenue
        from months m join o on o.d <= m.m_end group by all),
      staged as (select m_start, revenue, case when orders_in > 0 and first_day >= m_start then 'new' when orders_in > 0 then 'active'
          when m_end - last_day > ${INACTIVITY} then 'lapsed' when (m_end - last_day) * 2 > ${INACTIVITY} then 'at_risk' else 'active' end as stage from per)
      select m_start, stage, count(*), sum(revenue) from staged group by all order by all`,
  };
};

export default async function ({ scale, log }) {
  const customers = demoCustomers(scale);
  const { dir, summary: demo } = await copyOfDemoStore(customers, { log });
  const STORE = demo.store.id;
  let peakRss = 0;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);
  const rows = [];
  try {
    const config = loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_LOG_LEVEL: 'silent' });
    const store = await Storage.open({ dataDir: dir, readers: config.db.readers, memoryLimit: config.db.memoryLimit, threads: config.db.threads });
    // A store made beforehand may predate the newest migrations; the server applies them at start.
    await store.migrate();
    const services = createServices(config, store, silentLogger);
    const app = await buildApp(services, { logger: false });
    const { key } = await services.accounts.createApiKey(STORE, 'secret', 'bench');
    const get = async (report, search) => {
      const response = await app.inject({ method: 'GET', url: `/api/v1/analytics/${report}?${search}`, headers: { authorization: `Bearer ${key}` } });
      if (response.statusCode !== 200) throw new Error(`${report}?${search}: ${response.statusCode} ${response.body}`);
      return response.json();
    };
    const steps = `steps=${encodeURIComponent(FUNNEL_STEPS)}`;
    // An empty answer would time nothing: each report must have found what it counts.
    const endpoints = [
      { name: '4-step funnel', report: 'funnels', search: steps, naive: 'funnel', target: 1000,
        check: (r) => r.steps[0].units > 0 && r.steps[3].units > 0, describe: (r) => `${r.steps.map((s) => s.units).join(' → ')} sessions` },
      { name: '4-step funnel by device', report: 'funnels', search: `${steps}&breakdown=device`, naive: 'funnel', target: 1000,
        check: (r) => r.breakdown.rows.length > 0, describe: (r) => r.breakdown.rows.map((b) => `${b.value} ${b.entered}`).join(', ') },
      { name: 'paths after the cart', report: 'paths', search: `start=${encodeURIComponent('page:/cart')}`, naive: 'paths', target: 2000,
        check: (r) => r.sessions > 0 && r.paths.length > 0, describe: (r) => `${r.sessions} sessions, ${r.paths.length} paths` },
      { name: 'exit pages and pages before a lapse', report: 'exits', search: '', naive: 'exits', target: 2000,
        check: (r) => r.exit_pages.rows.length > 0 && r.churn.customers > 0 && r.churn.rows.length > 0,
        describe: (r) => `${r.exit_pages.sessions} sessions without a purchase; ${r.churn.customers} customers, ${r.churn.lapsed} lapsed, ${r.churn.rows.length} pages compared` },
      { name: 'lifecycle', report: 'lifecycle', search: '', naive: 'lifecycle', target: 1000,
        check: (r) => r.months.length > 0 && r.months.some((m) => m.stages.some((s) => s.customers > 0)),
        describe: (r) => `${r.months.length} months, ${r.months.at(-1).stages.reduce((sum, s) => sum + s.customers, 0)} customers in the last` },
    ];
    for (const endpoint of endpoints) {
      let start = performance.now();
      const answer = await get(endpoint.report, endpoint.search);
      const first = performance.now() - start;
      if (!endpoint.check(answer)) throw new Error(`${endpoint.name}: empty answer ${JSON.stringify(answer).slice(0, 500)}`);
      // The range as the report understood it (its default), for its naive query.
      const naive = naiveQueries({ STORE, TZ: answer.store.timezone, FROM: answer.query.from, TO: answer.query.to, INACTIVITY: answer.store.inactivity_days });
      const warm = await warmMedian(() => get(endpoint.report, endpoint.search), 5);
      start = performance.now();
      const baselineRows = (await store.withWriter((connection) => connection.runAndReadAll(naive[endpoint.naive]))).getRows();
      if (baselineRows.length === 0) throw new Error(`${endpoint.name}: the naive query found nothing`);
      log(`${endpoint.name}: ${endpoint.describe(answer)}; naive first ${Math.round(performance.now() - start)} ms`);
      const baseline = await warmMedian(() => store.withWriter((connection) => connection.runAndReadAll(naive[endpoint.naive])), 3);
      rows.push({
        name: `${endpoint.name} warm`, value: Math.round(warm), unit: 'ms', ratio: (warm / baseline).toFixed(2),
        note: `first ${Math.round(first)} ms; naive query ${Math.round(baseline)} ms; target ≤ ${endpoint.target} ms`,
      });
    }
    rows.push({ name: 'events', value: demo.counts.events, unit: 'rows', note: `${demo.counts.customers.toLocaleString('en')} customers, ${demo.counts.orders.toLocaleString('en')} orders` });
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
