import { describe, expect, it } from 'vitest';
import type { OrderInput } from '../commerce/commerce.input.js';
import { BatchBuilder } from './batch-builder.js';

const origin = (line: number) => ({ line, rows: 1, raw: `row ${line}` });
const newOrder = (id: string): OrderInput => ({ external_id: id, placed_at: new Date(0), currency: 'USD', lines: [] });

function addLine(out: BatchBuilder, id: string, line: number): boolean {
  const order = out.order(id, origin(line), () => newOrder(id));
  if (!order) return false;
  order.lines.push({ quantity: 1, unit_price: 100 });
  out.addedLine(order);
  return true;
}

describe('batch builder', () => {
  it('cuts batches between orders, never inside one', () => {
    const out = new BatchBuilder({ entities: 2, lines: 1000 });
    addLine(out, 'A', 2);
    addLine(out, 'A', 3);
    addLine(out, 'B', 4);
    expect(out.ready).toBe(true);
    const first = out.take();
    // B is still open (its next row may follow), so only A is written.
    expect(first.batch.orders.map((o) => o.external_id)).toEqual(['A']);
    expect(first.origins.get(first.batch.orders[0]!)).toMatchObject({ line: 2, rows: 2 });
    addLine(out, 'B', 5);
    out.close();
    const second = out.take();
    expect(second.batch.orders.map((o) => [o.external_id, o.lines.length])).toEqual([['B', 2]]);
  });

  it('refuses rows of an order whose batch was already written', () => {
    const out = new BatchBuilder({ entities: 1, lines: 1000 });
    addLine(out, 'A', 2);
    addLine(out, 'B', 3);
    out.take();
    expect(addLine(out, 'A', 4)).toBe(false);
    expect(addLine(out, 'B', 5)).toBe(true);
  });

  it('keeps the first of a derived customer and the last of a given one', () => {
    const out = new BatchBuilder();
    out.customer({ external_id: 'c1', country: 'France' }, origin(2), true);
    out.customer({ external_id: 'c1', country: 'Spain' }, origin(3), true);
    out.customer({ external_id: 'c2', email: 'old@x.io' }, origin(4));
    out.customer({ external_id: 'c2', email: 'new@x.io' }, origin(5));
    const { batch } = out.take();
    expect(batch.customers).toEqual([{ external_id: 'c1', country: 'France' }, { external_id: 'c2', email: 'new@x.io' }]);
    expect(out.has('customers', 'c1')).toBe(true);
  });

  it('counts rejected rows', () => {
    const out = new BatchBuilder();
    out.reject(7, 'bad', 'x');
    out.reject(9, 'order refused', 'y', 3);
    expect(out.rowsRejected).toBe(4);
    expect(out.rejects.map((r) => r.line)).toEqual([7, 9]);
  });
});
