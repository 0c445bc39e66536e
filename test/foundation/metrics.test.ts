/** /metrics also reports the store's state: the job queue, ingest outcomes, model age, summary lag, domain-event backlog. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../helpers/app.js';
import { basic, messageId } from '../helpers/ingest.js';

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('Metrics Store');
});
afterAll(async () => t.close());

const scrape = async () => (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
const value = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics', () => {
  it('counts queued jobs by kind and state, and ingest outcomes by source over 24 hours', async () => {
    const queued = await t.app.inject({ method: 'POST', url: '/api/v1/analytics/refresh', headers: bearer(store.secretKey) });
    expect(queued.statusCode).toBe(202);
    const batch = [
      { type: 'track', anonymousId: 'm-1', event: 'Viewed', messageId: messageId() },
      { type: 'track', anonymousId: 'm-1', event: 'Viewed', messageId: messageId() },
      { type: 'track', anonymousId: 'm-1', messageId: messageId() },
    ];
    expect((await t.app.inject({ method: 'POST', url: '/v1/batch', headers: basic(store.writeKey), payload: { batch } })).statusCode).toBe(200);
    // Counters reach the table within a second of the commit (the ingest writer flushes them).
    let text = await scrape();
    for (let i = 0; i < 30 && value(text, 'hearth_ingest_events_24h{source="api",outcome="stored"}') !== 2; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      text = await scrape();
    }
    expect(value(text, 'hearth_jobs{kind="analytics.refresh",state="queued"}')).toBe(1);
    expect(value(text, 'hearth_ingest_events_24h{source="api",outcome="received"}')).toBe(3);
    expect(value(text, 'hearth_ingest_events_24h{source="api",outcome="stored"}')).toBe(2);
    expect(value(text, 'hearth_ingest_events_24h{source="api",outcome="rejected"}')).toBe(1);
    for (const name of ['hearth_model_age_seconds', 'hearth_summary_lag_seconds', 'hearth_domain_event_backlog']) expect(text).toContain(`# HELP ${name} `);
  });

  it('reports how far the summaries trail the orders', async () => {
    const order = { customer_external_id: 'c-m', placed_at: '2026-11-01T10:00:00Z', currency: 'USD', lines: [{ sku: 'A', quantity: 1, unit_price: 1000 }] };
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/orders/m-1', headers: bearer(store.secretKey), payload: order })).statusCode).toBe(201);
    await t.services.analytics.refreshSummaries(store.storeId);
    expect(value(await scrape(), `hearth_summary_lag_seconds{store="${store.storeId}"}`)).toBe(0);
  });
});
