/**
 * The short way for a small batch that adds orders or re-sends unchanged ones (a webhook's new
 * order, a PUT, a retried request): one lookup of the batch's external ids (plus the stored
 * orders it names), then one INSERT per table that gains rows — a handful of statements instead
 * of the merge's twenty-odd, which are most of a single write's time.
 *
 * It applies only when the result is certain without the merge: no returns, fulfilments, checkouts or
 * checkout ids, no variants, every
 * order new or exactly as stored, and every customer or product either new or only referred to (an
 * order naming a stored customer whose record is not earlier than the order). Anything else returns
 * undefined and the batch takes the general path in the same transaction. What is written and
 * counted is exactly what the merge writes for such a batch (`data-merge.ts`): defaults, ids from
 * the same sequences, first-order creation times, status `paid` unless given, the same summary.
 */
import { timestampOf } from '../../db/timestamps.js';
import {
  BIGINT, DuckDBTimestampValue, LIST, VARCHAR, listValue, type DuckDBConnection, type DuckDBType, type DuckDBValue, type JS,
} from '@duckdb/node-api';
import { directEventsSql } from './commerce.events.js';
import { collectCustomers, collectProducts, lastWins } from './commerce.staging.js';
import type { NormalBatch, NormalOrder } from './commerce.validation.js';
import type { ConsentInput, WriteSummary } from './commerce.input.js';

/** Above this many orders or referenced entities the merge's fixed cost no longer dominates. */
export const DIRECT_MAX_ENTITIES = 50;

const VARCHAR_LIST = LIST(VARCHAR);
const BIGINT_LIST = LIST(BIGINT);
const micros = timestampOf;

/** Named parameters, with the types DuckDB cannot infer (lists, possibly empty). */
class Params {
  readonly values: Record<string, DuckDBValue> = {};
  readonly types: Record<string, DuckDBType | undefined> = {};
  private count = 0;

  add(value: DuckDBValue, cast: string): string {
    const name = `p${(this.count += 1)}`;
    this.values[name] = value;
    return `$${name}::${cast}`;
  }

  list(items: readonly string[]): string {
    const name = `p${(this.count += 1)}`;
    this.values[name] = listValue(items);
    this.types[name] = VARCHAR_LIST;
    return `$${name}`;
  }

  text(value: string | null | undefined): string {
    return this.add(value ?? null, 'varchar');
  }

  int(value: number | null | undefined): string {
    return this.add(value === null || value === undefined ? null : BigInt(value), 'bigint');
  }
}

interface Stored { id: number; /** Microseconds, as stored. */ createdAt: bigint | null }

/**
 * Smallest stored id (and creation time) per external id of the store, per kind — as `existing()`
 * in the merge picks. A literal IN list is a filter on the scan (about 5 ms at a million orders),
 * where a semi-join with a list would hash the whole table; DuckDB does not use an ART index on
 * (store_id, external_id) for this filter, so there is none (it would slow bulk loads by half).
 */
async function lookup(connection: DuckDBConnection, storeId: string, ids: Record<'customers' | 'products' | 'orders' | 'checkoutRefs', string[]>) {
  const params = new Params();
  const store = params.text(storeId);
  const parts: string[] = (['customers', 'products', 'orders'] as const).filter((kind) => ids[kind].length > 0).map((kind) =>
    `select '${kind}' as kind, external_id, min(id) as id, ${kind === 'customers' ? 'min_by(created_at, id)' : 'null::timestamp'} as created_at
     from ${kind} where store_id = ${store} and external_id in (${ids[kind].map((id) => params.text(id)).join(', ')}) group by external_id`);
  // Returns that came before these orders wait to be attached, which only the merge does.
  if (ids.orders.length > 0) {
    parts.push(`select 'orphans' as kind, order_external_id as external_id, min(id) as id, null::timestamp as created_at
     from returns where store_id = ${store} and order_id is null and order_external_id in (${ids.orders.map((id) => params.text(id)).join(', ')})
     group by order_external_id`);
    // So do fulfilments.
    parts.push(`select 'orphans' as kind, order_external_id as external_id, min(id) as id, null::timestamp as created_at
     from fulfillments where store_id = ${store} and order_id is null and order_external_id in (${ids.orders.map((id) => params.text(id)).join(', ')})
     group by order_external_id`);
  }
  // Open checkouts these orders complete: completing them (and its domain events) is the merge's.
  if (ids.checkoutRefs.length > 0) {
    const refs = ids.checkoutRefs.map((id) => params.text(id)).join(', ');
    parts.push(`select 'orphans' as kind, external_id, min(id) as id, null::timestamp as created_at
     from checkouts where store_id = ${store} and (completed_at is null or order_id is null) and (external_id in (${refs}) or cart_id in (${refs}))
     group by external_id`);
  }
  const found = { customers: new Map<string, Stored>(), products: new Map<string, Stored>(), orders: new Map<string, Stored>(), orphans: new Map<string, Stored>() };
  if (parts.length === 0) return found;
  const reader = await connection.runAndReadAll(parts.join('\nunion all\n'), params.values, params.types);
  for (const [kind, externalId, id, createdAt] of reader.getRows()) {
    found[kind as keyof typeof found].set(String(externalId), { id: Number(id), createdAt: createdAt instanceof DuckDBTimestampValue ? createdAt.micros : null });
  }
  return found;
}

/** Whether any of these new customer ids is a recorded alias, or any of their emails a stored customer's. */
async function mayBeKnown(connection: DuckDBConnection, storeId: string, customers: { external_id: string; email?: string | null }[]): Promise<boolean> {
  const params = new Params();
  const store = params.text(storeId);
  const emails = customers.flatMap((c) => (c.email ? [c.email] : []));
  const parts = [`select 1 from customer_aliases where store_id = ${store} and alias in (${customers.map((c) => params.text(c.external_id)).join(', ')})`];
  if (emails.length > 0) parts.push(`select 1 from customers where store_id = ${store} and lower(email) in (${emails.map((e) => params.text(e)).join(', ')})`);
  const reader = await connection.runAndReadAll(`${parts.join(' union all ')} limit 1`, params.values, params.types);
  return reader.getRows().length > 0;
}

/** Stands for the id a new row would get: equal to no stored id. */
const NEW = -1;

interface StoredOrder {
  row: Record<string, JS>;
  lines: Record<string, JS>[];
}

/** The stored orders with these ids: their fields, refunded amount and lines, as the merge compares them. */
async function storedOrders(connection: DuckDBConnection, storeId: string, ids: number[]): Promise<Map<number, StoredOrder>> {
  const params = new Params();
  const store = params.text(storeId);
  const list = ids.map((id) => params.int(id)).join(', ');
  const orders = await connection.runAndReadAll(`select o.id, o.customer_id, epoch_us(o.placed_at) as placed_at, o.currency, o.subtotal, o.discount,
      o.shipping, o.tax, o.total, o.discount_codes, o.channel, o.payment_method, o.status,
      (select coalesce(sum(r.amount), 0) from returns r where r.store_id = ${store} and r.order_id = o.id) as refunded
    from orders o where o.store_id = ${store} and o.id in (${list})`, params.values, params.types);
  const lines = await connection.runAndReadAll(`select order_id, line_no, product_id, variant_id, sku, title, quantity, unit_price, total
    from order_lines where store_id = ${store} and order_id in (${list}) order by order_id, line_no`, params.values, params.types);
  const found = new Map<number, StoredOrder>(orders.getRowObjectsJS().map((row) => [Number(row.id), { row, lines: [] }]));
  for (const line of lines.getRowObjectsJS()) found.get(Number(line.order_id))?.lines.push(line);
  return found;
}

/** SQL `is distinct from` over what the merge compares: numbers as integers, null and absent alike. */
const comparable = (value: JS | undefined): JS => (value === undefined || value === null ? null : typeof value === 'number' ? BigInt(value) : value);
const same = (stored: JS | undefined, staged: JS | undefined): boolean => comparable(stored) === comparable(staged);
const sameList = (stored: JS | undefined, staged: readonly string[]): boolean =>
  Array.isArray(stored) && stored.length === staged.length && stored.every((item, i) => item === staged[i]);

/**
 * True when writing the order would change nothing, by the merge's rules (`f_orders.changed`):
 * same fields, same status once stored refunds are applied, same lines.
 */
function unchanged(o: NormalOrder, stored: StoredOrder, customerId: number | null, productIds: Map<string, number>): boolean {
  const r = stored.row;
  const status = o.status ?? (r.status as string | null) ?? 'paid';
  const refunded = Number(r.refunded);
  const newStatus = refunded > 0 && status !== 'cancelled' ? (refunded >= o.total ? 'refunded' : 'partially_refunded') : status;
  const fieldsSame = same(r.customer_id, customerId) && r.placed_at === BigInt(o.placed_at.getTime()) * 1000n && same(r.currency, o.currency)
    && same(r.subtotal, o.subtotal) && same(r.discount, o.discount) && same(r.shipping, o.shipping) && same(r.tax, o.tax)
    && same(r.total, o.total) && sameList(r.discount_codes, o.discount_codes ?? []) && same(r.channel, o.channel)
    && same(r.payment_method, o.payment_method) && same(r.status, newStatus);
  return fieldsSame && stored.lines.length === o.lines.length && o.lines.every((l, j) => {
    const s = stored.lines[j]!;
    const productId = l.product_external_id ? productIds.get(l.product_external_id) ?? NEW : null;
    return same(s.line_no, j + 1) && same(s.product_id, productId) && s.variant_id === null && same(s.sku, l.sku) && same(s.title, l.title)
      && same(s.quantity, l.quantity) && same(s.unit_price, l.unit_price) && same(s.total, l.total);
  });
}

/** A new customer's consent on one channel: status, time, source (as the merge writes them). */
function consentValues(params: Params, consent: ConsentInput | undefined, now: Date, source: string): string {
  if (!consent) return `'never_asked', null, null`;
  return `${params.text(consent.status)}, ${params.add(micros(consent.at ?? now), 'timestamp')}, ${params.text(consent.source ?? source)}`;
}

/** Runs `insert ... values ... returning external_id, id`; returns the new ids by external id. */
async function insert(connection: DuckDBConnection, sql: string, params: Params): Promise<Map<string, number>> {
  const reader = await connection.runAndReadAll(`${sql} returning external_id, id`, params.values, params.types);
  return new Map(reader.getRows().map(([externalId, id]) => [String(externalId), Number(id)]));
}

/** Writes the batch the short way, or returns undefined when it needs the merge. */
export async function writeDirect(connection: DuckDBConnection, storeId: string, batch: NormalBatch, now: Date, source: string): Promise<WriteSummary | undefined> {
  if (batch.returns.length > 0 || batch.orders.length > DIRECT_MAX_ENTITIES) return undefined;
  // Fulfilments, checkouts and orders completing open checkouts take the merge (`lifecycle.merge.ts`).
  if (batch.fulfillments.length > 0 || batch.checkouts.length > 0) return undefined;
  if (batch.orders.some((o) => o.lines.some((l) => l.variant_external_id))) return undefined;
  // Variants, publication and stock go through the merge (the direct insert writes the card fields only).
  if (batch.products.some((p) => (p.variants?.length ?? 0) > 0 || p.published != null || p.published_at != null || p.inventory_quantity != null)) return undefined;
  const customers = collectCustomers(batch);
  const products = collectProducts(batch);
  const orders = lastWins(batch.orders);
  if (customers.size > DIRECT_MAX_ENTITIES || products.size > 4 * DIRECT_MAX_ENTITIES) return undefined;

  const checkoutRefs = [...new Set(orders.flatMap((o) => o.checkout_ids ?? []))];
  const stored = await lookup(connection, storeId, {
    customers: [...customers.keys()], products: [...products.keys()], orders: orders.map((o) => o.external_id), checkoutRefs,
  });
  for (const [id, c] of customers) {
    const known = stored.customers.get(id);
    // A stored customer stays as it is only when the batch just names them and does not move their creation earlier.
    if (known && (c.given || (c.createdAt && known.createdAt !== null && BigInt(c.createdAt.getTime()) * 1000n < known.createdAt))) return undefined;
  }
  for (const [id, p] of products) if (p.given && stored.products.has(id)) return undefined;
  if (stored.orphans.size > 0) return undefined;
  // A new id that may name a stored customer (an alias, a known email or a phone) needs identity resolution.
  const fresh = [...customers.values()].filter((c) => !stored.customers.has(c.input.external_id)).map((c) => c.input);
  if (fresh.some((c) => c.phone)) return undefined;
  if (fresh.length > 0 && await mayBeKnown(connection, storeId, fresh)) return undefined;

  // Orders already stored must be unchanged (the merge handles changes); they are counted, not written.
  // Everything is checked before anything is written: a batch that falls back must find the store as it was.
  const storedProducts = new Map([...stored.products].map(([id, p]) => [id, p.id]));
  if (stored.orders.size > 0) {
    const details = await storedOrders(connection, storeId, [...stored.orders.values()].map((o) => o.id));
    for (const o of orders) {
      const known = stored.orders.get(o.external_id);
      if (!known) continue;
      // A customer or product new to the store gets a new id, so an order naming one has changed.
      const customerId = o.customer_external_id ? stored.customers.get(o.customer_external_id)?.id ?? NEW : null;
      const detail = details.get(known.id);
      if (!detail || !unchanged(o, detail, customerId, storedProducts)) return undefined;
    }
  }
  const summary: WriteSummary = {
    customers: { created: 0, updated: 0, unchanged: 0 }, products: { created: 0, updated: 0, unchanged: 0 },
    orders: { created: 0, updated: 0, unchanged: 0 }, returns: { created: 0, updated: 0, unchanged: 0 },
  };
  const customerIds = new Map([...stored.customers].map(([id, s]) => [id, s.id]));
  const newCustomerIds: number[] = [];
  const newOrderIds: number[] = [];
  const newCustomers = [...customers.values()].filter((c) => !stored.customers.has(c.input.external_id));
  if (newCustomers.length > 0) {
    const params = new Params();
    const nowParam = params.add(micros(now), 'timestamp');
    const rows = newCustomers.map(({ input: c, createdAt }) => `(${params.text(storeId)}, nextval('customers_id_seq'), ${params.text(c.external_id)},
      ${params.text(c.email)}, ${params.text(c.first_name)}, ${params.text(c.last_name)}, ${params.text(c.phone)}, ${params.text(c.country)},
      ${params.text(c.city)}, ${params.add(c.accepts_marketing ?? false, 'boolean')}, ${params.list(c.tags ?? [])},
      ${params.text(JSON.stringify(c.attributes ?? {}))}, ${params.add(micros(createdAt ?? now), 'timestamp')}, ${nowParam},
      ${consentValues(params, c.email_consent, now, source)}, ${consentValues(params, c.sms_consent, now, source)},
      ${params.text(c.birthday)}, ${params.text(c.language)}, ${params.text(c.timezone)})`);
    const ids = await insert(connection, `insert into customers (store_id, id, external_id, email, first_name, last_name, phone, country, city,
      accepts_marketing, tags, attributes, created_at, updated_at, email_consent, email_consent_at, email_consent_source,
      sms_consent, sms_consent_at, sms_consent_source, birthday, language, timezone) values ${rows.join(', ')}`, params);
    for (const [id, value] of ids) customerIds.set(id, value);
    newCustomerIds.push(...ids.values());
    summary.customers.created = newCustomers.length;
  }

  const productIds = new Map([...stored.products].map(([id, s]) => [id, s.id]));
  const newProducts = [...products.values()].filter((p) => !stored.products.has(p.input.external_id));
  if (newProducts.length > 0) {
    const params = new Params();
    const nowParam = params.add(micros(now), 'timestamp');
    const rows = newProducts.map(({ input: p }) => `(${params.text(storeId)}, nextval('products_id_seq'), ${params.text(p.external_id)},
      ${params.text(p.title)}, ${params.text(p.category)}, ${params.int(p.price)}, ${params.text(p.currency)}, ${params.text(p.image_url)}, ${nowParam}, ${nowParam})`);
    const ids = await insert(connection, `insert into products (store_id, id, external_id, title, category, price, currency, image_url, created_at, updated_at)
      values ${rows.join(', ')}`, params);
    for (const [id, value] of ids) productIds.set(id, value);
    summary.products.created = newProducts.length;
  }

  const newOrders = orders.filter((o) => !stored.orders.has(o.external_id));
  summary.orders.unchanged = orders.length - newOrders.length;
  if (newOrders.length > 0) {
    const params = new Params();
    const nowParam = params.add(micros(now), 'timestamp');
    const sourceParam = params.text(source);
    const rows = newOrders.map((o) => `(${params.text(storeId)}, nextval('orders_id_seq'), ${params.text(o.external_id)},
      ${params.int(o.customer_external_id ? customerIds.get(o.customer_external_id) : null)}, ${params.add(micros(o.placed_at), 'timestamp')},
      ${params.text(o.currency)}, ${params.int(o.subtotal)}, ${params.int(o.discount)}, ${params.int(o.shipping)}, ${params.int(o.tax)},
      ${params.int(o.total)}, ${params.list(o.discount_codes ?? [])}, ${params.text(o.channel)}, ${params.text(o.status ?? 'paid')},
      ${sourceParam}, ${nowParam}, ${nowParam}, ${params.add(o.source_updated_at ? micros(o.source_updated_at) : null, 'timestamp')},
      ${params.text(o.payment_method)})`);
    const orderIds = await insert(connection, `insert into orders (store_id, id, external_id, customer_id, placed_at, currency, subtotal, discount,
      shipping, tax, total, discount_codes, channel, status, source, created_at, updated_at, source_updated_at, payment_method) values ${rows.join(', ')}`, params);
    const lines = new Params();
    const lineRows = newOrders.flatMap((o) => o.lines.map((l, j) => `(${lines.text(storeId)}, ${lines.int(orderIds.get(o.external_id))}, ${j + 1},
      ${lines.int(l.product_external_id ? productIds.get(l.product_external_id) : null)}, null, ${lines.text(l.sku)}, ${lines.text(l.title)},
      ${lines.add(l.quantity, 'integer')}, ${lines.int(l.unit_price)}, ${lines.int(l.total)})`));
    if (lineRows.length > 0) {
      await connection.run(`insert into order_lines (store_id, order_id, line_no, product_id, variant_id, sku, title, quantity, unit_price, total)
        values ${lineRows.join(', ')}`, lines.values, lines.types);
    }
    summary.orders.created = newOrders.length;
    newOrderIds.push(...orderIds.values());
    // The checkout and cart ids the new orders name, so a checkout that arrives later is stored completed.
    const refs = new Params();
    const refRows = newOrders.flatMap((o) => [...new Set(o.checkout_ids ?? [])].map((ref) =>
      `(${refs.text(storeId)}, ${refs.text(ref)}, ${refs.int(orderIds.get(o.external_id))}, ${refs.add(micros(o.placed_at), 'timestamp')})`));
    if (refRows.length > 0) {
      await connection.run(`insert into checkout_orders (store_id, ref, order_id, placed_at) values ${refRows.join(', ')}`, refs.values, refs.types);
    }
  }
  await recordEvents(connection, storeId, source, newCustomerIds, newOrderIds);
  return summary;
}

/** customer.created and order.placed for what this write added, in the same transaction. */
async function recordEvents(connection: DuckDBConnection, storeId: string, source: string, customers: number[], orders: number[]): Promise<void> {
  const clock = micros(new Date());
  if (customers.length > 0) {
    await connection.run(directEventsSql.customers, { store: storeId, clock, customers: listValue(customers.map(BigInt)) }, { customers: BIGINT_LIST });
  }
  if (orders.length > 0) {
    await connection.run(directEventsSql.orders, { store: storeId, clock, source, orders: listValue(orders.map(BigInt)) }, { orders: BIGINT_LIST });
  }
}
