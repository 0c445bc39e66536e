/**
 * The `analytics.refresh` job: enqueued by POST /api/v1/analytics/refresh, run by the worker,
 * rebuilds the summaries; reports read them afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { registerJobs } from '../../src/jobs/handlers.js';
import { Worker } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createServices, type Services } from '../../src/services.js';
import { openTestStore } from '../helpers/store.js';
import { buildHandStore } from './fixture.js';

describe('analytics.refresh job', () => {
  let store: Awaited<ReturnType<typeof openTestStore>>;
  let services: Services;

  beforeAll(async () => {
    store = await openTestStore();
    services = createServices(loadConfig({ HEARTH_DATA_DIR: 'unused' }), store, silentLogger);
  });
  afterAll(() => store.dispose());

  it('rebuilds the summaries through the queue', async () => {
    const { storeId } = await buildHandStore(store, { slug: 'jobs' });
    const app = await buildApp(services, { logger: false });
    const { key } = await services.accounts.createApiKey(storeId, 'secret', 'jobs');
    const response = await app.inject({ method: 'POST', url: '/api/v1/analytics/refresh', headers: { authorization: `Bearer ${key}` } });
    expect(response.statusCode).toBe(202);
    const { job_id: job } = response.json() as { job_id: number };
    expect(await services.analytics.summaries.state(storeId)).toBeUndefined();
    const worker = new Worker(services.jobs, silentLogger);
    registerJobs(worker, services);
    expect(await worker.tick()).toBe(true);
    const done = await services.jobs.get(job);
    expect(done).toMatchObject({ state: 'done', result: { lastDay: '2024-03-05' } });
    expect(await services.analytics.summaries.state(storeId)).toMatchObject({ orders_count: 9, last_day: '2024-03-05' });
    const { key: writeKey } = await services.accounts.createApiKey(storeId, 'write', 'tracking');
    const forbidden = await app.inject({ method: 'POST', url: '/api/v1/analytics/refresh', headers: { authorization: `Bearer ${writeKey}` } });
    expect(forbidden.statusCode).toBe(403);
    await app.close();
  });
});
