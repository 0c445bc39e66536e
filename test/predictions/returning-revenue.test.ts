/**
 * The overview's revenue from returning customers, over hand-built orders: revenue of the range
 * from customers whose first order was before it, for the range, a comparison range and per
 * month — each checked against a plain computation over the same orders.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, errorOf, type TestApp } from '../helpers/app.js';

let t: TestApp;
let shop: { storeId: string; secretKey: string };

interface Order { customer: number | null; day: string; total: number; status?: string }

// Customer 1 first ordered in January; 2 and 3 are new in March (3 orders twice there);
// a cancelled order and a guest order must not count as returning revenue.
const orders: Order[] = [
  { customer: 1, day: '2026-01-05', total: 2_000 },
  { customer: 1, day: '2026-02-10', total: 3_000 },
  { customer: 1, day: '2026-03-15', total: 5_000 },
  { customer: 1, day: '2026-03-16', total: 9_900, status: 'cancelled' },
  { customer: 2, day: '2026-03-10', total: 1_500 },
  { customer: 3, day: '2026-03-20', total: 1_200 },
  { customer: 3, day: '2026-03-25', total: 800 },
  { customer: null, day: '2026-03-12', total: 700 },
];

/** Revenue in [from, to] from customers whose first (not cancelled) order day is before `from`. */
function expected(from: string, to: string): { revenue: number; returning_revenue: number } {
  const counted = orders.filter((o) => o.status !== 'cancelled');
  const first = new Map<number, string>();
  for (const o of counted) if (o.customer !== null && (!first.has(o.customer) || o.day < first.get(o.customer)!)) first.set(o.customer, o.day);
  const inRange = counted.filter((o) => o.day >= from && o.day <= to);
  return {
    revenue: inRange.reduce((s, o) => s + o.total, 0),
    returning_revenue: inRange.filter((o) => o.customer !== null && first.get(o.customer)! < from).reduce((s, o) => s + o.total, 0),
  };
}

const get = async <T>(url: string) => {
  const response = await t.app.inject({ method: 'GET', url, headers: bearer(shop.secretKey) });
  return { status: response.statusCode, body: response.json() as T, response };
};

beforeAll(async () => {
  t = await createTestApp();
  shop = await t.newStore('Returning', { timezone: 'UTC', currency: 'USD' });
  const db = t.services.storage.write;
  const now = new Date('2026-04-01T00:00:00Z');
  for (const id of [1, 2, 3]) {
    await sql`insert into customers (store_id, id, external_id, email, created_at, updated_at)
      values (${shop.storeId}, ${id}, ${`c${id}`}, ${`c${id}@example.com`}, ${now}, ${now})`.execute(db);
  }
  for (const [i, o] of orders.entries()) {
    await sql`insert into orders (store_id, id, external_id, customer_id, placed_at, currency, subtotal, total, status, created_at, updated_at)
      values (${shop.storeId}, ${i + 1}, ${`o${i + 1}`}, ${o.customer}, ${new Date(`${o.day}T12:00:00Z`)}, ${'USD'}, ${o.total}, ${o.total},
        ${o.status ?? 'paid'}, ${now}, ${now})`.execute(db);
  }
}, 120_000);
afterAll(async () => t?.close());

describe('GET /api/v1/overview/returning-revenue', () => {
  it('counts the revenue of customers who first ordered before the range, and of the comparison range', async () => {
    const { status, body } = await get<{ current: { revenue: number; returning_revenue: number }; comparison: { returning_revenue: number } }>(
      '/api/v1/overview/returning-revenue?from=2026-03-01&to=2026-03-31&compare_from=2026-02-01&compare_to=2026-02-28');
    expect(status).toBe(200);
    expect(body.current).toMatchObject(expected('2026-03-01', '2026-03-31'));
    // Only customer 1's March order: the new customers' orders (even a second one) are not "returning".
    expect(body.current.returning_revenue).toBe(5_000);
    expect(body.comparison).toMatchObject(expected('2026-02-01', '2026-02-28'));
  });

  it('gives a monthly trend, returning meaning a first order before that month', async () => {
    const { body } = await get<{ series: { period_start: string; returning_revenue: number; revenue: number }[]; comparison: null }>(
      '/api/v1/overview/returning-revenue?from=2026-01-01&to=2026-03-31&period=month');
    expect(body.comparison).toBeNull();
    expect(body.series).toEqual([
      { period_start: '2026-01-01', ...expected('2026-01-01', '2026-01-31') },
      { period_start: '2026-02-01', ...expected('2026-02-01', '2026-02-28') },
      { period_start: '2026-03-01', ...expected('2026-03-01', '2026-03-31') },
    ]);
  });

  it('refuses a range that ends before it starts, or half a comparison, naming the field', async () => {
    const backwards = await get<unknown>('/api/v1/overview/returning-revenue?from=2026-03-31&to=2026-03-01');
    expect(backwards.status).toBe(422);
    expect(errorOf(backwards.response).details.map((d) => d.path)).toContain('query.from');
    const half = await get<unknown>('/api/v1/overview/returning-revenue?from=2026-03-01&to=2026-03-31&compare_from=2026-02-01');
    expect(half.status).toBe(422);
    expect(errorOf(half.response).details.map((d) => d.path)).toContain('query.compare_to');
    const missing = await get<unknown>('/api/v1/overview/returning-revenue?to=2026-03-31');
    expect(missing.status).toBe(422);
  });
});
