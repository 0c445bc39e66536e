/**
 * Same seed → same rows; another seed → other rows; sampling browsing away at large sizes never
 * changes orders; the orders-per-customer target used for benchmark data sets is met.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/db/database.js';
import { acquisitionCurve, periodEnding } from '../../src/modules/demo/calendar.js';
import { buildCatalogue } from '../../src/modules/demo/catalogue.js';
import { simulateCustomer } from '../../src/modules/demo/customer.js';
import { planDemo, writeDemoData, type DemoOptions } from '../../src/modules/demo/demo.generator.js';
import { CommerceService } from '../../src/modules/commerce/index.js';
import { openTestStore } from '../helpers/store.js';

const END = new Date('2026-11-23T00:00:00Z');
const stores: (Storage & { dispose: () => Promise<void> })[] = [];
afterAll(async () => {
  for (const store of stores) await store.dispose();
});

async function generate(options: DemoOptions) {
  const store = await openTestStore();
  stores.push(store);
  const counts = await writeDemoData(new CommerceService(store), 'st_demo', planDemo({ end: END, ...options }));
  const first = async (table: 'customers' | 'orders' | 'order_lines' | 'returns' | 'events', order: string[]) => {
    let query = store.read.selectFrom(table).selectAll();
    for (const column of order) query = query.orderBy(column as never);
    return query.limit(25).execute();
  };
  return {
    store, counts,
    customers: await first('customers', ['id']),
    orders: await first('orders', ['id']),
    lines: await first('order_lines', ['order_id', 'line_no']),
    returns: await first('returns', ['id']),
    events: await first('events', ['id']),
  };
}

describe('demo generator: determinism', () => {
  it('gives identical counts and rows for the same seed, and different rows for another seed', async () => {
    const a = await generate({ customers: 800, seed: 11 });
    const b = await generate({ customers: 800, seed: 11 });
    const c = await generate({ customers: 800, seed: 12 });
    expect(b.counts).toEqual(a.counts);
    expect(b.customers).toEqual(a.customers);
    expect(b.orders).toEqual(a.orders);
    expect(b.lines).toEqual(a.lines);
    expect(b.returns).toEqual(a.returns);
    expect(b.events).toEqual(a.events);
    expect(a.orders.length).toBe(25);
    expect(c.orders.map((o) => o.placed_at.getTime())).not.toEqual(a.orders.map((o) => o.placed_at.getTime()));
    expect(c.customers.map((o) => o.email)).not.toEqual(a.customers.map((o) => o.email));
  });

  it('samples browsing sessions to an events budget without changing orders', async () => {
    const plan = planDemo({ customers: 800, seed: 11, end: END, eventsPerCustomer: 8 });
    expect(plan.sessionSample).toBeGreaterThan(0);
    expect(plan.sessionSample).toBeLessThan(0.5);
    const full = await generate({ customers: 800, seed: 11 });
    const sampled = await generate({ customers: 800, seed: 11, eventsPerCustomer: 8 });
    expect(sampled.counts.orders).toBe(full.counts.orders);
    expect(sampled.orders).toEqual(full.orders);
    const perCustomer = sampled.counts.events / sampled.counts.customers;
    expect(perCustomer).toBeGreaterThan(8 * 0.7);
    expect(perCustomer).toBeLessThan(8 * 1.3);
  });

  it('scales purchase rates to meet an orders-per-customer target', () => {
    const customers = 20_000;
    const plan = planDemo({ customers, seed: 3, end: END, ordersPerCustomer: 5 });
    expect(plan.rateScale).toBeGreaterThan(1);
    // Check on customers the calibration did not see, spread over the whole sign-up range.
    const period = periodEnding(END, 24);
    const ctx = { seed: 3, period, curve: acquisitionCurve(period), customers, catalogue: buildCatalogue(), rateScale: plan.rateScale };
    let orders = 0;
    for (let i = 0; i < 3_000; i += 1) orders += simulateCustomer(ctx, Math.floor(((i + 0.25) * customers) / 3_000)).orders.length;
    expect(orders / 3_000).toBeGreaterThan(5 * 0.8);
    expect(orders / 3_000).toBeLessThan(5 * 1.2);
  });

  it('rejects impossible options, naming the field', () => {
    expect(() => planDemo({ customers: 0 })).toThrow(/Invalid demo options/);
    try {
      planDemo({ months: 1.5, eventsPerCustomer: -1 });
    } catch (error) {
      expect((error as { details: { path: string }[] }).details.map((d) => d.path)).toEqual(['months', 'eventsPerCustomer']);
    }
  });
});
