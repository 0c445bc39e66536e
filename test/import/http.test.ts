import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerJobs } from '../../src/jobs/handlers.js';
import { Worker } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { realData } from '../helpers/imports.js';

const cdnow = readFileSync(realData('cdnow/CDNOW_sample.txt'));

describe('imports over HTTP', () => {
  let t: TestApp;
  let key: string;
  let storeId: string;
  beforeAll(async () => {
    t = await createTestApp();
    ({ secretKey: key, storeId } = await t.newStore('Upload Store'));
  });
  afterAll(async () => t.close());

  const upload = (query: string, body: Buffer | string, auth = key) => t.app.inject({
    method: 'POST', url: `/api/v1/imports?${query}`, payload: body,
    headers: { authorization: `Bearer ${auth}`, 'content-type': 'text/csv' },
  });

  it('queues an uploaded file as a job that imports it, and lists the run', async () => {
    const response = await upload('format=cdnow&name=CDNOW_sample.txt', cdnow);
    expect(response.statusCode).toBe(202);
    const { job_id: job } = response.json();
    const worker = new Worker(t.services.jobs, silentLogger);
    registerJobs(worker, t.services);
    expect(await worker.tick()).toBe(true);
    const done = await t.services.jobs.get(job);
    expect(done).toMatchObject({ state: 'done', progress: 1 });
    expect(done!.result).toMatchObject({ rowsRead: 6919, orders: { created: 6919 }, customers: { created: 2357 }, store: { id: storeId, created: false } });

    const list = await t.app.inject({ method: 'GET', url: '/api/v1/imports', headers: { authorization: `Bearer ${key}` } });
    expect(list.statusCode).toBe(200);
    const [run] = list.json().data;
    expect(run).toMatchObject({ format: 'cdnow', file: 'CDNOW_sample.txt', state: 'done', rows_read: 6919, rows_rejected: 0, summary: { orders: { created: 6919 } } });
    expect(run.file_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses an unknown format, a file that is not the format, and a missing key', async () => {
    const format = await upload('format=xml', 'a,b\n1,2\n');
    expect(format.statusCode).toBe(422);
    expect(format.json().error.details[0].path).toBe('query.format');
    const header = await upload('format=online-retail&name=orders.csv', 'Name,Total\n#1,2.00\n');
    expect(header.statusCode).toBe(400);
    expect(header.json().error.message).toMatch(/orders\.csv: line 1: the online-retail header lacks columns InvoiceNo/);
    const noKey = await upload('format=cdnow', cdnow, 'hk_secret_wrong');
    expect(noKey.statusCode).toBe(401);
  });
});
