import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImportStore, realData } from '../helpers/imports.js';

const file = realData('cdnow/CDNOW_sample.txt');

/** Figures straight from the raw file: customers, purchases and dollars. */
function rawFigures() {
  const rows = readFileSync(file, 'utf8').split(/\r?\n/).filter((line) => line.trim()).map((line) => line.trim().split(/\s+/));
  const cents = rows.reduce((sum, row) => sum + Math.round(Number(row[4]) * 100), 0);
  const cds = rows.reduce((sum, row) => sum + Number(row[3]), 0);
  return { customers: new Set(rows.map((row) => row[0])).size, orders: rows.length, cents, cds };
}

describe('cdnow import', () => {
  let ctx: Awaited<ReturnType<typeof openImportStore>>;
  beforeAll(async () => {
    ctx = await openImportStore();
  });
  afterAll(async () => ctx.store.dispose());

  it('imports 2,357 customers and 6,919 orders with their CDs and dollars, on a new store', async () => {
    const raw = rawFigures();
    expect(raw).toMatchObject({ customers: 2357, orders: 6919 });
    // Small batches, so orders of one customer cross batch boundaries.
    const summary = await ctx.importFiles([file], 'cdnow', {}, { entities: 1000, lines: 10_000 });
    expect(summary.store.created).toBe(true);
    expect(summary).toMatchObject({ rowsRead: raw.orders, rowsRejected: 0, orders: { created: raw.orders, updated: 0, unchanged: 0 } });
    expect(summary.customers.created).toBe(raw.customers);
    expect(await ctx.count('select count(*) from customers')).toBe(raw.customers);
    expect(await ctx.count('select count(*) from orders')).toBe(raw.orders);
    expect(await ctx.count('select sum(total) from orders')).toBe(raw.cents);
    expect(await ctx.count('select sum(quantity) from order_lines')).toBe(raw.cds);
    expect(await ctx.count(`select count(*) from orders where currency <> 'USD' or customer_id is null`)).toBe(0);
    // The file's first row: customer 00004 (first column) bought 2 CDs for $29.33 on 1997-01-01 (a UTC store).
    expect(await ctx.count(`select count(*) from orders o join customers c on c.id = o.customer_id
      where c.external_id = '00004' and o.placed_at = timestamp '1997-01-01 00:00:00' and o.total = 2933`)).toBe(1);
  });

  it('adds nothing when the same file is imported again', async () => {
    const raw = rawFigures();
    const again = await ctx.importFiles([file], 'cdnow');
    expect(again.orders).toEqual({ created: 0, updated: 0, unchanged: raw.orders });
    expect(again.customers.created).toBe(0);
    expect(await ctx.count('select count(*) from orders')).toBe(raw.orders);
    expect(await ctx.count('select count(*) from customers')).toBe(raw.customers);
    const runs = await ctx.imports.listRuns(again.store.id);
    expect(runs).toHaveLength(2);
    expect(runs.every((run) => run.state === 'done' && run.rows_read === raw.orders && /^[0-9a-f]{64}$/.test(run.file_sha256))).toBe(true);
    expect(runs[0]!.file_sha256).toBe(runs[1]!.file_sha256);
  });
});
