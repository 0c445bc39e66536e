import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, openImportStore, realData } from '../../../test/helpers/imports.js';
import { onlineRetailExpectations } from '../../../test/helpers/online-retail-figures.js';

const file = realData('online-retail/online-retail-2010-12-01_02.csv');
const uciStyle = fixture('imports/online-retail-uci-style.csv');
// Every table the import fills, as content (ids aside), to compare the bulk and streaming paths.
const contents = [
  // A customer seen only on cancellations is created at write time, which differs between the stores.
  `select external_id, country, case when created_at > now() - interval 1 day then 'at write time' else strftime(created_at, '%c') end
     from customers order by 1`,
  'select external_id, title, price, currency from products order by 1',
  `select o.external_id, c.external_id, o.placed_at, o.currency, o.subtotal, o.total, o.status, o.source
     from orders o left join customers c on c.id = o.customer_id order by 1`,
  `select o.external_id, l.line_no, p.external_id, l.sku, l.title, l.quantity, l.unit_price, l.total
     from order_lines l join orders o on o.id = l.order_id left join products p on p.id = l.product_id order by 1, 2`,
  `select r.external_id, c.external_id, r.returned_at, r.amount, r.reason from returns r left join customers c on c.id = r.customer_id order by 1`,
  'select r.external_id, l.quantity, l.amount, l.sku from return_lines l join returns r on r.id = l.return_id order by 1, 4, 2, 3',
];

describe('online-retail bulk import (DuckDB reads the file)', () => {
  let bulk: Awaited<ReturnType<typeof openImportStore>>;
  let stream: Awaited<ReturnType<typeof openImportStore>>;
  beforeAll(async () => {
    [bulk, stream] = await Promise.all([openImportStore(), openImportStore()]);
  });
  afterAll(async () => {
    await bulk.store.dispose();
    await stream.store.dispose();
  });
  const rowsOf = async (ctx: typeof bulk, sql: string) => ctx.store.withWriter(async (c) => (await c.runAndReadAll(sql)).getRows().map((r) => JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? Number(v) : v))));

  it('gives the figures computed from the raw file, with rejects at their lines', async () => {
    const want = onlineRetailExpectations(file);
    const summary = await bulk.imports.run({ files: [file], format: 'online-retail', rejectsDir: bulk.rejectsDir }, { bulkBytes: 0 });
    expect(summary).toMatchObject({ rowsRead: want.rows, rowsRejected: want.rejected });
    expect(summary.orders.created).toBe(want.orders);
    expect(summary.returns.created).toBe(want.returns);
    expect(await bulk.count('select count(*) from customers')).toBe(want.customers);
    expect(await bulk.count('select count(*) from orders where customer_id is null')).toBe(want.guestOrders);
    expect(await bulk.count('select count(*) from order_lines')).toBe(want.orderLines);
    expect(await bulk.count('select count(*) from return_lines')).toBe(want.returnLines);
    expect(await bulk.count('select count(*) from products')).toBe(want.products);
    expect(await bulk.count('select sum(total) from orders')).toBe(want.orderPence);
    expect(await bulk.count('select sum(amount) from returns')).toBe(want.returnPence);
    expect(await bulk.count('select count(*) from returns where customer_id is not null')).toBe(want.returnsWithCustomer);
    const rejects = readFileSync(summary.rejectsFiles[0]!, 'utf8').trim().split('\n');
    expect(rejects).toHaveLength(want.rejected + 1);
    for (const line of want.rejectedLines) expect(rejects.some((row) => row.includes(`,${line},`) && row.includes('not a cancellation'))).toBe(true);
    const [run] = await bulk.imports.listRuns(summary.store.id);
    expect(run).toMatchObject({ state: 'done', rows_read: want.rows, rows_rejected: want.rejected });
    expect(run!.file_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stores exactly what the streaming path stores, UCI style and summer time included', async () => {
    await stream.imports.run({ files: [file], format: 'online-retail', rejectsDir: stream.rejectsDir }, { bulkBytes: Infinity });
    const bulkUci = await bulk.imports.run({ files: [uciStyle], format: 'online-retail', rejectsDir: bulk.rejectsDir }, { bulkBytes: 0 });
    const streamUci = await stream.imports.run({ files: [uciStyle], format: 'online-retail', rejectsDir: stream.rejectsDir }, { bulkBytes: Infinity });
    expect(bulkUci.orders).toEqual(streamUci.orders);
    expect(bulkUci.customers).toEqual(streamUci.customers);
    expect(readFileSync(bulkUci.rejectsFiles[0]!, 'utf8')).toBe(readFileSync(streamUci.rejectsFiles[0]!, 'utf8'));
    expect(await bulk.count(`select count(*) from orders where external_id = '562583' and placed_at = timestamp '2011-08-07 08:30:00'`)).toBe(1);
    for (const sql of contents) expect(await rowsOf(bulk, sql)).toEqual(await rowsOf(stream, sql));
  });

  it('adds nothing when the same file is imported again', async () => {
    const want = onlineRetailExpectations(file);
    const again = await bulk.imports.run({ files: [file], format: 'online-retail', rejectsDir: bulk.rejectsDir }, { bulkBytes: 0 });
    expect(again.orders).toEqual({ created: 0, updated: 0, unchanged: want.orders });
    expect(again.returns).toEqual({ created: 0, updated: 0, unchanged: want.returns });
    expect(again.customers.created + again.customers.updated + again.products.created + again.products.updated).toBe(0);
  });

  it('numbers reject lines past a description that spans lines, as the streaming path does', async () => {
    mkdirSync(bulk.rejectsDir, { recursive: true });
    const path = join(bulk.rejectsDir, 'multiline.csv');
    writeFileSync(path, [
      'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
      '900001,85123A,"TWO\nLINES, QUOTED ""HERE""",6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
      '900001,71053,WHITE METAL LANTERN,six,2010-12-01 08:26:00,3.39,17850.0,United Kingdom',
      '900002,71053,WHITE METAL LANTERN,2,not a date,3.39,,United Kingdom',
      '',
    ].join('\n'));
    const run = (ctx: typeof bulk, rejectsFile: string, bulkBytes: number) =>
      ctx.imports.run({ files: [path], format: 'online-retail', rejectsFile: join(ctx.rejectsDir, rejectsFile), rejectsDir: ctx.rejectsDir }, { bulkBytes });
    const viaBulk = await run(bulk, 'a.csv', 0);
    const viaStream = await run(stream, 'b.csv', Infinity);
    expect(viaBulk).toMatchObject({ rowsRead: 3, rowsRejected: 2 });
    const rejects = readFileSync(viaBulk.rejectsFiles[0]!, 'utf8');
    expect(rejects).toBe(readFileSync(viaStream.rejectsFiles[0]!, 'utf8').replace(stream.rejectsDir, bulk.rejectsDir));
    expect(rejects).toContain(',4,"Quantity ""six"" is not a whole number"');
    expect(rejects).toContain(',5,"InvoiceDate ""not a date"" is not a date');
    const title = `select title from products where external_id = '85123A'`;
    expect(await rowsOf(bulk, title)).toEqual(await rowsOf(stream, title));
  });

  it('leaves a file whose columns are in another order to the streaming parser', async () => {
    const path = join(bulk.rejectsDir, 'reordered.csv');
    writeFileSync(path, 'Country,CustomerID,UnitPrice,InvoiceDate,Quantity,Description,StockCode,InvoiceNo\nFrance,99001,1.25,2010-12-05 10:00:00,4,RED MUG,99MUG,900100\n');
    const summary = await bulk.imports.run({ files: [path], format: 'online-retail', rejectsDir: bulk.rejectsDir }, { bulkBytes: 0 });
    expect(summary).toMatchObject({ rowsRead: 1, rowsRejected: 0 });
    expect(await bulk.count(`select total from orders where external_id = '900100'`)).toBe(500);
    expect(await rowsOf(bulk, `select country from customers where external_id = '99001'`)).toEqual(['["France"]']);
  });
});
