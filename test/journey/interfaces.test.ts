/**
 * The journey reports over the API and the CLI: the same body from `GET /api/v1/analytics/<name>`
 * and `hearth report <name> --json`; bad input is a 422 naming the field (API) or exit 2 naming
 * the flag (CLI); the OpenAPI document lists the four operations.
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
import { buildJourneyStore } from './fixture.js';

describe('journey reports over the API and the CLI', () => {
  const dir = tempDir('hearth-journey-cli-');
  let storage: Storage;
  let app: FastifyInstance;
  let key: string;
  let storeSlug: string;
  const cliJson: Record<string, unknown> = {};
  const queries: Record<string, string[]> = {
    funnels: ['--from', '2024-01-01', '--to', '2024-06-30', '--period', 'quarter'],
    paths: ['--from', '2024-01-01', '--to', '2024-06-30', '--start', 'page:/cart', '--steps', '2'],
    exits: ['--to', '2024-06-30', '--min-customers', '3', '--sessions', '1'],
    lifecycle: ['--from', '2024-02-01', '--to', '2024-05-31'],
  };

  beforeAll(async () => {
    const setup = await Storage.open({ dataDir: dir.path, readers: 2, memoryLimit: '512MB', threads: 2 });
    await setup.migrate();
    const built = await buildJourneyStore(setup, { seed: 5, customers: 40, visitors: 10, start: '2023-12-01', days: 200, inactivityDays: 60 });
    storeSlug = built.storeId.replace(/^st_/, '');
    await setup.close();
    for (const [report, args] of Object.entries(queries)) {
      const result = await runCliInProcess(['report', report, '--json', '--data-dir', dir.path, '--store', storeSlug, ...args]);
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
      cliJson[report] = JSON.parse(result.out);
    }
    storage = await Storage.open({ dataDir: dir.path, readers: 2, memoryLimit: '512MB', threads: 2 });
    const services = createServices(loadConfig({ HEARTH_DATA_DIR: dir.path }), storage, silentLogger);
    app = await buildApp(services, { logger: false });
    key = (await services.accounts.createApiKey(built.storeId, 'secret', 'journey test')).key;
  });
  afterAll(async () => {
    await app?.close();
    await storage?.close();
    dir.remove();
  });

  const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
  const toQuery = (args: string[]) => new URLSearchParams(Object.fromEntries(args.flatMap((a, i) => (i % 2 ? [] : [[a.slice(2).replace(/-/g, '_'), args[i + 1]!]])))).toString();

  it.each(['funnels', 'paths', 'exits', 'lifecycle'])('GET /api/v1/analytics/%s equals `hearth report --json`', async (report) => {
    const response = await get(`/api/v1/analytics/${report}?${toQuery(queries[report]!)}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(cliJson[report]);
  });

  it('the answers are what was asked for', () => {
    const funnels = cliJson.funnels as { query: { period: string }; steps: { label: string; units: number }[]; trend: { period_start: string }[] };
    expect(funnels.query.period).toBe('quarter');
    expect(funnels.trend.map((t) => t.period_start)).toEqual(['2024-01-01', '2024-04-01']);
    expect(funnels.steps[0]!.units).toBeGreaterThan(0);
    const paths = cliJson.paths as { query: { anchor: string; steps: number }; paths: { steps: string[] }[] };
    expect(paths.query).toMatchObject({ anchor: '/cart', steps: 2 });
    expect(Math.max(...paths.paths.map((p) => p.steps.length))).toBe(2);
    const lifecycle = cliJson.lifecycle as { months: { month: string }[] };
    expect(lifecycle.months.map((m) => m.month)).toEqual(['2024-02-01', '2024-03-01', '2024-04-01', '2024-05-01']);
  });

  it.each([
    ['funnels?count=visits', 'query.count'],
    ['funnels?breakdown=browser', 'query.breakdown'],
    ['funnels?funnel=repeat&breakdown=customer_type', 'query.breakdown'],
    ['funnels?funnel=repeat&breakdown=device', 'query.breakdown'],
    ['funnels?breakdown=segment', 'query.segment'],
    ['funnels?segment=seg_1', 'query.segment'],
    ['funnels?breakdown=segment&segment=seg_nope', 'query.segment'],
    ['funnels?steps=event:Product Viewed[price>cheap]>page:/cart', 'query.steps'],
    ['funnels?steps=event:Product Viewed[a b=1]>page:/cart', 'query.steps'],
    ['funnels?steps=event:Product Viewed[category]>page:/cart', 'query.steps'],
    ['paths?start=event:Product Viewed[price~3]', 'query.start'],
    ['funnels?steps=page:/a', 'query.steps'],
    ['funnels?steps=page:/a>pages:/b', 'query.steps'],
    ['funnels?steps=page:a>page:/b', 'query.steps'],
    ['funnels?funnel=repeat&window_days=30', 'query.window_days'],
    ['funnels?window_days=7', 'query.window_days'],
    ['funnels?funnel=purchase&steps=page:/a>page:/b', 'query.steps'],
    ['funnels?from=2024-02-30', 'query.from'],
    ['funnels?from=2024-05-01&to=2024-04-01', 'query.from'],
    ['paths', 'query.start'],
    ['paths?start=page:/cart&end=page:/cart', 'query.start'],
    ['paths?start=page:/cart&steps=9', 'query.steps'],
    ['paths?start=click:/cart', 'query.start'],
    ['exits?sessions=0', 'query.sessions'],
    ['exits?group=folder', 'query.group'],
    ['exits?min_customers=abc', 'query.min_customers'],
    ['lifecycle?to=yesterday', 'query.to'],
    ['lifecycle?to=9999-12-31', 'query.to'],
    ['exits?from=1900-01-01', 'query.from'],
  ])('GET /api/v1/analytics/%s is a 422 naming %s', async (url, field) => {
    const response = await get(`/api/v1/analytics/${url}`);
    expect(response.statusCode).toBe(422);
    const error = response.json().error as { code: string; details: { path: string; reason: string }[] };
    expect(error.code).toBe('validation_failed');
    expect(error.details.map((d) => d.path)).toContain(field);
    expect(error.details.every((d) => d.reason.length > 0)).toBe(true);
  });

  it.each(['funnels', 'paths?end=page:/', 'exits', 'lifecycle', 'funnels?funnel=repeat'])('odd but valid ranges answer: %s', async (url) => {
    const sep = url.includes('?') ? '&' : '?';
    for (const range of ['from=2990-01-01&to=2999-12-31', 'from=1970-01-01&to=1970-01-01', 'to=2024-03-31']) {
      const response = await get(`/api/v1/analytics/${url}${sep}${range}`);
      expect([range, response.statusCode]).toEqual([range, 200]);
    }
  });

  it.each(['funnels?steps=page:/%25_\\>event:%27;drop', 'paths?start=event:%00', 'funnels?steps=' + 'page:/a>'.repeat(200) + 'page:/b'])('hostile text is refused or read as text: %s', async (url) => {
    const response = await get(`/api/v1/analytics/${url}`);
    expect([200, 422]).toContain(response.statusCode);
  });

  it('an unknown parameter is named', async () => {
    const response = await get('/api/v1/analytics/lifecycle?period=month');
    expect(response.statusCode).toBe(422);
    expect(JSON.stringify(response.json().error.details)).toContain('period');
  });

  it('the reports need a key', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/analytics/funnels' });
    expect(response.statusCode).toBe(401);
  });

  it('wrong flags exit 2 naming the flag; the terminal tables print', async () => {
    const bad = await runCliInProcess(['report', 'paths', '--data-dir', dir.path, '--store', storeSlug]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--start');
    const badSteps = await runCliInProcess(['report', 'funnels', '--steps', 'page:/a', '--data-dir', dir.path, '--store', storeSlug]);
    expect([badSteps.code, badSteps.err.includes('--steps')]).toEqual([2, true]);
    const unknown = await runCliInProcess(['report', 'exits', '--period', 'month', '--data-dir', dir.path, '--store', storeSlug]);
    expect(unknown.code).toBe(2);
    const table = await runCliInProcess(['report', 'exits', ...queries.exits!, '--data-dir', dir.path, '--store', storeSlug]);
    expect(table.code).toBe(0);
    expect(table.out).toContain('pages seen before a lapse');
    expect(table.out).toMatch(/page\s+customers\s+lapsed\s+others lapsed\s+lift\s+95 % CI/);
  });

  it('the OpenAPI document lists the four reports with their parameters', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, { get?: { operationId: string; parameters?: { name: string }[] } }> };
    expect(doc.paths['/api/v1/analytics/funnels']?.get?.operationId).toBe('getFunnelReport');
    expect(doc.paths['/api/v1/analytics/exits']?.get?.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['sessions', 'min_customers', 'group']));
    expect(doc.paths['/api/v1/analytics/lifecycle']?.get?.operationId).toBe('getLifecycleReport');
  });
});
