/**
 * Same seed → same rows; another seed → other rows; sampling browsing away at large sizes never
 * changes orders; the orders-per-customer target used for benchmark data sets is met.
 */
import { sql } from 'kysely';
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

/**
 * The rows a seed produces, matched by external ids (message ids for events): the writer assigns
 * row ids in its merge, whose order is not fixed under parallel execution, and stamps
 * created_at / updated_at of what it stores with the time of the write.
 */
async function generate(options: DemoOptions) {
  const store = await openTestStore();
  stores.push(store);
  const counts = await writeDemoData(new CommerceService(store), 'st_demo', planDemo({ end: END, ...options }));
  const rows = async <T>(query: string) => (await sql<T>`${sql.raw(query)}`.execute(store.read)).rows;
  return {
    store, counts,
    customers: await rows(`select external_id, email, first_name, last_name, phone, country, city, accepts_marketing, tags, attributes, created_at
      from customers order by external_id`),
    orders: await rows(`select o.external_id, c.external_id as customer, o.placed_at, o.currency, o.subtotal, o.discount, o.shipping, o.tax, o.total,
      o.discount_codes, o.channel, o.status, o.source from orders o left join customers c on c.id = o.customer_id order by o.external_id`),
    lines: await rows(`select o.external_id as order_external_id, l.line_no, p.external_id as product, v.external_id as variant, l.sku, l.title,
      l.quantity, l.unit_price, l.total
      from order_lines l join orders o on o.id = l.order_id join products p on p.id = l.product_id left join variants v on v.id = l.variant_id
      order by o.external_id, l.line_no`),
    returns: await rows(`select r.external_id, o.external_id as order_external_id, c.external_id as customer, r.returned_at, r.amount, r.reason,
      l.line_no, p.external_id as product, l.sku, l.quantity, l.amount as line_amount
      from returns r join orders o on o.id = r.order_id join customers c on c.id = r.customer_id
      join return_lines l on l.return_id = r.id join products p on p.id = l.product_id order by r.external_id, l.line_no`),
    events: await rows(`select e.message_id, e.type, e.name, c.external_id as customer, e.anonymous_id, e.session_id, e.url, e.properties, e.occurred_at
      from events e left join customers c on c.id = e.customer_id order by e.message_id`),
    identities: await rows(`select i.anonymous_id, c.external_id as customer, i.created_at from identities i join customers c on c.id = i.customer_id
      order by i.anonymous_id`),
    fulfillments: await rows(`select f.external_id, o.external_id as order_external_id, f.status, f.shipment_status, f.carrier, f.tracking_number,
      f.tracking_url, f.shipped_at, f.delivered_at, f.lines, o.placed_at from fulfillments f join orders o on o.id = f.order_id order by f.external_id`),
    checkouts: await rows(`select k.external_id, c.external_id as customer, k.email, k.currency, k.value, k.items, k.recovery_url, k.started_at,
      k.updated_at, k.completed_at from checkouts k join customers c on c.id = k.customer_id order by k.external_id`),
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
    expect(b.identities).toEqual(a.identities);
    expect(b.fulfillments).toEqual(a.fulfillments);
    expect(b.checkouts).toEqual(a.checkouts);
    expect(a.orders.length).toBe(a.counts.orders);
    expect(a.lines.length).toBe(a.counts.order_lines);
    expect(a.returns.length).toBe(a.counts.returns);
    expect(a.events.length).toBe(a.counts.events);
    expect(a.identities.length).toBe(a.counts.identities);
    expect(a.fulfillments.length).toBe(a.counts.fulfillments);
    expect(a.checkouts.length).toBe(a.counts.checkouts);
    // Most orders are shipped 1–3 days after they are placed and delivered 2–6 days after; a few carts stay open.
    const fulfillments = a.fulfillments as { placed_at: Date; shipped_at: Date; delivered_at: Date | null }[];
    expect(fulfillments.length).toBeGreaterThan(0.95 * a.counts.orders);
    const days = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 86_400_000;
    for (const f of fulfillments) {
      expect(days(f.placed_at, f.shipped_at)).toBeGreaterThanOrEqual(1);
      expect(days(f.placed_at, f.shipped_at)).toBeLessThanOrEqual(3);
      if (f.delivered_at) expect(days(f.placed_at, f.delivered_at)).toBeLessThanOrEqual(6);
    }
    expect(fulfillments.filter((f) => f.delivered_at).length).toBeGreaterThan(0.9 * fulfillments.length);
    expect(a.checkouts.length).toBeGreaterThan(5);
    expect((a.checkouts as { completed_at: Date | null }[]).every((k) => k.completed_at === null)).toBe(true);
    const placed = (rows: { placed_at: Date }[]) => rows.slice(0, 25).map((o) => o.placed_at.getTime());
    expect(placed(c.orders as { placed_at: Date }[])).not.toEqual(placed(a.orders as { placed_at: Date }[]));
    const emails = (rows: { email: string }[]) => rows.slice(0, 25).map((o) => o.email);
    expect(emails(c.customers as { email: string }[])).not.toEqual(emails(a.customers as { email: string }[]));
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
