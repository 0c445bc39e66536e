/**
 * The Online Retail format read by DuckDB instead of the streaming parser: for a large file,
 * parsing in JS and staging row by row cost more than the whole merge, while DuckDB's `read_csv`
 * reads the file in a few seconds. The file is read as text, checked and converted in SQL with the
 * same rules and reject reasons as `online-retail.parser.ts`, and the writer's staging tables are
 * filled with `INSERT … SELECT` equivalents; the writer's merge does the rest (one transaction for
 * the file, so an import is all or nothing and importing it again changes nothing).
 *
 * Every file row is one record, as in the exports this format names; a quoted field that spans
 * lines is counted so reject line numbers still point at the record's first line.
 */
import { open } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { minorExponent } from '../../../lib/money.js';
import type { Staged } from '../../commerce/index.js';
import type { Reject } from '../batch-builder.js';

export interface BulkContext {
  currency: string;
  timeZone: string;
}

export interface BulkResult {
  staged: Staged;
  rowsRead: number;
  rejects: Reject[];
}

const columns = ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'] as const;

/**
 * Whether the file starts with the format's own header, columns in its order: DuckDB then reads
 * columns by position. Any other layout (reordered or extra columns) takes the streaming parser.
 */
export async function hasPlainHeader(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const first = buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0] ?? '';
    return first.split(',').map((name) => name.trim()).join(',') === columns.join(',');
  } finally {
    await handle.close();
  }
}

/** `"a"` → text with CSV quoting, to rebuild a rejected row for the rejects file. */
const csvField = (column: string): string =>
  `case when ${column} is null then '' when regexp_matches(${column}, '[",\\n\\r]') then '"' || replace(${column}, '"', '""') || '"' else ${column} end`;

/** Reads and checks the file (`r_rows`), writes the staging tables; returns counts and rejects. */
export async function stageOnlineRetail(connection: DuckDBConnection, file: string, context: BulkContext): Promise<BulkResult> {
  const scale = 10 ** minorExponent(context.currency);
  const names = columns.map((c) => `'${c}': 'VARCHAR'`).join(', ');
  await connection.run(`create or replace temp table r_raw as
    select * from read_csv($file, header = true, delim = ',', quote = '"', escape = '"', all_varchar = true,
      auto_detect = false, columns = {${names}}, null_padding = true)`, { file });
  // Line of each record: its position after the header, plus the extra lines of multi-line fields before it.
  const [[multiline]] = (await connection.runAndReadAll(`select count(*) from r_raw where ${columns.map((c) => `contains(coalesce("${c}", ''), chr(10))`).join(' or ')}`)).getRows() as [[bigint]];
  const extraLines = `(${columns.map((c) => `length(coalesce("${c}", '')) - length(replace(coalesce("${c}", ''), chr(10), ''))`).join(' + ')})`;
  // Row ids of a table made in a transaction start at an offset, in file order (insertion order is kept).
  const [[first]] = (await connection.runAndReadAll('select coalesce(min(rowid), 0) from r_raw')).getRows() as [[bigint]];
  const position = `(rowid - ${BigInt(first)})`;
  const line = Number(multiline) > 0 ? `${position} + 2 + coalesce(sum(${extraLines}) over (order by rowid rows between unbounded preceding and 1 preceding), 0)` : `${position} + 2`;
  // Same checks, in the same order, as the streaming parser (the first that fails is the reason).
  // Quantities, times, prices and customer ids repeat a lot: each distinct text is converted once
  // (time-zone conversion and regular expressions per row were most of the cost).
  await connection.run(`create or replace temp table r_rows as
    with t as (
      select rowid as rid, ${line} as line, ${columns.map((c) => `coalesce(trim("${c}"), '') as "${c}"`).join(', ')} from r_raw),
    q as (
      select k, case when regexp_full_match(k, '[+-]?\\d+(\\.0*)?') then try_cast(split_part(k, '.', 1) as bigint) end as qty
      from (select distinct "Quantity" as k from t)),
    d as (
      select k, timezone('UTC', timezone($zone, coalesce(try_strptime(k, '%Y-%m-%d %H:%M:%S'), try_strptime(k, '%Y-%m-%d %H:%M'),
        try_strptime(k, '%m/%d/%Y %H:%M'), try_strptime(k, '%m/%d/%Y %H:%M:%S')))) as ts
      from (select distinct "InvoiceDate" as k from t)),
    p as (
      select k, cast(round(try_cast(k as decimal(38, 10)) * ${scale}) as bigint) as price
      from (select distinct "UnitPrice" as k from t)),
    c as (
      select k, nullif(regexp_replace(k, '^(\\d+)\\.0+$', '\\1'), '') as customer
      from (select distinct "CustomerID" as k from t)),
    v as (
      select t.*, q.qty, d.ts, p.price, c.customer, starts_with(t."InvoiceNo", 'C') as cancelled
      from t left join q on q.k = t."Quantity" left join d on d.k = t."InvoiceDate"
        left join p on p.k = t."UnitPrice" left join c on c.k = t."CustomerID")
    select *,
      case
        when "InvoiceNo" = '' then 'InvoiceNo is empty'
        when "StockCode" = '' then 'StockCode is empty'
        when qty is null then 'Quantity "' || "Quantity" || '" is not a whole number'
        when ts is null then 'InvoiceDate "' || "InvoiceDate" || '" is not a date (expected 2010-12-01 08:26:00 or 12/1/2010 8:26)'
        when price is null then 'UnitPrice "' || "UnitPrice" || '" is not a number'
        when price < 0 then 'UnitPrice ' || "UnitPrice" || ' is negative (a bad-debt adjustment, not a sale)'
        when qty = 0 then 'Quantity is 0'
        when not cancelled and qty < 0 then 'Quantity ' || qty || ' on invoice ' || "InvoiceNo" || ', which is not a cancellation (a stock adjustment, not a sale)'
      end as reason
    from v`, { zone: context.timeZone });
  // The rejected rows as they were in the file (rebuilt with CSV quoting where needed).
  const rejects = (await connection.runAndReadAll(`select r.line, r.reason, ${columns.map((c) => csvField(`w."${c}"`)).join(` || ',' || `)}
    from r_rows r join r_raw w on w.rowid = r.rid where r.reason is not null order by r.line`)).getRows()
    .map(([at, reason, raw]) => ({ line: Number(at), reason: String(reason), raw: String(raw), rows: 1 }));

  await connection.run(`set variable hearth_import_currency = $currency`, { currency: context.currency });
  // Customers, products, invoices: the first accepted row gives their fields (as in the streaming parser).
  await connection.run(`
    create or replace temp view r_ok as select * from r_rows where reason is null;
    create or replace temp table s_customers as
      select cast(row_number() over (order by min(line)) - 1 as integer) as ord, customer as external_id, true as given,
        16 as mask, cast(null as varchar) as email, cast(null as varchar) as first_name, cast(null as varchar) as last_name,
        cast(null as varchar) as phone, nullif(arg_min("Country", line), '') as country, cast(null as varchar) as city,
        false as accepts_marketing, cast([] as varchar[]) as tags, '{}' as attributes,
        min(ts) filter (where not cancelled) as created_at,
        ${['email_consent', 'email_consent_at', 'email_consent_source', 'sms_consent', 'sms_consent_at', 'sms_consent_source', 'birthday', 'language', 'timezone']
    .map((column) => `cast(null as ${column.endsWith('_at') ? 'timestamp' : 'varchar'}) as ${column}`).join(', ')}
      from r_ok where customer is not null group by customer;
    create or replace temp table s_products as
      select cast(row_number() over (order by min(line)) - 1 as integer) as ord, "StockCode" as external_id, true as given,
        13 as mask, coalesce(arg_min("Description", line) filter (where "Description" <> ''), "StockCode") as title,
        cast(null as varchar) as category,
        coalesce(arg_min(price, line) filter (where "Description" <> ''), arg_min(price, line)) as price,
        getvariable('hearth_import_currency') as currency, cast(null as varchar) as image_url,
        cast(null as boolean) as published, cast(null as timestamp) as published_at, cast(null as bigint) as inventory_quantity
      from r_ok group by "StockCode";
    create or replace temp table s_variants (ord integer, product_external_id varchar, external_id varchar, mask integer, sku varchar, title varchar, price bigint,
      inventory_quantity bigint);
    create or replace temp table r_invoices as
      select "InvoiceNo" as external_id, any_value(cancelled) as cancelled, arg_min(customer, line) as customer,
        min(ts) as placed_at, arg_min(ts, line) as first_at, sum(abs(qty) * price) as amount, min(line) as first_line
      from r_ok group by "InvoiceNo";
    create or replace temp table r_ord as
      select external_id, cast(row_number() over (partition by cancelled order by first_line) - 1 as integer) as ord from r_invoices;
    create or replace temp table s_orders as
      select o.ord, i.external_id, i.customer as customer_external_id, i.placed_at, getvariable('hearth_import_currency') as currency, i.amount as subtotal,
        cast(0 as bigint) as discount, cast(0 as bigint) as shipping, cast(0 as bigint) as tax, i.amount as total,
        cast([] as varchar[]) as discount_codes, cast(null as varchar) as channel, 'paid' as status, cast(null as timestamp) as source_updated_at,
        cast(null as varchar) as payment_method
      from r_invoices i join r_ord o using (external_id) where not i.cancelled;
    create or replace temp table s_lines as
      select o.ord, cast(row_number() over (partition by r."InvoiceNo" order by r.line) as integer) as line_no,
        r."StockCode" as product_external_id, cast(null as varchar) as variant_external_id, r."StockCode" as sku,
        coalesce(nullif(r."Description", ''), r."StockCode") as title, cast(r.qty as integer) as quantity,
        r.price as unit_price, r.qty * r.price as total
      from r_ok r join r_ord o on o.external_id = r."InvoiceNo" where not r.cancelled;
    create or replace temp table s_returns as
      select o.ord, i.external_id, cast(null as varchar) as order_external_id, i.customer as customer_external_id,
        i.first_at as returned_at, getvariable('hearth_import_currency') as currency, i.amount as amount, 'cancelled invoice' as reason
      from r_invoices i join r_ord o using (external_id) where i.cancelled;
    create or replace temp table s_return_lines as
      select o.ord, cast(row_number() over (partition by r."InvoiceNo" order by r.line) as integer) as line_no,
        r."StockCode" as product_external_id, r."StockCode" as sku, cast(-r.qty as integer) as quantity, -r.qty * r.price as amount
      from r_ok r join r_ord o on o.external_id = r."InvoiceNo" where r.cancelled`);
  const [counts] = (await connection.runAndReadAll(`select (select count(*) from r_raw), (select count(*) from s_customers), (select count(*) from s_products),
    (select count(*) from s_orders), (select count(*) from s_lines), (select count(*) from s_returns), (select count(*) from s_return_lines)`)).getRows();
  const [rowsRead, customers, products, orders, lines, returns, returnLines] = counts!.map(Number) as number[];
  await connection.run('drop view if exists r_ok; drop table if exists r_raw; drop table if exists r_rows; drop table if exists r_invoices; drop table if exists r_ord');
  return {
    rowsRead: rowsRead!,
    rejects,
    staged: {
      counts: { customers: customers!, products: products!, variants: 0, orders: orders!, lines: lines!, returns: returns!, returnLines: returnLines!,
        orderRefs: 0, fulfillments: 0, checkouts: 0 },
      lineVariants: false,
    },
  };
}
