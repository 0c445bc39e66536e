/**
 * The CLI and the API give the same numbers: `hearth report <name> --json` against
 * `GET /api/v1/analytics/<name>` on the same data directory; CSV export; errors name the field.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Storage } from '../../src/db/database.js';
import { buildApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createServices } from '../../src/services.js';
import { runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';
import { buildHandStore } from './fixture.js';

const cli = runCliInProcess;

describe('analytics over the CLI and the API', () => {
  const dir = tempDir('hearth-analytics-cli-');
  let storage: Storage;
  let app: FastifyInstance;
  let key: string;
  const cliJson: Record<string, unknown> = {};
  const queries: Record<string, string[]> = {
    kpis: ['--from', '2024-02-01', '--to', '2024-02-29'],
    cohorts: ['--from', '2024-01-01', '--to', '2024-03-31', '--period', 'month'],
    rfm: ['--since', '2024-02-01'],
    products: ['--breakdown', 'first_category'],
    clv: ['--by', 'country'],
  };

  beforeAll(async () => {
    const setup = await Storage.open({ dataDir: dir.path, readers: 2, memoryLimit: '512MB', threads: 2 });
    await setup.migrate();
    await buildHandStore(setup, { slug: 'hand' });
    await setup.close();
    // The CLI opens and closes the data directory itself, one command at a time.
    for (const [report, args] of Object.entries(queries)) {
      const result = await cli(['report', report, '--json', '--data-dir', dir.path, ...args]);
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
      cliJson[report] = JSON.parse(result.out);
    }
    storage = await Storage.open({ dataDir: dir.path, readers: 2, memoryLimit: '512MB', threads: 2 });
    const services = createServices(loadConfig({ HEARTH_DATA_DIR: dir.path }), storage, silentLogger);
    app = await buildApp(services, { logger: false });
    key = (await services.accounts.createApiKey('st_hand', 'secret', 'analytics test')).key;
  });
  afterAll(async () => {
    await app?.close();
    await storage?.close();
    dir.remove();
  });

  const get = (url: string, auth = true) => app.inject({ method: 'GET', url, headers: auth ? { authorization: `Bearer ${key}` } : {} });
  const toQuery = (args: string[]) => args.reduce((q, arg, i) => (i % 2 ? `${q}${arg}` : `${q}${q ? '&' : ''}${arg.slice(2)}=`), '');

  it.each(['kpis', 'cohorts', 'rfm', 'products', 'clv'])('GET /api/v1/analytics/%s equals `hearth report --json`', async (report) => {
    const response = await get(`/api/v1/analytics/${report}?${toQuery(queries[report]!)}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(cliJson[report]);
  });

  it('documents the analytics routes in the OpenAPI document', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const paths = (response.json() as { paths: Record<string, unknown> }).paths;
    for (const report of ['kpis', 'cohorts', 'rfm', 'products', 'clv']) expect(paths[`/api/v1/analytics/${report}`]).toBeDefined();
  });

  it('the cohort JSON lists each cohort with its size and retained customers per offset', () => {
    const cohorts = (cliJson.cohorts as { cohorts: { cohort: string; size: number; periods: { offset: number; customers: number }[] }[] }).cohorts;
    expect(cohorts.map((c) => [c.cohort, c.size, c.periods.map((p) => [p.offset, p.customers])])).toEqual([
      ['2024-01-01', 2, [[0, 2], [1, 0], [2, 1]]], ['2024-02-01', 2, [[0, 2], [1, 0]]],
    ]);
  });

  it('selects cohorts by first order with from/to, and compares them at equal ages', async () => {
    // From February: only the February cohort (c3, c4), whatever orders January's customers placed.
    const feb = (await get('/api/v1/analytics/cohorts?from=2024-02-01&to=2024-03-31')).json();
    expect(feb.cohorts.map((c: { cohort: string; size: number }) => [c.cohort, c.size])).toEqual([['2024-02-01', 2]]);
    // Last day 5 Mar 2024: no cohort has a finished month 3, so no value at any age and no best.
    expect(feb.cohorts[0].value_at).toEqual([{ age: 3, customers: 2, value: null }, { age: 6, customers: 2, value: null }, { age: 12, customers: 2, value: null }]);
    expect(feb.value_average[0]).toEqual({ age: 3, cohorts: 0, customers: 0, value: null });
    expect(feb.best_retention).toEqual({
      age: 3, min_customers: 30, min_cohorts: 6, best: null, mature: { cohorts: 0, first: null, last: null },
      compared: { cohorts: 0, first: null, last: null, customers: 0, retained: 0, retention: null, too_small: 0 },
    });
    // By default the last 12 full months: the last day's March is running, so March 2023 – February 2024.
    const byDefault = (await get('/api/v1/analytics/cohorts')).json();
    expect([byDefault.query.from, byDefault.query.to]).toEqual(['2023-03-01', '2024-02-29']);
    expect(byDefault.cohorts.map((c: { cohort: string }) => c.cohort)).toEqual(['2024-01-01', '2024-02-01']);
    const weekly = (await get('/api/v1/analytics/cohorts?period=week')).json();
    expect(weekly.cohorts[0].value_at.map((v: { age: number }) => v.age)).toEqual([13, 26, 52]);
  });

  it('exports any table as CSV', async () => {
    const response = await get('/api/v1/analytics/cohorts?from=2024-01-01&to=2024-03-31&format=csv&table=customers');
    expect(response.headers['content-type']).toContain('text/csv');
    expect(response.body).toBe('cohort,size,0,1,2\r\n2024-01-01,2,2,0,1\r\n2024-02-01,2,2,0,\r\n');
    const clv = await get('/api/v1/analytics/clv?by=country&format=csv');
    expect(clv.body.split('\r\n').slice(0, 2)).toEqual(['country,title,customers,orders,revenue,revenue/customer,orders/customer,repeat rate', 'GB,,2,4,250.00,125.00,2,0.5']);
  });

  it('prints readable tables on a terminal', async () => {
    await app.close();
    await storage.close();
    const cohorts = await cli(['report', 'cohorts', '--from', '2024-01-01', '--to', '2024-03-31', '--data-dir', dir.path]);
    // Periods read "Jan 2024" on a terminal; immature values stay blank.
    expect(cohorts.out).toMatch(/retention\ncohort\s+size\s+0\s+1\s+2\n[- ]+\nJan 2024\s+2\s+100\.0%\s+0\.0%\s+50\.0%\nFeb 2024\s+2/);
    expect(cohorts.out).toMatch(/value\ncohort\s+size\s+value at month 3\s+value at month 6\s+value at month 12\n[- ]+\nJan 2024\s+2\n/);
    expect(cohorts.out).toMatch(/best-retention\nage\s+cohorts compared/);
    const table = await cli(['report', 'rfm', '--data-dir', dir.path]);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/segments\nsegment\s+customers\s+share/);
    expect(table.out).toMatch(/At risk\s+2\s+50\.0%\s+\$280\.00\s+52\.8%/);
    const csv = await cli(['report', 'clv', '--by', 'country', '--csv', '--data-dir', dir.path]);
    expect(csv.out.split('\r\n')[1]).toBe('GB,,2,4,250.00,125.00,2,0.5');
    // Rates change by points, as on the dashboard; money and counts relatively.
    const kpis = await cli(['report', 'kpis', ...queries.kpis!, '--data-dir', dir.path]);
    // Returns: 0 % in February against 2,000 of 39,000 (5.1 %) in the 29 days before; revenue 180 against 370.
    expect(kpis.out).toMatch(/returns rate\s+0\.0%\s+5\.1%\s+-5\.1 pts/);
    expect(kpis.out).toMatch(/revenue\s+\$180\.00\s+\$370\.00\s+-51\.4%/);
    storage = await Storage.open({ dataDir: dir.path, readers: 2, memoryLimit: '512MB', threads: 2 });
    app = await buildApp(createServices(loadConfig({ HEARTH_DATA_DIR: dir.path }), storage, silentLogger), { logger: false });
  });

  it('shows each report only its own options, and refuses the others as usage errors', async () => {
    const rfm = await cli(['report', 'rfm', '--period', 'month', '--data-dir', dir.path]);
    expect(rfm.code).toBe(2);
    expect(rfm.err).toMatch(/unknown option '--period'/);
    const help = await cli(['report', 'kpis', '--help']);
    expect(help.out).toMatch(/--compare/);
    expect(help.out).not.toMatch(/--since|--retained|--by /);
    expect(help.out).toMatch(/--payment-method/);
  });

  it('rejects bad input with the field and the reason', async () => {
    const bad = await get('/api/v1/analytics/cohorts?period=day&from=2024-13-01');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details).toEqual([{ path: 'query.period', reason: expect.stringContaining('week') }]);
    const badDate = await get('/api/v1/analytics/kpis?from=2024-13-01');
    expect(badDate.json().error.details).toEqual([{ path: 'query.from', reason: '"2024-13-01" is not a date (YYYY-MM-DD)' }]);
    const unknown = await get('/api/v1/analytics/rfm?colour=red');
    expect(unknown.statusCode).toBe(422);
    const table = await get('/api/v1/analytics/rfm?format=csv&table=nope');
    expect(table.json().error.details[0]).toMatchObject({ path: 'query.table' });
    expect((await get('/api/v1/analytics/kpis', false)).statusCode).toBe(401);
    await app.close();
    await storage.close();
    const cliBad = await cli(['report', 'kpis', '--to', '2024-02-31', '--data-dir', dir.path]);
    expect([cliBad.code, cliBad.err.trim()]).toEqual([2, 'error: Invalid analytics query (--to: "2024-02-31" is not a date (YYYY-MM-DD))']);
    storage = await Storage.open({ dataDir: dir.path, readers: 2, memoryLimit: '512MB', threads: 2 });
    app = await buildApp(createServices(loadConfig({ HEARTH_DATA_DIR: dir.path }), storage, silentLogger), { logger: false });
  });
});
