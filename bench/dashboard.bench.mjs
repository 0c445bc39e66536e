// Page render times of the dashboard on a demo store (50,000 customers at scale 1, made by
// `hearth demo --no-serve --customers 50000` as a user would; the tiny run reads the benchmark
// demo store the other benchmarks share, which only checks that every page renders), served by the server as `hearth serve` starts it (startServer), measured in
// Debian's Chromium through playwright-core: from navigation until the page's data is on screen
// (heading shown, no loading indicator left). Target: ≤ 1,500 ms per page. `hearth demo` has
// fitted the models, so the Predictions page, the overview's prediction cards and a customer's
// profile render real predictions. The server's own worker is off: its scheduled refit would
// otherwise start mid-run and hold the event loop for as long as the fit takes.
import { rmSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { loadConfig } from '../dist/config.js';
import { silentLogger } from '../dist/lib/logger.js';
import { startServer } from '../dist/main.js';
import { readDemoLogin } from '../dist/modules/demo/demo.service.js';
import { copyOfDemoStore } from './lib/hearth.mjs';

const pages = ['/', '/cohorts', '/rfm', '/predictions', '/segments', '/customers', '/products', '/journey', '/journey-map', '/data', '/settings'];
const TARGET_MS = 1500;

export default async function ({ scale, tiny, log }) {
  const customers = Math.max(1_000, Math.round(50_000 * scale));
  const { dir, summary: demo } = await copyOfDemoStore(customers, { log, ...(!tiny && { shape: null }) });
  const login = readDemoLogin(dir);
  if (!login) throw new Error('the demo store has no login');
  const config = loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_HOST: '127.0.0.1', HEARTH_PORT: '0', HEARTH_LOG_LEVEL: 'silent' });
  const server = await startServer(config, { migrate: true, logger: silentLogger, worker: false });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
  });
  try {
    const [first] = await server.services.storage.read.selectFrom('customer_predictions').select('customer_id')
      .where('store_id', '=', demo.store.id).orderBy('clv_12m', 'desc').limit(1).execute();
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('Email').fill(login.email);
    await page.getByLabel('Password').fill(login.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    const rows = [];
    for (const path of [...pages, ...(first ? [`/customers/${first.customer_id}`] : [])]) {
      const times = [];
      // The first visit warms the server's caches; the median of the next three is reported (the
      // tiny run, a check that every page renders, visits each page once).
      for (let i = 0; i < (tiny ? 1 : 4); i += 1) {
        const started = performance.now();
        await page.goto(`${server.url}${path}`);
        await page.getByRole('heading', { level: 1 }).first().waitFor();
        await page.waitForFunction(() => document.querySelectorAll('.state-loading').length === 0, undefined, { timeout: 30_000 });
        times.push(performance.now() - started);
      }
      const later = times.length > 1 ? times.slice(1).sort((a, b) => a - b) : times;
      const warm = later[Math.floor(later.length / 2)];
      const errors = await page.locator('.state-error').count();
      rows.push({
        name: `render ${path.replace(/\/\d+$/, '/:id')}`, value: Math.round(warm), unit: 'ms', ratio: Number((warm / TARGET_MS).toFixed(2)),
        note: `first visit ${Math.round(times[0])} ms; ratio to the ${TARGET_MS} ms target${errors ? `; ${errors} panel(s) in error` : ''}`,
      });
    }
    return rows;
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
