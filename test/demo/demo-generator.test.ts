/**
 * The demo generator against a real DuckDB file: determinism per seed, and the behaviour the
 * dashboards rely on (seasonal acquisition, repeat buyers, channel and discount effects, returns,
 * the checkout funnel, identity stitching), each checked in plain JS over the raw rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/db/database.js';
import { planDemo, writeDemoData, type DemoCounts } from '../../src/modules/demo/demo.generator.js';
import { CommerceService } from '../../src/modules/commerce/index.js';
import { openTestStore } from '../helpers/store.js';

const END = new Date('2026-11-23T00:00:00Z');
type TestStore = Storage & { dispose: () => Promise<void> };

async function generate(options: Parameters<typeof planDemo>[0]): Promise<{ store: TestStore; counts: DemoCounts }> {
  const store = await openTestStore();
  const counts = await writeDemoData(new CommerceService(store), 'st_demo', planDemo({ end: END, ...options }));
  return { store, counts };
}

interface OrderRow { id: number; customer_id: number; placed_at: Date; discount_codes: string[]; channel: string | null; total: number; subtotal: number; discount: number; shipping: number; tax: number }

describe('demo generator: behaviour', () => {
  let store: TestStore;
  let counts: DemoCounts;
  let orders: OrderRow[];
  const byCustomer = new Map<number, OrderRow[]>();

  beforeAll(async () => {
    ({ store, counts } = await generate({ customers: 3_000, seed: 7 }));
    orders = await store.read.selectFrom('orders').select(['id', 'customer_id', 'placed_at', 'discount_codes', 'channel', 'total', 'subtotal', 'discount', 'shipping', 'tax'])
      .where('store_id', '=', 'st_demo').orderBy('placed_at').execute() as OrderRow[];
    for (const order of orders) {
      const list = byCustomer.get(order.customer_id) ?? [];
      list.push(order);
      byCustomer.set(order.customer_id, list);
    }
  });
  afterAll(() => store.dispose());

  it('writes a catalogue of ~150 products in 8 categories with prices and image paths', async () => {
    const products = await store.read.selectFrom('products').selectAll().where('store_id', '=', 'st_demo').execute();
    expect(products.length).toBeGreaterThanOrEqual(140);
    expect(new Set(products.map((p) => p.category)).size).toBe(8);
    expect(new Set(products.map((p) => p.title)).size).toBe(products.length);
    for (const product of products) {
      expect(product.price).toBeGreaterThan(0);
      expect(product.image_url).toMatch(/^\/demo\/images\/[a-z-]+\/[a-z0-9-]+\.jpg$/);
    }
    expect(counts.customers).toBe(3_000);
  });

  it('acquires more customers in November and December than in an average month', async () => {
    const customers = await store.read.selectFrom('customers').select('created_at').where('store_id', '=', 'st_demo').execute();
    const perMonth = new Map<string, number>();
    for (const { created_at } of customers) {
      const key = created_at.toISOString().slice(0, 7);
      perMonth.set(key, (perMonth.get(key) ?? 0) + 1);
    }
    const year = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'].map((m) => perMonth.get(`2025-${m}`) ?? 0);
    const mean = year.reduce((a, b) => a + b, 0) / 12;
    expect(year[10]!).toBeGreaterThan(mean * 1.2);
    expect(year[11]!).toBeGreaterThan(mean * 1.2);
    // Beyond the growth trend: December beats the following January, November beats October.
    expect(year[11]!).toBeGreaterThan((perMonth.get('2026-01') ?? 0) * 1.3);
    expect(year[10]!).toBeGreaterThan(year[9]! * 1.3);
  });

  it('has a plausible repeat purchase rate and a long tail of frequent buyers', () => {
    const sizes = [...byCustomer.values()].map((list) => list.length);
    const repeatRate = sizes.filter((n) => n > 1).length / sizes.length;
    expect(repeatRate).toBeGreaterThan(0.2);
    expect(repeatRate).toBeLessThan(0.45);
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(10);
    expect(sizes.filter((n) => n >= 5).length).toBeGreaterThan(sizes.length * 0.02);
  });

  it('retains email and referral customers better than social and paid search, and discount-acquired customers worse', () => {
    const rate = (filter: (first: OrderRow) => boolean) => {
      const groups = [...byCustomer.values()].filter((list) => filter(list[0]!));
      return groups.filter((list) => list.length > 1).length / groups.length;
    };
    const channel = (name: string) => rate((first) => first.channel === name);
    expect(channel('email')).toBeGreaterThan(channel('social') + 0.05);
    expect(channel('referral')).toBeGreaterThan(channel('paid_search'));
    expect(channel('organic')).toBeGreaterThan(channel('social'));
    const discounted = rate((first) => first.discount_codes.length > 0);
    const fullPrice = rate((first) => first.discount_codes.length === 0);
    expect(discounted).toBeLessThan(fullPrice - 0.03);
    const firstOrders = [...byCustomer.values()].map((list) => list[0]!);
    const withCode = firstOrders.filter((o) => o.discount_codes.length > 0).length / firstOrders.length;
    expect(withCode).toBeGreaterThan(0.25);
    expect(withCode).toBeLessThan(0.5);
  });

  it('brings customers whose first purchase was coffee and camp food back more often than tent buyers', async () => {
    const lines = await store.read.selectFrom('order_lines').innerJoin('products', 'products.id', 'order_lines.product_id')
      .select(['order_lines.order_id', 'products.category']).where('order_lines.store_id', '=', 'st_demo').where('order_lines.line_no', '=', 1).execute();
    const categoryOf = new Map(lines.map((line) => [line.order_id, line.category]));
    const rate = (category: string) => {
      const groups = [...byCustomer.values()].filter((list) => categoryOf.get(list[0]!.id) === category);
      expect(groups.length).toBeGreaterThan(100);
      return groups.filter((list) => list.length > 1).length / groups.length;
    };
    expect(rate('Camp Kitchen & Coffee')).toBeGreaterThan(rate('Tents & Shelters') + 0.1);
  });

  it('keeps order money consistent and uses the known discount codes', () => {
    const codes = new Set(['WELCOME10', 'SUMMER20', 'BFCM25', 'FRIEND15', 'VIP15']);
    for (const order of orders) {
      expect(order.total).toBe(order.subtotal - order.discount + order.shipping + order.tax);
      for (const code of order.discount_codes) expect(codes.has(code)).toBe(true);
    }
    const bfcm = orders.filter((o) => o.discount_codes.includes('BFCM25'));
    expect(bfcm.length).toBeGreaterThan(0);
    for (const order of bfcm) expect([10, 11]).toContain(order.placed_at.getUTCMonth());
  });

  it('returns about 8 % of orders, with reasons, within the period', async () => {
    const returns = await store.read.selectFrom('returns').selectAll().where('store_id', '=', 'st_demo').execute();
    const share = returns.length / orders.length;
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.11);
    expect(new Set(returns.map((r) => r.reason))).toEqual(new Set(['wrong size', 'damaged', 'not as described', 'changed mind']));
    const orderById = new Map(orders.map((o) => [o.id, o]));
    for (const ret of returns) {
      const order = orderById.get(ret.order_id!)!;
      expect(ret.returned_at.getTime()).toBeGreaterThan(order.placed_at.getTime());
      expect(ret.returned_at.getTime()).toBeLessThan(END.getTime());
      expect(ret.amount).toBeLessThanOrEqual(order.total);
    }
  });

  it('records a checkout funnel whose worst step is shipping (step 2)', async () => {
    const rows = await store.read.selectFrom('events').select(['name', 'properties']).where('store_id', '=', 'st_demo')
      .where('name', 'in', ['Checkout Step Viewed', 'Checkout Step Completed', 'Order Completed']).execute();
    const viewed = [0, 0, 0, 0];
    const completed = [0, 0, 0, 0];
    for (const row of rows) {
      if (row.name === 'Order Completed') continue;
      const { step } = JSON.parse(row.properties) as { step: number };
      (row.name === 'Checkout Step Viewed' ? viewed : completed)[step]! += 1;
    }
    const dropOff = [1, 2, 3].map((s) => 1 - completed[s]! / viewed[s]!);
    expect(dropOff[1]!).toBeGreaterThan(dropOff[0]! * 1.5);
    expect(dropOff[1]!).toBeGreaterThan(dropOff[2]! * 1.5);
    // Every order has its converting session when nothing is sampled away.
    expect(rows.filter((r) => r.name === 'Order Completed').length).toBe(orders.length);
  });

  it('stitches anonymous browsing to customers and keeps never-identified visitors', async () => {
    const identities = await store.read.selectFrom('identities').select(['anonymous_id', 'customer_id']).where('store_id', '=', 'st_demo').execute();
    expect(identities.length).toBe(3_000);
    const stitched = new Set(identities.map((i) => i.anonymous_id));
    const anonymous = await store.read.selectFrom('events').select(['anonymous_id']).distinct().where('store_id', '=', 'st_demo').where('customer_id', 'is', null).execute();
    const later = anonymous.filter((e) => stitched.has(e.anonymous_id!)).length;
    expect(later).toBeGreaterThan(100);
    expect(anonymous.length - later).toBeGreaterThan(100);
  });

  it('writes product reviews with ratings and text', async () => {
    const reviews = await store.read.selectFrom('events').select(['properties', 'customer_id']).where('store_id', '=', 'st_demo').where('name', '=', 'Product Reviewed').execute();
    expect(reviews.length).toBeGreaterThan(orders.length * 0.05);
    const ratings = reviews.map((r) => JSON.parse(r.properties) as { rating: number; review_body: string; product_id: string });
    for (const review of ratings) {
      expect(review.rating).toBeGreaterThanOrEqual(1);
      expect(review.rating).toBeLessThanOrEqual(5);
      expect(review.review_body.length).toBeGreaterThan(10);
    }
    expect(ratings.filter((r) => r.rating === 5).length).toBeGreaterThan(ratings.filter((r) => r.rating === 1).length);
    expect(reviews.every((r) => r.customer_id !== null)).toBe(true);
  });

  it('advances the id sequences past the generated rows', async () => {
    for (const table of ['customers', 'orders', 'events', 'returns', 'products'] as const) {
      const max = await store.read.selectFrom(table).select((eb) => eb.fn.max<number>('id').as('max')).executeTakeFirstOrThrow();
      const next = await store.withWriter(async (c) => (await c.runAndReadAll(`select nextval('${table}_id_seq')`)).getRows()[0]![0]);
      expect(Number(next)).toBeGreaterThan(Number(max.max));
    }
  });
});
