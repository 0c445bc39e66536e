/**
 * Loads a validated batch into temporary staging tables on the writer connection with DuckDB's
 * appender, a vector of rows at a time (columnar bulk load, no per-row SQL), so the merge that
 * follows is a handful of set-based statements however big the batch is.
 *
 * Before staging, entities repeated within the batch are collapsed (customers field by field,
 * everything else last-wins), and customers / products that orders, returns or lines refer to but
 * the batch does not carry are added as bare references, so the merge can create them.
 */
import {
  BIGINT, BOOLEAN, DuckDBDataChunk, INTEGER, LIST, TIMESTAMP, VARCHAR, listValue, timestampValue,
  type DuckDBAppender, type DuckDBConnection, type DuckDBType, type DuckDBValue,
} from '@duckdb/node-api';
import type { CustomerInput, ProductInput, VariantInput } from './commerce.input.js';
import type { NormalBatch, NormalOrder, NormalReturn } from './commerce.validation.js';
import { checkoutRows, collectCheckouts, collectFulfillments, fulfillmentRows, lifecycleStaging, orderRefRows } from './lifecycle.staging.js';

export type ColumnType = 'integer' | 'bigint' | 'varchar' | 'boolean' | 'timestamp' | 'varchar[]';
export type Value = string | number | boolean | Date | string[] | null | undefined;

export interface StagingTable {
  name: string;
  columns: readonly (readonly [string, ColumnType])[];
}

/**
 * Fields whose update is optional: an absent field keeps the stored value, a present one (even
 * null) replaces it. Each field is one bit of the staged row's `mask`.
 */
export const customerFields = ['email', 'first_name', 'last_name', 'phone', 'country', 'city', 'accepts_marketing', 'tags', 'attributes',
  'email_consent', 'email_consent_at', 'email_consent_source', 'sms_consent', 'sms_consent_at', 'sms_consent_source', 'birthday', 'language', 'timezone'] as const;
export const productFields = ['title', 'category', 'price', 'currency', 'image_url', 'published', 'published_at', 'inventory_quantity'] as const;
export const variantFields = ['sku', 'title', 'price', 'inventory_quantity'] as const;

export const staging = {
  customers: {
    name: 's_customers',
    columns: [['ord', 'integer'], ['external_id', 'varchar'], ['given', 'boolean'], ['mask', 'integer'], ['email', 'varchar'],
      ['first_name', 'varchar'], ['last_name', 'varchar'], ['phone', 'varchar'], ['country', 'varchar'], ['city', 'varchar'],
      ['accepts_marketing', 'boolean'], ['tags', 'varchar[]'], ['attributes', 'varchar'], ['created_at', 'timestamp'],
      ['email_consent', 'varchar'], ['email_consent_at', 'timestamp'], ['email_consent_source', 'varchar'],
      ['sms_consent', 'varchar'], ['sms_consent_at', 'timestamp'], ['sms_consent_source', 'varchar'],
      ['birthday', 'varchar'], ['language', 'varchar'], ['timezone', 'varchar']],
  },
  products: {
    name: 's_products',
    columns: [['ord', 'integer'], ['external_id', 'varchar'], ['given', 'boolean'], ['mask', 'integer'], ['title', 'varchar'],
      ['category', 'varchar'], ['price', 'bigint'], ['currency', 'varchar'], ['image_url', 'varchar'],
      ['published', 'boolean'], ['published_at', 'timestamp'], ['inventory_quantity', 'bigint']],
  },
  variants: {
    name: 's_variants',
    columns: [['ord', 'integer'], ['product_external_id', 'varchar'], ['external_id', 'varchar'], ['mask', 'integer'],
      ['sku', 'varchar'], ['title', 'varchar'], ['price', 'bigint'], ['inventory_quantity', 'bigint']],
  },
  orders: {
    name: 's_orders',
    columns: [['ord', 'integer'], ['external_id', 'varchar'], ['customer_external_id', 'varchar'], ['placed_at', 'timestamp'],
      ['currency', 'varchar'], ['subtotal', 'bigint'], ['discount', 'bigint'], ['shipping', 'bigint'], ['tax', 'bigint'],
      ['total', 'bigint'], ['discount_codes', 'varchar[]'], ['channel', 'varchar'], ['status', 'varchar'], ['source_updated_at', 'timestamp'],
      ['payment_method', 'varchar']],
  },
  lines: {
    name: 's_lines',
    columns: [['ord', 'integer'], ['line_no', 'integer'], ['product_external_id', 'varchar'], ['variant_external_id', 'varchar'],
      ['sku', 'varchar'], ['title', 'varchar'], ['quantity', 'integer'], ['unit_price', 'bigint'], ['total', 'bigint']],
  },
  returns: {
    name: 's_returns',
    columns: [['ord', 'integer'], ['external_id', 'varchar'], ['order_external_id', 'varchar'], ['customer_external_id', 'varchar'],
      ['returned_at', 'timestamp'], ['currency', 'varchar'], ['amount', 'bigint'], ['reason', 'varchar']],
  },
  returnLines: {
    name: 's_return_lines',
    columns: [['ord', 'integer'], ['line_no', 'integer'], ['product_external_id', 'varchar'], ['sku', 'varchar'],
      ['quantity', 'integer'], ['amount', 'bigint']],
  },
  ...lifecycleStaging,
} as const satisfies Record<string, StagingTable>;

export type StagedCounts = Record<keyof typeof staging, number>;

export function maskOf(item: object, fields: readonly string[]): number {
  let mask = 0;
  fields.forEach((field, bit) => {
    if ((item as Record<string, unknown>)[field] !== undefined) mask |= 1 << bit;
  });
  return mask;
}

const earliest = (a: Date | undefined, b: Date | undefined): Date | undefined => (!a ? b : !b ? a : a <= b ? a : b);

export interface StagedCustomer { input: CustomerInput; given: boolean; mask: number; createdAt: Date | undefined }
export interface StagedProduct { input: ProductInput; given: boolean; mask: number; variants: Map<string, { input: VariantInput; mask: number }> }

/** Customers merged by external id; a later occurrence's present fields win. */
export function collectCustomers(batch: NormalBatch): Map<string, StagedCustomer> {
  const byId = new Map<string, StagedCustomer>();
  for (const input of batch.customers) {
    const prior = byId.get(input.external_id);
    const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as CustomerInput;
    byId.set(input.external_id, {
      input: prior ? { ...prior.input, ...defined } : defined,
      given: true,
      mask: (prior?.mask ?? 0) | maskOf(input, customerFields),
      createdAt: earliest(prior?.createdAt, input.created_at),
    });
  }
  // A customer's first order bounds their creation time; orders also create customers not yet known.
  for (const order of batch.orders) {
    if (!order.customer_external_id) continue;
    const known = byId.get(order.customer_external_id);
    if (known) known.createdAt = earliest(known.createdAt, order.placed_at);
    else byId.set(order.customer_external_id, { input: { external_id: order.customer_external_id }, given: false, mask: 0, createdAt: order.placed_at });
  }
  for (const item of batch.returns) {
    if (item.customer_external_id && !byId.has(item.customer_external_id)) {
      byId.set(item.customer_external_id, { input: { external_id: item.customer_external_id }, given: false, mask: 0, createdAt: item.returned_at });
    }
  }
  for (const item of batch.checkouts) {
    if (item.customer_external_id && !byId.has(item.customer_external_id)) {
      byId.set(item.customer_external_id, { input: { external_id: item.customer_external_id }, given: false, mask: 0, createdAt: undefined });
    }
  }
  return byId;
}

export function collectProducts(batch: NormalBatch): Map<string, StagedProduct> {
  const byId = new Map<string, StagedProduct>();
  for (const input of batch.products) {
    const variants = new Map<string, { input: VariantInput; mask: number }>();
    for (const variant of input.variants ?? []) variants.set(variant.external_id, { input: variant, mask: maskOf(variant, variantFields) });
    byId.set(input.external_id, { input, given: true, mask: maskOf(input, productFields), variants });
  }
  // Products only named by order or return lines are created bare, titled by the line.
  const reference = (externalId: string | null | undefined, title: string | null | undefined) => {
    if (!externalId || byId.has(externalId)) return;
    byId.set(externalId, { input: { external_id: externalId, title: title || externalId }, given: false, mask: 0, variants: new Map() });
  };
  for (const order of batch.orders) for (const line of order.lines) reference(line.product_external_id, line.title ?? line.sku);
  for (const item of batch.returns) for (const line of item.lines) reference(line.product_external_id, line.sku);
  // A line naming its product's variant creates that variant when the store does not know it yet
  // (with the line's SKU); a stored variant is only referred to (mask 0 changes none of its fields).
  for (const order of batch.orders) {
    for (const line of order.lines) {
      if (!line.product_external_id || !line.variant_external_id) continue;
      const product = byId.get(line.product_external_id)!;
      if (!product.variants.has(line.variant_external_id)) {
        product.variants.set(line.variant_external_id, { input: { external_id: line.variant_external_id, sku: line.sku ?? null }, mask: 0 });
      }
    }
  }
  return byId;
}

export function lastWins<T extends { external_id: string }>(items: T[]): T[] {
  const byId = new Map<string, T>();
  for (const item of items) {
    byId.delete(item.external_id);
    byId.set(item.external_id, item);
  }
  return [...byId.values()];
}

const VARCHAR_LIST = LIST(VARCHAR);
const duckTypes: Record<ColumnType, DuckDBType> = {
  integer: INTEGER, bigint: BIGINT, varchar: VARCHAR, boolean: BOOLEAN, timestamp: TIMESTAMP, 'varchar[]': VARCHAR_LIST,
};
/** Rows per appended chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;

function toDuck(type: ColumnType, value: Value): DuckDBValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'bigint': return BigInt(value as number);
    case 'timestamp': return timestampValue(BigInt((value as Date).getTime()) * 1000n);
    case 'varchar[]': return listValue(value as string[]);
    default: return value as DuckDBValue;
  }
}

/**
 * Appends rows to one staging table a column at a time, one vector-sized chunk per call: a numeric
 * or time column goes to DuckDB as one typed-array copy instead of one native call per value
 * (strings still cross one by one). Per-value appending was most of the cost of writing an import
 * batch. Rows are buffered until a vector is full, so a producer may stream any number of them.
 */
export class VectorAppender {
  /** One chunk, refilled: the appender copies what it is given. */
  private readonly chunk: DuckDBDataChunk;
  private readonly types: ColumnType[];
  private columns: DuckDBValue[][];
  private size = 0;
  /** Rows added so far. */
  rows = 0;

  private constructor(table: StagingTable, private readonly appender: DuckDBAppender) {
    this.types = table.columns.map(([, type]) => type);
    this.chunk = DuckDBDataChunk.create(this.types.map((type) => duckTypes[type]));
    this.columns = this.types.map(() => new Array<DuckDBValue>(CHUNK_ROWS));
  }

  static async open(connection: DuckDBConnection, table: StagingTable): Promise<VectorAppender> {
    return new VectorAppender(table, await connection.createAppender(table.name, 'main', 'temp'));
  }

  /** Values in the table's column order. */
  add(values: readonly Value[]): void {
    const { columns, types, size } = this;
    for (let column = 0; column < types.length; column += 1) columns[column]![size] = toDuck(types[column]!, values[column]);
    this.size = size + 1;
    this.rows += 1;
    if (this.size === CHUNK_ROWS) this.flushChunk();
  }

  private flushChunk(): void {
    if (this.size === 0) return;
    const { chunk, size } = this;
    chunk.reset();
    chunk.rowCount = size;
    this.columns.forEach((values, column) => chunk.setColumnValues(column, size === CHUNK_ROWS ? values : values.slice(0, size)));
    this.appender.appendDataChunk(chunk);
    this.size = 0;
  }

  /** Appends what is buffered and closes the appender. */
  close(): void {
    try {
      this.flushChunk();
      this.appender.flushSync();
    } finally {
      this.appender.closeSync();
    }
  }

  /** Drops buffered rows after a failure (the transaction's rollback drops the rest). */
  abandon(): void {
    this.size = 0;
    try {
      this.appender.closeSync();
    } catch {
      // The appender may already be invalid after the error that brought us here.
    }
  }
}

/** Appends the rows to a staging table created beforehand; returns how many. */
async function stage(connection: DuckDBConnection, table: StagingTable, rows: Value[][]): Promise<number> {
  if (rows.length === 0) return 0;
  const appender = await VectorAppender.open(connection, table);
  for (const row of rows) appender.add(row);
  appender.close();
  return rows.length;
}

export const createSql = (table: StagingTable): string =>
  `create or replace temp table ${table.name} (${table.columns.map(([name, type]) => `${name} ${type}`).join(', ')})`;

/** A customer's staging row, in `staging.customers` column order. */
export function customerValues(ord: number, c: CustomerInput, given: boolean, mask: number, createdAt: Date | undefined): Value[] {
  return [ord, c.external_id, given, mask, c.email, c.first_name, c.last_name, c.phone, c.country, c.city,
    c.accepts_marketing ?? false, c.tags ?? [], JSON.stringify(c.attributes ?? {}), createdAt,
    c.email_consent?.status, c.email_consent?.at, c.email_consent?.source, c.sms_consent?.status, c.sms_consent?.at, c.sms_consent?.source,
    c.birthday, c.language, c.timezone];
}

function* customerRows(customers: Map<string, StagedCustomer>): Generator<Value[]> {
  let ord = 0;
  for (const { input: c, given, mask, createdAt } of customers.values()) yield customerValues(ord++, c, given, mask, createdAt);
}

function* productRows(products: Map<string, StagedProduct>): Generator<Value[]> {
  let ord = 0;
  for (const { input: p, given, mask } of products.values()) {
    yield [ord++, p.external_id, given, mask, p.title, p.category, p.price, p.currency, p.image_url, p.published, p.published_at, p.inventory_quantity];
  }
}

function* variantRows(products: Map<string, StagedProduct>): Generator<Value[]> {
  let ord = 0;
  const seen = new Set<string>();
  // A variant listed under two products of one batch belongs to the later one.
  const all = [...products.values()].flatMap((p) => [...p.variants.values()].map((v) => ({ product: p.input.external_id, ...v })));
  for (let i = all.length - 1; i >= 0; i -= 1) {
    const { product, input: v, mask } = all[i]!;
    if (seen.has(v.external_id)) continue;
    seen.add(v.external_id);
    yield [ord++, product, v.external_id, mask, v.sku, v.title, v.price, v.inventory_quantity];
  }
}

function* orderRows(orders: NormalOrder[]): Generator<Value[]> {
  for (let ord = 0; ord < orders.length; ord += 1) {
    const o = orders[ord]!;
    yield [ord, o.external_id, o.customer_external_id || null, o.placed_at, o.currency, o.subtotal, o.discount, o.shipping,
      o.tax, o.total, o.discount_codes ?? [], o.channel, o.status, o.source_updated_at ?? null, o.payment_method ?? null];
  }
}

function* lineRows(orders: NormalOrder[]): Generator<Value[]> {
  for (let ord = 0; ord < orders.length; ord += 1) {
    const lines = orders[ord]!.lines;
    for (let j = 0; j < lines.length; j += 1) {
      const l = lines[j]!;
      yield [ord, j + 1, l.product_external_id, l.variant_external_id, l.sku, l.title, l.quantity, l.unit_price, l.total];
    }
  }
}

function* returnRows(returns: NormalReturn[]): Generator<Value[]> {
  for (let ord = 0; ord < returns.length; ord += 1) {
    const r = returns[ord]!;
    yield [ord, r.external_id, r.order_external_id || null, r.customer_external_id || null, r.returned_at, r.currency, r.amount, r.reason];
  }
}

function* returnLineRows(returns: NormalReturn[]): Generator<Value[]> {
  for (let ord = 0; ord < returns.length; ord += 1) {
    const lines = returns[ord]!.lines;
    for (let j = 0; j < lines.length; j += 1) {
      const l = lines[j]!;
      yield [ord, j + 1, l.product_external_id, l.sku, l.quantity, l.amount];
    }
  }
}

export interface Staged {
  /** Rows in each staging table (tables a producer did not create count 0). */
  counts: StagedCounts;
  /** Whether any order line names a variant (else lines need no variant lookup). */
  lineVariants: boolean;
}

/** Stages the batch (the tables it needs are created in one call); returns what was staged. */
export async function stageBatch(connection: DuckDBConnection, batch: NormalBatch): Promise<Staged> {
  const customers = collectCustomers(batch);
  const products = collectProducts(batch);
  const orders = lastWins(batch.orders);
  const returns = lastWins(batch.returns);
  const rows: Record<keyof typeof staging, Value[][]> = {
    customers: [...customerRows(customers)],
    products: [...productRows(products)],
    variants: [...variantRows(products)],
    orders: [...orderRows(orders)],
    lines: [...lineRows(orders)],
    returns: [...returnRows(returns)],
    returnLines: [...returnLineRows(returns)],
    orderRefs: [...orderRefRows(orders)],
    fulfillments: [...fulfillmentRows(collectFulfillments(batch.fulfillments))],
    checkouts: [...checkoutRows(collectCheckouts(batch.checkouts))],
  };
  // Returns are resolved against the batch's orders, so the order tables exist whenever either does.
  const ordersNeeded = rows.orders.length > 0 || rows.returns.length > 0;
  const needed = (Object.keys(staging) as (keyof typeof staging)[]).filter((key) => rows[key].length > 0
    || ((key === 'orders' || key === 'lines') && ordersNeeded) || (key === 'returnLines' && rows.returns.length > 0));
  if (needed.length > 0) await connection.run(needed.map((key) => createSql(staging[key])).join(';\n'));
  const counts = {} as StagedCounts;
  for (const key of Object.keys(staging) as (keyof typeof staging)[]) counts[key] = await stage(connection, staging[key], rows[key]);
  return { counts, lineVariants: orders.some((o) => o.lines.some((l) => !!l.variant_external_id)) };
}

export const stagingTables: readonly string[] = Object.values(staging).map((table) => table.name);
