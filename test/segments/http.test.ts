import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';
import { registerJobs } from '../../src/jobs/handlers.js';
import { Worker } from '../../src/jobs/worker.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { StoreBuilder } from '../helpers/segments-data.js';
import { buildKnownStore, type KnownIds } from './known-store.js';

let t: TestApp;
let key: string;
let otherKey: string;
let ids: KnownIds;
let storeId: string;
let builder: StoreBuilder;

beforeAll(async () => {
  t = await createTestApp();
  const mine = await t.newStore('Known');
  const other = await t.newStore('Other');
  key = mine.secretKey;
  otherKey = other.secretKey;
  storeId = mine.storeId;
  ({ ids, builder } = await buildKnownStore(t.services.storage, mine.storeId, other.storeId));
  await t.services.storage.write.insertInto('events').values({
    store_id: mine.storeId, id: sql<number>`nextval('events_id_seq')`, message_id: null, type: 'page', name: 'Home', customer_id: ids.ann,
    anonymous_id: null, session_id: 's1', url: '/', properties: '{}', source: 'api', occurred_at: new Date('2026-05-28T09:00:00Z'), received_at: new Date('2026-05-28T09:00:00Z'),
  }).execute();
});
afterAll(async () => t.close());

const post = (url: string, payload: unknown, k = key) => t.app.inject({ method: 'POST', url, payload: payload as object, headers: bearer(k) });
const get = (url: string, k = key) => t.app.inject({ method: 'GET', url, headers: bearer(k) });

describe('segments over HTTP', () => {
  it('previews a count and a sample', async () => {
    const response = await post('/api/v1/segments/preview', { rule: { kind: 'orders', metric: 'count', op: 'gte', value: 2 }, sample_size: 5 });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.count).toBe(2);
    expect(body.sample.map((s: { email: string }) => s.email).sort()).toEqual(['ann@example.com', 'fay@example.com']);
    expect(body.sample[0].why).toHaveProperty('Orders');
  });

  it('rejects unknown fields and incompatible types with the path of the bad node', async () => {
    const unknown = await post('/api/v1/segments/preview', { rule: { kind: 'all', rules: [{ kind: 'profile', field: 'country', op: 'eq', value: 'US' }, { kind: 'profile', field: 'shoe_size', op: 'eq', value: '9' }] } });
    expect(unknown.statusCode).toBe(422);
    expect(errorOf(unknown).details).toEqual([{ path: 'rule.rules.1.field', reason: expect.stringMatching(/unknown profile field "shoe_size"/) }]);

    const types = await post('/api/v1/segments/preview', { rule: { kind: 'orders', metric: 'revenue', op: 'gte', value: 'lots' } });
    expect(types.statusCode).toBe(422);
    expect(errorOf(types).details).toEqual([{ path: 'rule.value', reason: 'Revenue is money: gte needs a whole amount in minor units (cents), got text "lots"' }]);

    const op = await post('/api/v1/segments/preview', { rule: { kind: 'not', rule: { kind: 'profile', field: 'country', op: 'gt', value: 'US' } } });
    expect(errorOf(op).details[0]!.path).toBe('rule.rule.op');

    const shape = await post('/api/v1/segments/preview', { rule: { kind: 'any', rules: [{ kind: 'weather', op: 'eq' }] } });
    expect(shape.statusCode).toBe(422);
    expect(errorOf(shape).details[0]!.path).toMatch(/^rule\.rules\.0/);
  });

  it('never turns rule text into SQL', async () => {
    const field = await post('/api/v1/segments/preview', { rule: { kind: 'profile', field: 'email; drop table customers; --', op: 'is_set' } });
    expect(errorOf(field).details[0]!.path).toBe('rule.field');
    const attribute = await post('/api/v1/segments/preview', { rule: { kind: 'attribute', name: "plan') or 1=1 --", op: 'eq', value: 'x' } });
    expect(errorOf(attribute).details[0]!.path).toBe('rule.name');
    const value = await post('/api/v1/segments/preview', { rule: { kind: 'profile', field: 'country', op: 'eq', value: "US' or '1'='1" } });
    expect(value.json().count).toBe(0);
    const still = await post('/api/v1/segments/preview', { rule: { kind: 'profile', field: 'country', op: 'is_set' } });
    expect(still.json().count).toBe(5);
  });

  it('saves, lists, pages, exports and deletes a segment, and keeps stores apart', async () => {
    const created = await post('/api/v1/segments', { name: 'US buyers', rule: { kind: 'all', rules: [{ kind: 'profile', field: 'country', op: 'eq', value: 'US' }, { kind: 'orders', metric: 'count', op: 'gte', value: 1 }] } });
    expect(created.statusCode).toBe(201);
    const segment = created.json();
    expect(segment.member_count).toBe(2);
    const list = (await get('/api/v1/segments')).json().data;
    expect(list.map((s: { name: string }) => s.name)).toContain('US buyers');
    expect(list.filter((s: { builtin_key: string | null }) => s.builtin_key)).toHaveLength(7);

    const page1 = (await get(`/api/v1/segments/${segment.id}/members?limit=1`)).json();
    expect(page1.data).toHaveLength(1);
    const page2 = (await get(`/api/v1/segments/${segment.id}/members?limit=1&cursor=${page1.next_cursor}`)).json();
    expect(page2.data.map((m: { customer_id: number }) => m.customer_id)).toEqual([ids.fay]);
    expect(page2.next_cursor).toBeNull();
    const badCursor = await get(`/api/v1/segments/${segment.id}/members?cursor=bm90LWEtbnVtYmVy`);
    expect(errorOf(badCursor).details[0]!.path).toBe('query.cursor');

    const csv = await get(`/api/v1/segments/${segment.id}/members.csv`);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.trim().split('\n')).toHaveLength(3);
    expect(csv.body).toContain('fay@example.com');

    expect((await get(`/api/v1/segments/${segment.id}`, otherKey)).statusCode).toBe(404);
    const changes = (await get(`/api/v1/segments/${segment.id}/changes`)).json();
    expect(changes.data.map((c: { change: string }) => c.change)).toEqual(['entered', 'entered']);

    const renamed = await t.app.inject({ method: 'PATCH', url: `/api/v1/segments/${segment.id}`, payload: { name: 'US repeat', rule: { kind: 'orders', metric: 'count', op: 'gte', value: 2 } }, headers: bearer(key) });
    expect(renamed.json()).toMatchObject({ name: 'US repeat', member_count: 2 });
    const deleted = await t.app.inject({ method: 'DELETE', url: `/api/v1/segments/${segment.id}`, headers: bearer(key) });
    expect(deleted.statusCode).toBe(204);
    expect((await get(`/api/v1/segments/${segment.id}`)).statusCode).toBe(404);
  });
});

describe('refresh through the job queue', () => {
  it('refreshes data-driven segments after a data change and records the entry', async () => {
    const created = (await post('/api/v1/segments', { name: 'Big spenders', rule: { kind: 'orders', metric: 'revenue', op: 'gte', value: 30_000 } })).json();
    expect(created.member_count).toBe(2);
    await builder.order(ids.fay, { external_id: 'o-fay-big', placed_at: new Date('2026-05-31T10:00:00Z'), total: 40_000 });
    // What the order writer does after a commit: update the analytics summary, then ask for a refresh (twice here: one job).
    await t.services.analytics.onOrdersWritten(storeId, [ids.fay]);
    await t.services.segments.onDataChanged(storeId);
    await t.services.segments.onDataChanged(storeId);
    const worker = new Worker(t.services.jobs, silentLogger);
    registerJobs(worker, t.services);
    let ran = 0;
    while (await worker.tick()) ran += 1;
    const refreshJobs = (await t.services.jobs.list({ storeId })).filter((j) => j.kind === 'segments.refresh' && j.state === 'done');
    expect(refreshJobs).toHaveLength(1);
    expect(ran).toBeGreaterThanOrEqual(1);
    const changes = (await get(`/api/v1/segments/${created.id}/changes`)).json().data;
    expect(changes.map((c: { customer_id: number; change: string }) => [c.customer_id, c.change])).toContainEqual([ids.fay, 'entered']);
    expect((await get(`/api/v1/segments/${created.id}`)).json().member_count).toBe(3);
  });
});

describe('API document', () => {
  it('lists the segment, persona and profile operations with their permissions', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.paths['/api/v1/segments/preview'].post['x-permission']).toBe('read');
    expect(doc.paths['/api/v1/segments'].post['x-permission']).toBe('write');
    expect(doc.paths['/api/v1/customers/{id}/profile'].get).toBeDefined();
    expect(doc.paths['/api/v1/personas/run'].post['x-permission']).toBe('write');
  });
});

describe('customer 360 over HTTP', () => {
  it('finds customers by email, name or external id', async () => {
    const byEmail = (await get('/api/v1/customers/search?q=GMAIL')).json().data.map((c: { external_id: string }) => c.external_id).sort();
    expect(byEmail).toEqual(['c-bob', 'c-cat']);
    expect((await get('/api/v1/customers/search?q=archer')).json().data.map((c: { id: number }) => c.id)).toEqual([ids.ann]);
    expect((await get('/api/v1/customers/search?q=c-fay')).json().data.map((c: { id: number }) => c.id)).toEqual([ids.fay]);
    expect((await get('/api/v1/customers/search?q=c-ann', otherKey)).json().data).toHaveLength(1);
    expect(errorOf(await get('/api/v1/customers/search?q=a')).details[0]!.path).toBe('query.q');
  });

  it('assembles one profile: identity, KPIs, segments, timeline, top categories', async () => {
    await get('/api/v1/segments');
    const response = await get(`/api/v1/customers/${ids.ann}/profile`);
    expect(response.statusCode).toBe(200);
    const p = response.json();
    expect(p.identity).toMatchObject({ email: 'ann@example.com', tags: ['vip', 'wholesale'], attributes: { plan: 'gold', age: 34, newsletter: true } });
    expect(p.consent).toMatchObject({ accepts_marketing: true, email: { status: 'subscribed' }, sms: { status: 'never_asked' } });
    // Orders 100.00 (2025-02-01), 50.00 (2026-01-10), 200.00 (2026-05-25); a 30.00 return: revenue is net of it.
    const days = (Date.parse('2026-05-25') - Date.parse('2025-02-01')) / 86_400_000;
    expect(p.kpis).toMatchObject({ orders: 3, gross_revenue: 35_000, revenue: 32_000, average_order_value: Math.round(32_000 / 3), returns: 1, returned_amount: 3_000, average_days_between_orders: Math.round((days / 2) * 10) / 10 });
    expect(p.segments.map((s: { builtin_key: string }) => s.builtin_key)).toContain('repeat_buyers');
    const types = p.timeline.map((i: { type: string }) => i.type);
    expect(types.filter((x: string) => x === 'order')).toHaveLength(3);
    expect(types.filter((x: string) => x === 'return')).toHaveLength(1);
    // Two product views three days apart and a page view between them: three sessions.
    const sessions = p.timeline.filter((i: { type: string }) => i.type === 'browsing_session');
    expect(sessions).toHaveLength(3);
    expect(p.timeline.map((i: { at: string }) => i.at)).toEqual([...p.timeline.map((i: { at: string }) => i.at)].sort().reverse());
    expect(p.top_categories.map((c: { name: string }) => c.name)).toEqual(['shoes', 'books']);
    expect(p.predictions).toBeNull();
    expect((await get(`/api/v1/customers/${ids.ann}/profile`, otherKey)).statusCode).toBe(404);
    expect(errorOf(await get('/api/v1/customers/abc/profile')).details[0]!.path).toBe('params.id');
  });
});
