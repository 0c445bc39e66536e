import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCustomer, anOrder, aReturn } from '../../../test/builders/data.js';
import { openTestStore } from '../../../test/helpers/store.js';
import type { Storage } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import { CommerceWriter } from './commerce.writer.js';

let store: Storage & { dispose: () => Promise<void> };
let writer: CommerceWriter;
let storeSeq = 0;
const newStoreId = () => `st_writer_${(storeSeq += 1)}`;

beforeAll(async () => {
  store = await openTestStore();
  writer = new CommerceWriter(store);
});
afterAll(async () => store.dispose());

const ordersOf = (storeId: string) => store.read.selectFrom('orders').selectAll().where('store_id', '=', storeId).orderBy('id').execute();
const linesOf = (storeId: string) => store.read.selectFrom('order_lines').selectAll().where('store_id', '=', storeId).orderBy('order_id').orderBy('line_no').execute();
const customersOf = (storeId: string) => store.read.selectFrom('customers').selectAll().where('store_id', '=', storeId).orderBy('id').execute();

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('CommerceWriter', () => {
  it('writes an order with its customer and products, and computes totals', async () => {
    const storeId = newStoreId();
    const summary = await writer.write(storeId, { orders: [anOrder('o-1', { shipping: 500, tax: 100, discount: 200 })] });
    expect(summary.orders).toEqual({ created: 1, updated: 0, unchanged: 0 });
    // The order named a customer and two products nobody sent yet: they are created bare.
    expect(summary.customers.created).toBe(1);
    expect(summary.products.created).toBe(2);
    const [order] = await ordersOf(storeId);
    expect(order).toMatchObject({ external_id: 'o-1', subtotal: 1001 + 1002, total: 1001 + 1002 - 200 + 500 + 100, status: 'paid', source: 'api' });
    const [customer] = await customersOf(storeId);
    expect(order!.customer_id).toBe(customer!.id);
    // The customer's creation defaults to their first order.
    expect(customer!.created_at.toISOString()).toBe('2024-03-01T10:00:00.000Z');
    const lines = await linesOf(storeId);
    expect(lines.map((l) => [l.line_no, l.quantity, l.unit_price, l.total])).toEqual([[1, 1, 1001, 1001], [2, 1, 1002, 1002]]);
    expect(lines.every((l) => l.product_id !== null)).toBe(true);
  });

  it('changes nothing when the same batch is written twice', async () => {
    const storeId = newStoreId();
    const batch = {
      customers: [aCustomer('cust-1', { first_name: 'Ada', tags: ['vip'], attributes: { plan: 'gold' } })],
      products: [{ external_id: 'prod-1', title: 'Mug', price: 1250, currency: 'EUR', variants: [{ external_id: 'v-1', sku: 'MUG-R', price: 1250 }] }],
      orders: [anOrder('o-1', { discount_codes: ['SPRING'] }, 3), anOrder('o-2', { customer_external_id: null })],
      returns: [aReturn('r-1', 'o-1', 500)],
    };
    await writer.write(storeId, batch, { now: new Date('2024-04-01T00:00:00Z') });
    const before = { orders: await ordersOf(storeId), lines: await linesOf(storeId), customers: await customersOf(storeId) };
    const again = await writer.write(storeId, batch, { now: new Date('2024-05-01T00:00:00Z') });
    expect(again).toEqual({
      customers: { created: 0, updated: 0, unchanged: 1 },
      products: { created: 0, updated: 0, unchanged: 1 },
      orders: { created: 0, updated: 0, unchanged: 2 },
      returns: { created: 0, updated: 0, unchanged: 1 },
    });
    expect(await ordersOf(storeId)).toEqual(before.orders);
    expect(await linesOf(storeId)).toEqual(before.lines);
    expect(await customersOf(storeId)).toEqual(before.customers);
  });

  it('updates an order only when a field or a line differs, replacing its lines', async () => {
    const storeId = newStoreId();
    await writer.write(storeId, { orders: [anOrder('o-1'), anOrder('o-2')] }, { now: new Date('2024-04-01T00:00:00Z') });
    const changed = anOrder('o-1', {}, 2);
    changed.lines[1]!.quantity = 3;
    const summary = await writer.write(storeId, { orders: [changed, anOrder('o-2')] }, { now: new Date('2024-05-01T00:00:00Z') });
    expect(summary.orders).toEqual({ created: 0, updated: 1, unchanged: 1 });
    const orders = await ordersOf(storeId);
    expect(orders.map((o) => [o.external_id, o.subtotal, o.updated_at.toISOString()])).toEqual([
      ['o-1', 1001 + 3 * 1002, '2024-05-01T00:00:00.000Z'],
      ['o-2', 1001 + 1002, '2024-04-01T00:00:00.000Z'],
    ]);
    const lines = await linesOf(storeId);
    expect(lines.filter((l) => l.order_id === orders[0]!.id).map((l) => l.quantity)).toEqual([1, 3]);
    // Fewer lines than before: the dropped line is gone, not left behind.
    await writer.write(storeId, { orders: [anOrder('o-1', {}, 1)] });
    expect((await linesOf(storeId)).filter((l) => l.order_id === orders[0]!.id)).toHaveLength(1);
  });

  it('keeps guest orders without a customer', async () => {
    const storeId = newStoreId();
    const summary = await writer.write(storeId, { orders: [anOrder('g-1', { customer_external_id: null }), anOrder('g-2', { customer_external_id: undefined })] });
    expect(summary.customers.created).toBe(0);
    expect((await ordersOf(storeId)).map((o) => o.customer_id)).toEqual([null, null]);
    expect(await customersOf(storeId)).toEqual([]);
  });

  it('updates only the customer fields a batch carries, and moves created_at to the earliest evidence', async () => {
    const storeId = newStoreId();
    await writer.write(storeId, { customers: [aCustomer('c-1', { first_name: 'Ada', country: 'GB', created_at: new Date('2024-02-01T00:00:00Z') })] });
    const summary = await writer.write(storeId, {
      customers: [{ external_id: 'c-1', city: 'London' }],
      orders: [anOrder('o-1', { customer_external_id: 'c-1', placed_at: new Date('2024-01-15T00:00:00Z') })],
    });
    expect(summary.customers).toEqual({ created: 0, updated: 1, unchanged: 0 });
    const [customer] = await customersOf(storeId);
    expect(customer).toMatchObject({ first_name: 'Ada', country: 'GB', city: 'London', email: 'c-1@example.com' });
    expect(customer!.created_at.toISOString()).toBe('2024-01-15T00:00:00.000Z');
  });

  it('marks orders refunded or partially refunded by returned amount', async () => {
    const storeId = newStoreId();
    await writer.write(storeId, { orders: [anOrder('o-1'), anOrder('o-2')] });
    const total = 1001 + 1002;
    const summary = await writer.write(storeId, { returns: [aReturn('r-1', 'o-1', 1001), aReturn('r-2', 'o-2', total)] });
    expect(summary.returns).toEqual({ created: 2, updated: 0, unchanged: 0 });
    expect((await ordersOf(storeId)).map((o) => o.status)).toEqual(['partially_refunded', 'refunded']);
    // A second return completes the refund of o-1; re-sending the order keeps the refund status.
    await writer.write(storeId, { returns: [aReturn('r-3', 'o-1', 1002)] });
    const resent = await writer.write(storeId, { orders: [anOrder('o-1')] });
    expect(resent.orders).toEqual({ created: 0, updated: 0, unchanged: 1 });
    expect((await ordersOf(storeId)).map((o) => o.status)).toEqual(['refunded', 'refunded']);
    const returns = await store.read.selectFrom('returns').selectAll().where('store_id', '=', storeId).orderBy('id').execute();
    expect(returns.map((r) => r.customer_id)).toEqual(Array(3).fill((await customersOf(storeId))[0]!.id));
  });

  it('rejects a bad batch naming every bad field, and writes nothing', async () => {
    const storeId = newStoreId();
    const bad = anOrder('o-4', { currency: 'XXQ' });
    bad.lines[0]!.quantity = -1;
    bad.lines.push({ quantity: 2 ** 40, unit_price: 1 });
    bad.lines[1]!.unit_price = 10.5;
    const error = await rejection(writer.write(storeId, {
      customers: [aCustomer('c-1')],
      orders: [anOrder('o-1'), anOrder('o-2'), anOrder('o-3', { subtotal: 5, total: 99, discount: 0, shipping: 0, tax: 0 }), bad,
        { ...anOrder('o-5'), placed_at: undefined } as never],
    }));
    expect(error.code).toBe('validation_failed');
    expect(error.details).toEqual(expect.arrayContaining([
      { path: 'orders.3.currency', reason: 'unknown ISO 4217 currency "XXQ"' },
      { path: 'orders.3.lines.0.quantity', reason: 'must not be negative' },
      { path: 'orders.3.lines.1.unit_price', reason: 'must be an integer amount in minor units (e.g. cents)' },
      { path: 'orders.2.subtotal', reason: 'is 5 but the line totals add up to 2003' },
      { path: 'orders.4.placed_at', reason: 'is required' },
      { path: 'orders.3.lines.2.quantity', reason: 'must be at most 2147483647' },
    ]));
    expect(await customersOf(storeId)).toEqual([]);
    expect(await ordersOf(storeId)).toEqual([]);
  });

  it('checks the total only when every part is given', async () => {
    const storeId = newStoreId();
    const error = await rejection(writer.write(storeId, { orders: [anOrder('o-1', { discount: 0, shipping: 100, tax: 0, total: 5000 })] }));
    expect(error.details).toEqual([{ path: 'orders.0.total', reason: 'is 5000 but subtotal − discount + shipping + tax is 2103' }]);
    // Without tax given, the store's own total stands.
    await writer.write(storeId, { orders: [anOrder('o-1', { discount: 0, shipping: 100, total: 5000 })] });
    expect((await ordersOf(storeId))[0]!.total).toBe(5000);
  });

  it('rolls back everything when a statement fails midway', async () => {
    // A store whose order_lines table is missing fails in the order merge, after customers were merged.
    const broken = await openTestStore();
    try {
      await broken.withWriter((connection) => connection.run('drop table order_lines').then(() => undefined));
      const brokenWriter = new CommerceWriter(broken);
      await expect(brokenWriter.write('st_1', { customers: [aCustomer('c-1')], orders: [anOrder('o-1')] })).rejects.toThrow(/order_lines/);
      expect(await broken.read.selectFrom('customers').selectAll().execute()).toEqual([]);
      expect(await broken.read.selectFrom('orders').selectAll().execute()).toEqual([]);
      // The writer connection is usable afterwards.
      await brokenWriter.write('st_1', { customers: [aCustomer('c-1')] });
      expect(await broken.read.selectFrom('customers').selectAll().execute()).toHaveLength(1);
    } finally {
      await broken.dispose();
    }
  });

  it('keeps stores apart: the same external ids in two stores are two rows each', async () => {
    const a = newStoreId();
    const b = newStoreId();
    await writer.write(a, { orders: [anOrder('o-1')] });
    const summary = await writer.write(b, { orders: [anOrder('o-1')] });
    expect(summary.orders.created).toBe(1);
    expect(summary.customers.created).toBe(1);
    expect((await ordersOf(a))[0]!.customer_id).not.toBe((await ordersOf(b))[0]!.customer_id);
  });

  it('writes a larger batch in one go with exact counts and sums', async () => {
    const storeId = newStoreId();
    const orders = Array.from({ length: 3000 }, (_, i) => anOrder(`bulk-${i}`, {
      customer_external_id: i % 5 === 0 ? null : `cust-${i % 700}`,
      placed_at: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000),
    }, 1 + (i % 3)));
    const summary = await writer.write(storeId, { orders });
    expect(summary.orders.created).toBe(3000);
    expect(summary.customers.created).toBe(new Set(orders.map((o) => o.customer_external_id).filter(Boolean)).size);
    const expectedRevenue = orders.reduce((sum, o) => sum + o.lines.reduce((s, l) => s + l.unit_price * l.quantity, 0), 0);
    const stored = await ordersOf(storeId);
    expect(stored.reduce((sum, o) => sum + o.total, 0)).toBe(expectedRevenue);
    expect((await linesOf(storeId)).length).toBe(orders.reduce((n, o) => n + o.lines.length, 0));
    expect((await writer.write(storeId, { orders })).orders.unchanged).toBe(3000);
  });
});
