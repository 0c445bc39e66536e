/**
 * The short way for small batches that add orders or re-send unchanged ones must leave the store
 * exactly as the general merge does: each scenario is written by both writers into two stores, and the stored rows (ids
 * replaced by the external ids they stand for, since sequences are shared) and the summaries
 * are compared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCustomer, anOrder, aReturn } from '../../../test/builders/data.js';
import { openTestStore } from '../../../test/helpers/store.js';
import type { Storage } from '../../db/database.js';
import { CommerceWriter } from './commerce.writer.js';
import type { CommerceBatch, WriteSummary } from './commerce.input.js';

let store: Storage & { dispose: () => Promise<void> };
let direct: CommerceWriter;
let merge: CommerceWriter;
let seq = 0;

beforeAll(async () => {
  store = await openTestStore();
  direct = new CommerceWriter(store);
  merge = new CommerceWriter(store, { direct: false });
});
afterAll(async () => store.dispose());

/** Everything stored for a store, with ids as the external ids they stand for. */
async function contents(storeId: string) {
  const customers = await store.read.selectFrom('customers').selectAll().where('store_id', '=', storeId).execute();
  const products = await store.read.selectFrom('products').selectAll().where('store_id', '=', storeId).execute();
  const orders = await store.read.selectFrom('orders').selectAll().where('store_id', '=', storeId).execute();
  const lines = await store.read.selectFrom('order_lines').selectAll().where('store_id', '=', storeId).execute();
  const refs = await store.read.selectFrom('checkout_orders').selectAll().where('store_id', '=', storeId).execute();
  const checkouts = await store.read.selectFrom('checkouts').select(['external_id', 'completed_at', 'order_id']).where('store_id', '=', storeId).execute();
  const aliases = await store.read.selectFrom('customer_aliases').select(['alias', 'customer_id', 'matched_by']).where('store_id', '=', storeId).execute();
  const customerOf = new Map(customers.map((c) => [c.id, c.external_id]));
  const productOf = new Map(products.map((p) => [p.id, p.external_id]));
  const orderOf = new Map(orders.map((o) => [o.id, o.external_id]));
  const byKey = <T>(rows: T[], key: (row: T) => string) => rows.map((row) => [key(row), row] as const).sort(([a], [b]) => a.localeCompare(b)).map(([, row]) => row);
  return {
    customers: byKey(customers.map(({ id: _id, store_id: _s, ...rest }) => rest), (c) => String(c.external_id)),
    products: byKey(products.map(({ id: _id, store_id: _s, ...rest }) => rest), (p) => p.external_id),
    orders: byKey(orders.map(({ id: _id, store_id: _s, customer_id, ...rest }) => ({ ...rest, customer: customer_id === null ? null : customerOf.get(customer_id) })), (o) => o.external_id),
    lines: byKey(lines.map(({ store_id: _s, order_id, product_id, ...rest }) => ({ ...rest, order: orderOf.get(order_id), product: product_id === null ? null : productOf.get(product_id) })),
      (l) => `${l.order}:${String(l.line_no).padStart(4, '0')}`),
    checkoutRefs: byKey(refs.map((r) => ({ ref: r.ref, order: orderOf.get(r.order_id), placed_at: r.placed_at })), (r) => `${r.order}:${r.ref}`),
    checkouts: byKey(checkouts.map((c) => ({ ...c, order_id: c.order_id === null ? null : orderOf.get(c.order_id) })), (c) => c.external_id),
    aliases: byKey(aliases.map((a) => ({ ...a, customer_id: customerOf.get(a.customer_id) })), (a) => a.alias),
  };
}

/** Writes the same batches in order with each writer into its own store; returns both outcomes. */
async function bothWays(batches: CommerceBatch[]) {
  const storeA = `st_direct_${(seq += 1)}`;
  const storeB = `st_merge_${seq}`;
  const now = new Date('2024-06-01T12:00:00Z');
  const summaries: [WriteSummary, WriteSummary][] = [];
  for (const batch of batches) {
    const a = await direct.write(storeA, structuredClone(batch), { now, source: 'api' });
    const b = await merge.write(storeB, structuredClone(batch), { now, source: 'api' });
    summaries.push([a, b]);
  }
  return { summaries, a: await contents(storeA), b: await contents(storeB) };
}

describe('small batches that add or re-send orders', () => {
  const scenarios: [string, CommerceBatch[]][] = [
    ['a new order naming a new customer and new products', [{ orders: [anOrder('o-1', { shipping: 500, tax: 100, discount: 200, discount_codes: ['SPRING'], channel: 'web' })] }]],
    ['a guest order and a cancelled one', [{ orders: [anOrder('o-1', { customer_external_id: null }), anOrder('o-2', { status: 'cancelled' }, 3)] }]],
    ['a new customer with every field, then orders that move their creation earlier', [
      { customers: [aCustomer('cust-1', { first_name: 'Ada', tags: ['vip', 'b2b'], attributes: { plan: 'gold' }, accepts_marketing: true, created_at: new Date('2024-05-01T00:00:00Z') })] },
      { orders: [anOrder('o-1', { placed_at: new Date('2024-06-02T00:00:00Z') })] },
      { orders: [anOrder('o-2', { placed_at: new Date('2024-01-02T00:00:00Z') })] },
    ]],
    ['known products and customers referred to again, a new product given in full', [
      { orders: [anOrder('o-1')] },
      { products: [{ external_id: 'prod-9', title: 'Teapot', category: 'Kitchen', price: 3900, currency: 'eur', image_url: 'https://example.com/t.png' }],
        orders: [anOrder('o-2', {}, 3), anOrder('o-3', { customer_external_id: 'cust-2' })] },
    ]],
    ['the same order twice in one batch (the later wins) and an order re-sent unchanged', [
      { orders: [anOrder('o-1', {}, 1), anOrder('o-1', { shipping: 300 }, 2)] },
      { orders: [anOrder('o-1', { shipping: 300 }, 2)] },
    ]],
    ['orders re-sent unchanged beside a new one, then with a changed line, a new customer, other codes', [
      { orders: [anOrder('o-1', { discount_codes: ['A', 'B'], channel: 'web' }, 3), anOrder('o-2', { customer_external_id: null })] },
      { orders: [anOrder('o-1', { discount_codes: ['A', 'B'], channel: 'web' }, 3), anOrder('o-2', { customer_external_id: null }), anOrder('o-3')] },
      { orders: [anOrder('o-1', { discount_codes: ['A', 'B'], channel: 'web' }, 2)] },
      { orders: [anOrder('o-2', { customer_external_id: 'cust-new' })] },
      { orders: [anOrder('o-3', { discount_codes: ['B'] })] },
    ]],
    ['an order re-sent with the same totals but other lines', [
      // A free gift line, then dropped: same totals, one line fewer.
      { orders: [anOrder('o-1', { lines: [{ product_external_id: 'prod-1', quantity: 2, unit_price: 1000 }, { product_external_id: 'gift', quantity: 1, unit_price: 0 }] })] },
      { orders: [anOrder('o-1', { lines: [{ product_external_id: 'prod-1', quantity: 2, unit_price: 1000 }] })] },
      { orders: [anOrder('o-1', { lines: [{ product_external_id: 'prod-1', quantity: 2, unit_price: 1000, title: 'Mug' }] })] },
      { orders: [anOrder('o-1', { lines: [{ product_external_id: 'prod-2', quantity: 2, unit_price: 1000, title: 'Mug' }] })] },
    ]],
    ['orders re-sent after returns refunded them', [
      { orders: [anOrder('o-1'), anOrder('o-2', { status: 'paid' }), anOrder('o-3', { status: 'cancelled' })] },
      { returns: [aReturn('r-1', 'o-1', 500), aReturn('r-2', 'o-2', 1001 + 1002), aReturn('r-3', 'o-3', 100)] },
      { orders: [anOrder('o-1'), anOrder('o-2', { status: 'paid' }), anOrder('o-3', { status: 'cancelled' })] },
      { orders: [anOrder('o-1', { status: 'fulfilled' })] },
    ]],
    ['orders naming checkout and cart ids no checkout has yet, then the checkout', [
      { orders: [anOrder('o-1', { checkout_ids: ['chk-1', 'cart-1'] }), anOrder('o-2', { checkout_ids: ['chk-2'] })] },
      { orders: [anOrder('o-1', { checkout_ids: ['chk-1', 'cart-1'] })] },
      { checkouts: [{ external_id: 'chk-1', cart_id: 'cart-1', currency: 'EUR', value: 2003, started_at: new Date('2024-02-28T10:00:00Z') }] },
    ]],
    ['an order completing a checkout stored before it', [
      { checkouts: [{ external_id: 'chk-9', currency: 'EUR', value: 2003, started_at: new Date('2024-02-28T10:00:00Z') }] },
      { orders: [anOrder('o-9', { checkout_ids: ['chk-9'] })] },
    ]],
    ['a new customer id whose email or phone a stored customer has', [
      { customers: [aCustomer('cust-1', { email: 'ada@example.com', phone: '+44 20 7946 0000' })] },
      { customers: [aCustomer('shopify-1', { email: 'ADA@example.com' })], orders: [anOrder('o-1', { customer_external_id: 'shopify-1' })] },
      { customers: [aCustomer('pos-1', { email: null, phone: '442079460000' })] },
      { orders: [anOrder('o-2', { customer_external_id: 'shopify-1' })] },
    ]],
    ['a customer given again with a change', [
      { customers: [aCustomer('cust-1', { first_name: 'Ada' })] },
      { customers: [aCustomer('cust-1', { first_name: 'Grace' })], orders: [anOrder('o-1')] },
    ]],
  ];

  for (const [name, batches] of scenarios) {
    it(`stores ${name} exactly as the general merge does`, async () => {
      const { summaries, a, b } = await bothWays(batches);
      for (const [fromDirect, fromMerge] of summaries) expect(fromDirect).toEqual(fromMerge);
      expect(a).toEqual(b);
      expect(a.orders.length).toBeGreaterThan(0);
    });
  }

  it('creates the customer and the products an order names, with the counts the merge reports', async () => {
    const { summaries, a } = await bothWays([{ orders: [anOrder('o-1', {}, 2)] }]);
    expect(summaries[0]![0]).toEqual({
      customers: { created: 1, updated: 0, unchanged: 0 }, products: { created: 2, updated: 0, unchanged: 0 },
      orders: { created: 1, updated: 0, unchanged: 0 }, returns: { created: 0, updated: 0, unchanged: 0 },
    });
    expect(a.orders[0]).toMatchObject({ external_id: 'o-1', customer: 'cust-1', subtotal: 1001 + 1002, total: 1001 + 1002, status: 'paid', source: 'api' });
    expect(a.lines.map((l) => [l.order, l.line_no, l.product, l.total])).toEqual([['o-1', 1, 'prod-1', 1001], ['o-1', 2, 'prod-2', 1002]]);
    expect(a.customers[0]!.created_at.toISOString()).toBe('2024-03-01T10:00:00.000Z');
  });
});
