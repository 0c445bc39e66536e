/**
 * A batch streamed through the staging sink is stored exactly as the same batch written with
 * `write`: the same rows (matched by external ids), the same bare references, the same domain
 * events. A sink given an external id twice, or a failing after-merge step, leaves nothing.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCustomer, anOrder, aReturn } from '../../../test/builders/data.js';
import { openTestStore } from '../../../test/helpers/store.js';
import type { Storage } from '../../db/database.js';
import type { CommerceBatch } from './commerce.input.js';
import { CommerceService } from './commerce.service.js';
import { StagingSink } from './commerce.sink.js';
import { normaliseBatch } from './commerce.validation.js';
import { CommerceWriter } from './commerce.writer.js';

let store: Storage & { dispose: () => Promise<void> };
let service: CommerceService;

beforeAll(async () => {
  store = await openTestStore();
  service = new CommerceService(store);
});
afterAll(async () => store.dispose());

const NOW = new Date('2024-06-01T00:00:00Z');

/** Several vectors of rows; customers and products named only by orders, returns and lines; a return of a stored order. */
function aBatch(): CommerceBatch {
  const customers = Array.from({ length: 2500 }, (_, i) => aCustomer(`c-${i}`, {
    first_name: i % 5 === 0 ? null : `First ${i}`, country: i % 3 === 0 ? undefined : 'GB', accepts_marketing: i % 2 === 0,
    tags: i % 7 === 0 ? ['vip', 'x'] : [], attributes: { n: i }, created_at: i % 4 === 0 ? new Date(Date.UTC(2024, 5, 1)) : undefined,
  }));
  const products = Array.from({ length: 40 }, (_, i) => ({
    external_id: `p-${i}`, title: `Product ${i}`, price: 1000 + i, currency: 'EUR', category: i % 2 ? 'Mugs' : null,
    variants: i % 3 === 0 ? [] : [{ external_id: `v-${i}-a`, sku: `SKU-${i}-A`, price: 1000 + i }, { external_id: `v-${i}-b`, sku: `SKU-${i}-B`, title: 'B', price: null }],
  }));
  const orders = Array.from({ length: 3000 }, (_, i) => anOrder(`o-${i}`, {
    customer_external_id: i % 11 === 0 ? null : `c-${(i * 7) % 2600}`,
    placed_at: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000),
    discount_codes: i % 9 === 0 ? ['SPRING'] : [], channel: i % 4 === 0 ? 'web' : null, shipping: i % 2 ? 495 : 0,
    status: i % 13 === 0 ? 'cancelled' : i % 5 === 0 ? 'fulfilled' : undefined,
    lines: Array.from({ length: 1 + (i % 3) }, (_, j) => ({
      product_external_id: (i + j) % 17 === 0 ? `bare-${(i + j) % 50}` : `p-${(i + j) % 40}`,
      variant_external_id: (i + j) % 40 % 3 === 0 || (i + j) % 17 === 0 ? null : `v-${(i + j) % 40}-a`,
      sku: `S-${j}`, title: j === 0 ? `Item ${i}` : null, quantity: 1 + (j % 2), unit_price: 500 + ((i + j) % 300),
    })),
  }));
  const returns = [
    // Odd ones refund part of their order, even ones all of it.
    ...Array.from({ length: 300 }, (_, i) => aReturn(`r-${i}`, `o-${i * 10 + 1}`, i % 2 ? 100 : 100_000, {
      returned_at: new Date(Date.UTC(2024, 4, 1) + i * 60_000), reason: i % 3 ? 'damaged' : null,
      lines: [{ product_external_id: i % 5 === 0 ? `returned-only-${i % 3}` : `p-${i % 40}`, sku: `R-${i}`, quantity: 1, amount: i % 2 ? 100 : 100_000 }],
    })),
    aReturn('r-unmatched', 'no-such-order', 250, { customer_external_id: 'only-in-a-return', returned_at: new Date(Date.UTC(2024, 4, 2)) }),
  ];
  return { customers, products, orders, returns };
}

async function stream(storeId: string, batch: CommerceBatch) {
  const normal = normaliseBatch(batch);
  return service.writeStaged(storeId, async (connection) => {
    const sink = await StagingSink.open(connection);
    try {
      for (const customer of normal.customers) sink.addCustomer(customer);
      for (const product of normal.products) sink.addProduct(product);
      for (const order of normal.orders) sink.addOrder(order);
      for (const item of normal.returns) sink.addReturn(item);
      return await sink.finish();
    } catch (error) {
      sink.abandon();
      throw error;
    }
  }, { source: 'test', now: NOW });
}

/** Everything stored for a store, ids replaced by external ids. */
async function contents(storeId: string) {
  const rows = async (query: string) => (await sql<Record<string, unknown>>`${sql.raw(query.replaceAll('$store', `'${storeId}'`))}`.execute(store.read)).rows;
  return {
    customers: await rows(`select * exclude (store_id, id) from customers where store_id = $store order by external_id`),
    products: await rows(`select * exclude (store_id, id) from products where store_id = $store order by external_id`),
    variants: await rows(`select v.* exclude (store_id, id, product_id), p.external_id as product from variants v join products p on p.id = v.product_id
      where v.store_id = $store order by v.external_id`),
    orders: await rows(`select o.* exclude (store_id, id, customer_id), c.external_id as customer from orders o left join customers c on c.id = o.customer_id
      where o.store_id = $store order by o.external_id`),
    lines: await rows(`select l.* exclude (store_id, order_id, product_id, variant_id), o.external_id as order_id, p.external_id as product, v.external_id as variant
      from order_lines l join orders o on o.id = l.order_id left join products p on p.id = l.product_id left join variants v on v.id = l.variant_id
      where l.store_id = $store order by o.external_id, l.line_no`),
    returns: await rows(`select r.* exclude (store_id, id, order_id, customer_id), o.external_id as order_id, c.external_id as customer
      from returns r left join orders o on o.id = r.order_id left join customers c on c.id = r.customer_id where r.store_id = $store order by r.external_id`),
    returnLines: await rows(`select l.* exclude (store_id, return_id, product_id), r.external_id as return_id, p.external_id as product
      from return_lines l join returns r on r.id = l.return_id left join products p on p.id = l.product_id where l.store_id = $store order by r.external_id, l.line_no`),
    events: await rows(`select type, count(*) as n from domain_events where store_id = $store group by type order by type`),
  };
}

describe('StagingSink', () => {
  it('stores a streamed batch exactly as `write` stores the same batch, with the same domain events', async () => {
    const batch = aBatch();
    const written = await new CommerceWriter(store, { direct: false }).write('st_batch', batch, { source: 'test', now: NOW });
    const streamed = await stream('st_sink', batch);
    expect(streamed).toEqual(written);
    expect(streamed.orders.created).toBe(3000);
    const [a, b] = [await contents('st_batch'), await contents('st_sink')];
    expect(b).toEqual(a);
    const ids = (rows: Record<string, unknown>[]) => rows.map((row) => row.external_id);
    expect(ids(b.customers)).toEqual(expect.arrayContaining(['c-0', 'c-2599', 'only-in-a-return']));
    expect(ids(b.products)).toEqual(expect.arrayContaining(['p-0', 'bare-0', 'returned-only-0']));
    expect(b.events.map((e) => e.type)).toEqual(expect.arrayContaining(['customer.created', 'order.placed', 'order.refunded', 'return.created']));
  });

  it('merges a second stream with what is stored, as a batch would', async () => {
    const batch = aBatch();
    const changed: CommerceBatch = {
      customers: batch.customers!.slice(0, 10).map((c) => ({ ...c, email: `new-${c.external_id}@example.com` })),
      orders: batch.orders!.slice(0, 5).map((o) => ({ ...o, status: 'cancelled' as const })),
    };
    await new CommerceWriter(store, { direct: false }).write('st_batch', changed, { source: 'test', now: NOW });
    await stream('st_sink', changed);
    const [a, b] = [await contents('st_batch'), await contents('st_sink')];
    expect(b).toEqual(a);
  });

  it('rejects an external id given twice, and leaves nothing', async () => {
    const failing = stream('st_twice', { customers: [aCustomer('c-1'), aCustomer('c-1')] });
    await expect(failing).rejects.toThrow(/external id twice in s_customers/);
    const left = await contents('st_twice');
    expect(left.customers).toEqual([]);
    expect(left.events).toEqual([]);
  });

  it('runs the after step in the transaction: it sees the merged rows, and its failure leaves nothing', async () => {
    let seen = 0;
    const batch = { orders: [anOrder('o-1')] };
    const normal = normaliseBatch(batch);
    const fill = async (connection: Parameters<Parameters<CommerceService['writeStaged']>[1]>[0]) => {
      const sink = await StagingSink.open(connection);
      for (const order of normal.orders) sink.addOrder(order);
      return sink.finish();
    };
    await expect(service.writeStaged('st_after2', fill, {
      after: async (connection) => {
        seen = Number((await connection.runAndReadAll(`select count(*) from orders where store_id = 'st_after2'`)).getRows()[0]![0]);
        throw new Error('after failed (simulated)');
      },
    })).rejects.toThrow('after failed (simulated)');
    expect(seen).toBe(1);
    const left = await contents('st_after2');
    expect([left.customers, left.orders, left.lines, left.events]).toEqual([[], [], [], []]);
  });
});
