/**
 * Staging appends a vector of rows (2,048) at a time into one reused chunk: a batch spanning
 * several chunks, with nulls and lists at varying places, must come out row for row as given.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anOrder } from '../../../test/builders/data.js';
import { openTestStore } from '../../../test/helpers/store.js';
import type { Storage } from '../../db/database.js';
import { CommerceWriter } from './commerce.writer.js';
import type { OrderInput } from './commerce.input.js';

let store: Storage & { dispose: () => Promise<void> };

beforeAll(async () => {
  store = await openTestStore();
});
afterAll(async () => store.dispose());

describe('staging in chunks', () => {
  it('stores every row of a batch larger than a chunk exactly as given', async () => {
    const orders: OrderInput[] = Array.from({ length: 5000 }, (_, i) => anOrder(`o-${i}`, {
      customer_external_id: i % 7 === 3 ? null : `c-${i % 900}`,
      placed_at: new Date(Date.UTC(2024, 0, 1) + i * 61_000),
      discount_codes: i % 11 === 0 ? [`CODE${i}`, 'ALL'] : [],
      channel: i % 3 === 0 ? null : `ch-${i % 4}`,
      shipping: i % 2 === 0 ? 0 : 100 + i,
      lines: Array.from({ length: 1 + (i % 4) }, (_, j) => ({
        product_external_id: (i + j) % 13 === 0 ? null : `p-${(i * 3 + j) % 500}`,
        sku: (i + j) % 5 === 0 ? null : `SKU-${i}-${j}`,
        title: j === 0 ? `Item ${i}` : null,
        quantity: 1 + ((i + j) % 6),
        unit_price: 100 + ((i * 7 + j) % 900),
      })),
    }));
    const summary = await new CommerceWriter(store).write('st_chunks', { orders });
    expect(summary.orders.created).toBe(5000);

    const stored = await store.read.selectFrom('orders as o').leftJoin('customers as c', 'c.id', 'o.customer_id')
      .select(['o.id', 'o.external_id', 'o.placed_at', 'o.discount_codes', 'o.channel', 'o.shipping', 'o.total', 'c.external_id as customer'])
      .where('o.store_id', '=', 'st_chunks').execute();
    const lines = await store.read.selectFrom('order_lines as l').leftJoin('products as p', 'p.id', 'l.product_id')
      .select(['l.order_id', 'l.line_no', 'l.sku', 'l.title', 'l.quantity', 'l.unit_price', 'l.total', 'p.external_id as product'])
      .where('l.store_id', '=', 'st_chunks').orderBy('l.order_id').orderBy('l.line_no').execute();
    const linesByOrder = new Map<number, typeof lines>();
    for (const line of lines) linesByOrder.set(line.order_id, [...(linesByOrder.get(line.order_id) ?? []), line]);

    const byExternalId = new Map(stored.map((o) => [o.external_id, o]));
    expect(byExternalId.size).toBe(5000);
    for (const input of orders) {
      const row = byExternalId.get(input.external_id)!;
      const linesTotal = input.lines.reduce((sum, l) => sum + l.quantity * l.unit_price, 0);
      expect({
        customer: row.customer, placed_at: row.placed_at.getTime(), discount_codes: row.discount_codes, channel: row.channel,
        shipping: row.shipping, total: row.total,
      }).toEqual({
        customer: input.customer_external_id, placed_at: input.placed_at.getTime(), discount_codes: input.discount_codes, channel: input.channel,
        shipping: input.shipping, total: linesTotal + input.shipping!,
      });
      expect((linesByOrder.get(row.id) ?? []).map((l) => [l.line_no, l.product, l.sku, l.title, l.quantity, l.unit_price, l.total]))
        .toEqual(input.lines.map((l, j) => [j + 1, l.product_external_id, l.sku, l.title, l.quantity, l.unit_price, l.quantity * l.unit_price]));
    }
  });
});
