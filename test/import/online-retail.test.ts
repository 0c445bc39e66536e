import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, openImportStore, realData } from '../helpers/imports.js';
import { onlineRetailExpectations } from '../helpers/online-retail-figures.js';

const file = realData('online-retail/online-retail-2010-12-01_02.csv');

describe('online-retail import', () => {
  let ctx: Awaited<ReturnType<typeof openImportStore>>;
  beforeAll(async () => {
    ctx = await openImportStore();
  });
  afterAll(async () => ctx.store.dispose());

  it('stores one order per invoice, returns for C invoices, guests, products and rejects', async () => {
    const want = onlineRetailExpectations(file);
    expect(want.rejected).toBeGreaterThan(0);
    expect(want.guestOrders).toBeGreaterThan(0);
    expect(want.returns).toBeGreaterThan(0);
    // Batches of 50 invoices: many batch boundaries fall between the rows of one invoice.
    const summary = await ctx.importFiles([file], 'online-retail', {}, { entities: 50, lines: 400 });
    expect(summary).toMatchObject({ rowsRead: want.rows, rowsRejected: want.rejected });
    expect(summary.orders.created).toBe(want.orders);
    expect(summary.returns.created).toBe(want.returns);
    expect(await ctx.count('select count(*) from customers')).toBe(want.customers);
    expect(await ctx.count('select count(*) from orders')).toBe(want.orders);
    expect(await ctx.count('select count(*) from orders where customer_id is null')).toBe(want.guestOrders);
    expect(await ctx.count('select count(*) from order_lines')).toBe(want.orderLines);
    expect(await ctx.count('select count(*) from returns')).toBe(want.returns);
    expect(await ctx.count('select count(*) from return_lines')).toBe(want.returnLines);
    expect(await ctx.count('select count(*) from products')).toBe(want.products);
    expect(await ctx.count('select sum(total) from orders')).toBe(want.orderPence);
    expect(await ctx.count('select sum(amount) from returns')).toBe(want.returnPence);
    expect(await ctx.count(`select count(*) from orders where currency <> 'GBP'`)).toBe(0);
    // Returns keep their customer; quantities are positive.
    expect(await ctx.count('select count(*) from returns where customer_id is not null')).toBe(want.returnsWithCustomer);
    expect(await ctx.count('select min(quantity) from return_lines')).toBeGreaterThan(0);
    // December is GMT: the first invoice's local 08:26 is 08:26 UTC.
    expect(await ctx.count(`select count(*) from orders where external_id = '536365' and placed_at = timestamp '2010-12-01 08:26:00'`)).toBe(1);
    // Customer country comes from the file; 17850.0 is stored as 17850.
    expect(await ctx.count(`select count(*) from customers where external_id = '17850' and country = 'United Kingdom'`)).toBe(1);
    expect(await ctx.count(`select count(*) from customers where external_id like '%.0'`)).toBe(0);

    const rejects = readFileSync(summary.rejectsFiles[0]!, 'utf8').trim().split('\n');
    expect(rejects).toHaveLength(want.rejected + 1);
    for (const line of want.rejectedLines) expect(rejects.some((row) => row.includes(`,${line},`) && row.includes('not a cancellation'))).toBe(true);
  });

  it('adds nothing when the same file is imported again', async () => {
    const want = onlineRetailExpectations(file);
    const again = await ctx.importFiles([file], 'online-retail');
    expect(again.orders).toEqual({ created: 0, updated: 0, unchanged: want.orders });
    expect(again.returns).toEqual({ created: 0, updated: 0, unchanged: want.returns });
    expect(again.customers.created + again.customers.updated).toBe(0);
    expect(again.products.created + again.products.updated).toBe(0);
    expect(await ctx.count('select count(*) from order_lines')).toBe(want.orderLines);
  });

  it("reads UCI's own style (17850, 12/1/2010 8:26) as the same invoices, and summer times as BST", async () => {
    const uci = await ctx.importFiles([fixture('imports/online-retail-uci-style.csv')], 'online-retail');
    // The first three invoices are the sample's, written the other way: nothing changes.
    expect(uci.orders).toEqual({ created: 1, updated: 0, unchanged: 3 });
    // 14911 is already known from the sample as 14911.0.
    expect(uci.customers.created).toBe(0);
    expect(await ctx.count('select count(*) from customers')).toBe(onlineRetailExpectations(file).customers);
    expect(uci.rowsRejected).toBe(1);
    expect(readFileSync(uci.rejectsFiles[0]!, 'utf8')).toMatch(/,24,"UnitPrice -11062\.06 is negative \(a bad-debt adjustment/);
    // 2011-08-07 09:30 in London is 08:30 UTC (British Summer Time).
    expect(await ctx.count(`select count(*) from orders where external_id = '562583' and placed_at = timestamp '2011-08-07 08:30:00'`)).toBe(1);
  });
});
