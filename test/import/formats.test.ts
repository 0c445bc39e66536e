import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readMapping } from '../../src/modules/imports/column-mapping.js';
import { fixture, openImportStore } from '../helpers/imports.js';

let ctx: Awaited<ReturnType<typeof openImportStore>>;
beforeEach(async () => {
  ctx = await openImportStore();
});
afterEach(async () => ctx.store.dispose());

const one = async (sql: string) => ctx.store.withWriter(async (c) => (await c.runAndReadAll(sql)).getRowObjectsJson()[0]);
const rejectedLines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').slice(1).map((row) => Number(row.split(',')[1]));

describe('shopify exports', () => {
  it('imports orders with line items, discounts, refunds and guests, then enriches customers from the customers export', async () => {
    const orders = await ctx.importFiles([fixture('imports/shopify-orders.csv')], 'shopify-orders');
    expect(orders).toMatchObject({ rowsRead: 9, rowsRejected: 2 });
    expect(orders.orders.created).toBe(6);
    expect(orders.returns.created).toBe(1);
    expect(rejectedLines(orders.rejectsFiles[0]!)).toEqual([8, 10]);
    expect(await ctx.count('select count(*) from customers')).toBe(3);
    expect(await ctx.count('select count(*) from orders where customer_id is null')).toBe(1);
    expect(await one(`select total, discount, shipping, tax, discount_codes[1] as code, status, strftime(placed_at, '%Y-%m-%d %H:%M:%S') as placed
      from orders where external_id = '5001'`)).toEqual({ total: '5940', discount: '500', shipping: '500', tax: '440', code: 'WELCOME10', status: 'fulfilled', placed: '2024-03-01 15:15:30' });
    expect(await one(`select status, (select amount from returns r where r.order_id = o.id) as refunded from orders o where external_id = '5002'`)).toEqual({ status: 'partially_refunded', refunded: '1200' });
    // Tax-inclusive order: the taxes are in the prices, so the stored tax does not add to the total.
    expect(await one(`select total, tax, status from orders where external_id = '5003'`)).toEqual({ total: '2400', tax: '0', status: 'pending' });
    expect(await one(`select status from orders where external_id = '5005'`)).toEqual({ status: 'cancelled' });
    expect(await ctx.count(`select count(*) from order_lines l join orders o on o.id = l.order_id where o.external_id = '5007'`)).toBe(1);
    // Fulfilled orders get a fulfilment, shipped at `Fulfilled at` when the export has it.
    expect(await one(`select f.external_id, strftime(f.shipped_at, '%Y-%m-%d %H:%M:%S') as shipped, f.status from fulfillments f join orders o on o.id = f.order_id
      where o.external_id = '5001'`)).toEqual({ external_id: '5001-fulfillment', shipped: '2024-03-02 14:00:00', status: 'success' });
    expect(await ctx.count(`select count(*) from fulfillments f join orders o on o.id = f.order_id where o.status = 'fulfilled'`)).toBe(await ctx.count(`select count(*) from orders where status = 'fulfilled'`));

    const customers = await ctx.importFiles([fixture('imports/shopify-customers.csv')], 'shopify-customers');
    expect(customers).toMatchObject({ rowsRead: 4, rowsRejected: 1, customers: { created: 1, updated: 2 } });
    expect(await ctx.count('select count(*) from customers')).toBe(4);
    expect(await one(`select first_name, last_name, phone, city, country, accepts_marketing as m, list_sort(tags) as tags, json_extract_string(attributes, '$.shopify_customer_id') as sid
      from customers where external_id = 'alice@example.com'`)).toEqual({ first_name: 'Alice', last_name: 'Martin', phone: '+16175550101', city: 'Boston', country: 'US', m: true, tags: ['newsletter', 'vip'], sid: '7001234567890' });
    expect(await ctx.count(`select count(*) from customers where external_id = '7001234567892' and email is null and city = 'Lyon'`)).toBe(1);
  });
});

describe('csv with a mapping', () => {
  it('groups order lines by order id, reads the date pattern and rejects bad rows', async () => {
    const mapping = readMapping(fixture('imports/orders-eu.mapping.json'));
    const summary = await ctx.importFiles([fixture('imports/orders-eu.csv')], 'csv', { mapping });
    expect(summary).toMatchObject({ rowsRead: 6, rowsRejected: 2, orders: { created: 3 } });
    expect(rejectedLines(summary.rejectsFiles[0]!)).toEqual([5, 6]);
    expect(readFileSync(summary.rejectsFiles[0]!, 'utf8')).toMatch(/Menge ""-1"" is not a whole number/);
    expect(await one(`select total, shipping, currency, strftime(placed_at, '%Y-%m-%d %H:%M') as placed, (select count(*) from order_lines l where l.order_id = o.id) as lines
      from orders o where external_id = 'A-100'`)).toEqual({ total: '6180', shipping: '490', currency: 'EUR', placed: '2024-01-13 09:05', lines: '2' });
    expect(await ctx.count('select count(*) from customers')).toBe(3);
    expect(await ctx.count(`select count(*) from order_lines where title = 'Teekanne "Nordic"'`)).toBe(2);
    const again = await ctx.importFiles([fixture('imports/orders-eu.csv')], 'csv', { mapping });
    expect(again.orders).toEqual({ created: 0, updated: 0, unchanged: 3 });
  });

  it('reads a WooCommerce order export with the shipped mapping: statuses translated, refunds as returns, guests without a customer', async () => {
    const mapping = readMapping('docs/mappings/woocommerce-orders.mapping.json');
    const summary = await ctx.importFiles([fixture('imports/woocommerce-orders.csv')], 'csv', { mapping });
    expect(summary).toMatchObject({ rowsRead: 7, rowsRejected: 0, orders: { created: 6 }, returns: { created: 2 } });
    const statuses = await ctx.store.withWriter(async (c) => (await c.runAndReadAll(`select external_id, status from orders order by external_id`)).getRows());
    expect(Object.fromEntries(statuses)).toEqual({
      1001: 'fulfilled', 1002: 'paid', 1003: 'refunded', 1004: 'pending', 1005: 'partially_refunded', 1006: 'cancelled',
    });
    expect(await one(`select r.amount, r.external_id from returns r join orders o on o.id = r.order_id where o.external_id = '1005'`)).toEqual({ amount: '1000', external_id: '1005:refund' });
    expect(await one(`select customer_id is null as guest, discount, discount_codes[1] as code, total from orders where external_id = '1002'`)).toEqual({ guest: true, discount: '200', code: 'SPRING', total: '1800' });
    expect(await ctx.count('select count(*) from customers')).toBe(3);
    expect(await ctx.count(`select count(*) from order_lines l join orders o on o.id = l.order_id where o.external_id = '1004'`)).toBe(2);
  });

  it('refuses value maps for a field the columns do not map', async () => {
    const { checkMapping } = await import('../../src/modules/imports/column-mapping.js');
    expect(() => checkMapping({ entity: 'orders', columns: { external_id: 'a', placed_at: 'b', quantity: 'c', unit_price: 'd' }, values: { status: { done: 'fulfilled' } } }))
      .toThrow(/values\.status translates a field the columns do not map/);
  });

  it('refuses a mapping with an unknown field, naming it', () => {
    expect(() => readMapping(fixture('imports/bad.mapping.json'))).toThrow(/columns\.colour is not a orders field/);
  });
});

describe('jsonl', () => {
  it('imports API objects and rejects lines that are not JSON, invalid, or refused by the writer', async () => {
    const summary = await ctx.importFiles([fixture('imports/api-objects.jsonl')], 'jsonl');
    expect(summary).toMatchObject({ rowsRead: 9, rowsRejected: 4, orders: { created: 2 }, returns: { created: 1 } });
    const rejects = readFileSync(summary.rejectsFiles[0]!, 'utf8');
    expect(rejectedLines(summary.rejectsFiles[0]!).sort((a, b) => a - b)).toEqual([6, 7, 8, 9]);
    expect(rejects).toMatch(/,9,"?total: is 999 but subtotal − discount \+ shipping \+ tax is 500/);
    expect(await one(`select total, currency, status from orders where external_id = 'ord_1'`)).toEqual({ total: '7900', currency: 'SEK', status: 'partially_refunded' });
    expect(await one(`select email, accepts_marketing as m from customers where external_id = 'cus_1'`)).toEqual({ email: 'ann@example.com', m: true });
    expect(await ctx.count(`select count(*) from customers where external_id = 'cus_2'`)).toBe(1);
    expect(await ctx.count(`select count(*) from orders where external_id = 'ord_2' and placed_at = timestamp '2024-05-02 06:30:00'`)).toBe(1);
  });
});
