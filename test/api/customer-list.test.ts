/**
 * The customer list with each customer's figures: every field, every sort and its cursor pages
 * (with ties), the filters, and bad parameters — against figures this test computes on its own
 * from the orders and returns it wrote and the predictions as stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitAndScore } from '../../src/modules/predictions/index.js';
import type { PredictionTables } from '../../src/modules/predictions/predictions.table.js';
import { seedStore, type SeedSummary } from '../e2e/helpers/seed.js';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';

interface Item {
  id: number; external_id: string; created_at: string; orders: number; revenue: number; last_order_on: string | null;
  predicted_clv: number | null; p_alive: number | null; churn_risk: 'low' | 'medium' | 'high' | null;
}
interface ListPage { data: Item[]; next_cursor: string | null; total: number }

let t: TestApp;
let store: Awaited<ReturnType<TestApp['newStore']>>;
let seed: SeedSummary;
/** What the list should say of each customer, by external id, computed here. */
const expected = new Map<string, { orders: number; revenue: number; last_order_on: string | null }>();
const returned = new Map<string, number>();

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: bearer(store.secretKey) });

async function all(query: string, limit = 7): Promise<{ items: Item[]; pages: number; total: number }> {
  const items: Item[] = [];
  let cursor: string | null = null;
  let pages = 0;
  let total: number | undefined;
  do {
    const response = await get(`/api/v1/customers?limit=${limit}${query ? `&${query}` : ''}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(response.statusCode, response.body).toBe(200);
    const page = response.json() as ListPage;
    items.push(...page.data);
    total = page.total;
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor);
  return { items, pages, total: total ?? 0 };
}

/** The independent order: present values first, then by value, ties by id, both in the sort's direction. */
function referenceOrder(items: Item[], value: (item: Item) => number | string | null, descending: boolean): number[] {
  const sign = descending ? -1 : 1;
  return [...items].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if ((x === null) !== (y === null)) return x === null ? 1 : -1;
    if (x !== null && y !== null && x !== y) return sign * (x < y ? -1 : 1);
    return sign * (a.id - b.id);
  }).map((item) => item.id);
}

beforeAll(async () => {
  t = await createTestApp();
  store = await t.newStore('List Store', { currency: 'USD', timezone: 'UTC' });
  seed = await seedStore(t.services.storage, store.storeId, { customers: 90, seed: 11 });
  // Two customers who never ordered, and returns against some orders (revenue is net of them).
  const extra = await t.app.inject({ method: 'POST', url: '/api/v1/customers/batch', headers: bearer(store.secretKey), payload: { customers: [{ external_id: 'no-orders-1' }, { external_id: 'no-orders-2' }] } });
  expect(extra.statusCode).toBe(200);
  const returns = seed.orderList.filter((_, i) => i % 9 === 0).slice(0, 8).map((order, i) => ({
    external_id: `ret-${i}`, order_external_id: `${order.customer}-o1`, returned_at: '2026-11-01T00:00:00Z', currency: 'USD', amount: 300 + i,
  }));
  const sent = await t.app.inject({ method: 'POST', url: '/api/v1/returns/batch', headers: bearer(store.secretKey), payload: { returns } });
  expect(sent.statusCode, sent.body).toBe(200);
  for (const r of returns) returned.set(r.order_external_id.replace(/-o1$/, ''), (returned.get(r.order_external_id.replace(/-o1$/, '')) ?? 0) + r.amount);
  for (const order of seed.orderList) {
    const row = expected.get(order.customer) ?? { orders: 0, revenue: 0, last_order_on: null };
    const day = order.placedAt.toISOString().slice(0, 10);
    expected.set(order.customer, { orders: row.orders + 1, revenue: row.revenue + order.total, last_order_on: row.last_order_on && row.last_order_on > day ? row.last_order_on : day });
  }
  for (const [customer, amount] of returned) expected.get(customer)!.revenue -= amount;
  expected.set('no-orders-1', { orders: 0, revenue: 0, last_order_on: null });
  expected.set('no-orders-2', { orders: 0, revenue: 0, last_order_on: null });
}, 60_000);
afterAll(async () => t.close());

describe('the customer list with figures', () => {
  it('shows orders, net revenue and the last order day; predictions are null before a fit', async () => {
    const { items, total } = await all('', 50);
    expect(total).toBe(seed.customers + 2);
    expect(items).toHaveLength(total);
    for (const item of items) {
      expect({ external_id: item.external_id, orders: item.orders, revenue: item.revenue, last_order_on: item.last_order_on }).toEqual({ external_id: item.external_id, ...expected.get(item.external_id) });
      expect([item.predicted_clv, item.p_alive, item.churn_risk]).toEqual([null, null, null]);
    }
    expect(returned.size).toBeGreaterThan(0);
  });

  it('shows the stored predictions once the model is fitted', async () => {
    await fitAndScore(t.services.storage, store.storeId, { currency: 'USD' });
    const stored = await t.services.storage.read.withTables<PredictionTables>().selectFrom('customer_predictions')
      .select(['customer_id', 'p_alive', 'clv_12m', 'churn_risk']).where('store_id', '=', store.storeId).execute();
    expect(stored.length).toBeGreaterThan(0);
    const byId = new Map(stored.map((p) => [Number(p.customer_id), p]));
    const { items } = await all('', 100);
    for (const item of items) {
      const p = byId.get(item.id);
      expect([item.p_alive, item.predicted_clv, item.churn_risk]).toEqual(p ? [p.p_alive, p.clv_12m === null ? null : Number(p.clv_12m), p.churn_risk] : [null, null, null]);
    }
    expect(items.filter((i) => i.churn_risk === null).map((i) => i.external_id)).toEqual(expect.arrayContaining(['no-orders-1', 'no-orders-2']));
  });

  const sorts: [string, (item: Item) => number | string | null][] = [
    ['created_at', (i) => i.created_at],
    ['orders', (i) => i.orders],
    ['revenue', (i) => i.revenue],
    ['last_order_on', (i) => i.last_order_on],
    ['predicted_clv', (i) => i.predicted_clv],
    ['p_alive', (i) => i.p_alive],
  ];
  for (const [field, value] of sorts) {
    it(`sorts by ${field} both ways, paging by cursor across ties`, async () => {
      for (const descending of [true, false]) {
        const { items, pages } = await all(`sort=${descending ? '-' : ''}${field}`);
        expect(pages).toBeGreaterThan(5);
        expect(new Set(items.map((i) => i.id)).size).toBe(seed.customers + 2);
        expect(items.map((i) => i.id)).toEqual(referenceOrder(items, value, descending));
      }
    });
  }

  it('filters by churn band, orders, revenue, last order day and segment, and counts the total', async () => {
    const everyone = (await all('', 100)).items;
    const check = async (query: string, keep: (item: Item) => boolean) => {
      const { items, total } = await all(query, 10);
      const want = everyone.filter(keep).map((i) => i.id).sort((a, b) => a - b);
      expect(items.map((i) => i.id).sort((a, b) => a - b), query).toEqual(want);
      expect(total, query).toBe(want.length);
      return want.length;
    };
    for (const band of ['low', 'medium', 'high'] as const) await check(`churn_risk=${band}`, (i) => i.churn_risk === band);
    expect(await check('min_orders=2', (i) => i.orders >= 2)).toBe(seed.repeatCustomers);
    await check('min_revenue=5000', (i) => i.revenue >= 5000);
    await check('last_order_after=2026-06-01', (i) => i.last_order_on !== null && i.last_order_on >= '2026-06-01');
    await check('last_order_before=2026-06-01', (i) => i.last_order_on !== null && i.last_order_on < '2026-06-01');
    await check('min_orders=2&churn_risk=high&sort=-revenue', (i) => i.orders >= 2 && i.churn_risk === 'high');

    const created = await t.app.inject({ method: 'POST', url: '/api/v1/segments', headers: bearer(store.secretKey), payload: { name: 'Three or more', rule: { kind: 'orders', metric: 'count', op: 'gte', value: 3 } } });
    expect(created.statusCode, created.body).toBe(201);
    const segment = created.json() as { id: string; member_count: number };
    expect(await check(`segment_id=${segment.id}&sort=-orders`, (i) => i.orders >= 3)).toBe(segment.member_count);
    const unknown = await get('/api/v1/customers?segment_id=seg_nope');
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses bad sorts, filters and cursors, naming the parameter', async () => {
    for (const [query, path] of [
      ['sort=bogus', 'query.sort'], ['sort=-email', 'query.sort'], ['churn_risk=extreme', 'query.churn_risk'], ['min_orders=-1', 'query.min_orders'],
      ['min_orders=two', 'query.min_orders'], ['min_revenue=1.5', 'query.min_revenue'], ['last_order_after=2026-13-01', 'query.last_order_after'],
      ['last_order_before=yesterday', 'query.last_order_before'],
    ]) {
      const response = await get(`/api/v1/customers?${query}`);
      expect(response.statusCode, query).toBe(422);
      expect(errorOf(response).details.map((d) => d.path), query).toContain(path);
    }
    const forged = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const first = (await get('/api/v1/customers?sort=-revenue&limit=2')).json() as ListPage;
    expect(first.next_cursor).not.toBeNull();
    for (const [sort, cursor] of [
      ['-revenue', 'nonsense'], ['-revenue', forged(['-revenue', 'abc', 1])], ['-revenue', forged(['-revenue', 100, -1])], ['-revenue', forged(['-revenue', null, 1])],
      ['-created_at', forged(['-created_at', 'yesterday', 1])], ['last_order_on', forged(['last_order_on', '2026-02-30T', 1])], ['orders', first.next_cursor!],
    ]) {
      const response = await get(`/api/v1/customers?sort=${sort}&cursor=${cursor}`);
      expect(response.statusCode, `${sort} ${cursor}`).toBe(400);
      expect(errorOf(response).details[0]!.path).toBe('query.cursor');
    }
  });

  it('downloads a segment as CSV with the dashboard session, figures included and formulas neutralised', async () => {
    const hostile = { external_id: 'csv-1', first_name: '=HYPERLINK("https://evil.example","click")', last_name: '@SUM(A1)', email: '+1@example.com', country: 'ZZ' };
    const written = await t.app.inject({ method: 'POST', url: '/api/v1/customers/batch', headers: bearer(store.secretKey), payload: { customers: [hostile] } });
    expect(written.statusCode).toBe(200);
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/segments', headers: bearer(store.secretKey), payload: { name: 'From ZZ', rule: { kind: 'profile', field: 'country', op: 'eq', value: 'ZZ' } } });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json() as { id: string };
    const session = await t.signIn(store.ownerEmail, store.ownerPassword);
    // A link sends the cookie and nothing else; it may name the store in the query.
    for (const url of [`/api/v1/segments/${id}/members.csv`, `/api/v1/segments/${id}/members.csv?store=${store.storeId}`]) {
      const csv = await t.app.inject({ method: 'GET', url, headers: { cookie: session.cookie } });
      expect(csv.statusCode, url).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.headers['content-disposition']).toBe('attachment; filename="from-zz.csv"');
      const lines = csv.body.trim().split('\n');
      expect(lines[0]).toBe('customer_id,external_id,email,first_name,last_name,country,entered_at,orders,revenue,last_order_on,predicted_clv,p_alive,churn_risk');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(/^\d+,csv-1,'\+1@example\.com,"'=HYPERLINK\(""https:\/\/evil\.example"",""click""\)",'@SUM\(A1\),ZZ,[^,]+,0,0,,,,$/);
    }
    const elsewhere = await t.app.inject({ method: 'GET', url: `/api/v1/segments/${id}/members.csv?store=st_not_mine`, headers: { cookie: session.cookie } });
    expect(elsewhere.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/segments/${id}/members.csv` })).statusCode).toBe(401);
  });
});
