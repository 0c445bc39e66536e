/**
 * The staging tables filled as a stream, for a bulk producer that generates its rows rather than
 * reading them from a batch (the demo store): created inside the `fill` callback of
 * `CommerceService.writeStaged`, it takes rows one entity at a time, keyed by external ids, and
 * appends them a vector (2,048 rows) at a time, so memory stays bounded however many it writes.
 *
 * The rows are staged by the same rules as a batch (`stageBatch`): a field the producer sets is one
 * bit of the row's `mask`; order lines and return lines name their order or return by its `ord`;
 * customers and products that orders, returns or lines name but the producer did not add are
 * staged as bare references, and a customer's first order bounds their creation time. The rows are
 * trusted as checked (money in minor units, totals consistent); an external id added twice is a
 * bug of the producer and fails the write.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CustomerInput, ProductInput } from './commerce.input.js';
import { consentInStep } from './commerce.validation.js';
import {
  customerValues,
  createSql, customerFields, maskOf, productFields, staging, variantFields, VectorAppender, type Staged, type StagedCounts,
} from './commerce.staging.js';
import type { NormalOrder, NormalReturn } from './commerce.validation.js';
import type { CheckoutInput, FulfillmentInput } from './commerce.input.js';
import { checkoutRow, fulfillmentRow } from './lifecycle.staging.js';

type Key = keyof typeof staging;
const keys = Object.keys(staging) as Key[];

export class StagingSink {
  private lineVariants = false;
  private done = false;

  private constructor(private readonly connection: DuckDBConnection, private readonly tables: Record<Key, VectorAppender>) {}

  /** Creates every staging table (empty ones cost nothing: the merge skips what it does not need). */
  static async open(connection: DuckDBConnection): Promise<StagingSink> {
    await connection.run(keys.map((key) => createSql(staging[key])).join(';\n'));
    const tables = {} as Record<Key, VectorAppender>;
    try {
      for (const key of keys) tables[key] = await VectorAppender.open(connection, staging[key]);
    } catch (error) {
      for (const table of Object.values(tables)) table.abandon();
      throw error;
    }
    return new StagingSink(connection, tables);
  }

  /** A customer the producer describes; fields left undefined keep a stored customer's values. */
  addCustomer(given: CustomerInput): void {
    const { customers } = this.tables;
    const c = consentInStep(given);
    customers.add(customerValues(customers.rows, c, true, maskOf(c, customerFields), c.created_at));
  }

  /** A product with its variants. */
  addProduct(p: ProductInput): void {
    const { products, variants } = this.tables;
    products.add([products.rows, p.external_id, true, maskOf(p, productFields), p.title, p.category, p.price, p.currency, p.image_url,
      p.published, p.published_at, p.inventory_quantity]);
    for (const v of p.variants ?? []) variants.add([variants.rows, p.external_id, v.external_id, maskOf(v, variantFields), v.sku, v.title, v.price, v.inventory_quantity]);
  }

  /** An order with its lines (money already resolved: subtotal, total and line totals given). */
  addOrder(o: NormalOrder): void {
    const { orders, lines } = this.tables;
    const ord = orders.rows;
    orders.add([ord, o.external_id, o.customer_external_id || null, o.placed_at, o.currency, o.subtotal, o.discount, o.shipping,
      o.tax, o.total, o.discount_codes ?? [], o.channel, o.status, o.source_updated_at ?? null, o.payment_method ?? null]);
    o.lines.forEach((l, j) => {
      if (l.variant_external_id) this.lineVariants = true;
      lines.add([ord, j + 1, l.product_external_id, l.variant_external_id, l.sku, l.title, l.quantity, l.unit_price, l.total]);
    });
    for (const ref of new Set(o.checkout_ids ?? [])) this.tables.orderRefs.add([ord, ref]);
  }

  /** A fulfilment (checked); its order is named by external id. */
  addFulfillment(f: FulfillmentInput): void {
    this.tables.fulfillments.add(fulfillmentRow(this.tables.fulfillments.rows, f));
  }

  /** A checkout (checked, value given); its customer is named by external id. */
  addCheckout(c: CheckoutInput): void {
    this.tables.checkouts.add(checkoutRow(this.tables.checkouts.rows, c));
  }

  /** A return with its lines; its order is named by external id (in this write or already stored). */
  addReturn(r: NormalReturn): void {
    const { returns, returnLines } = this.tables;
    const ord = returns.rows;
    returns.add([ord, r.external_id, r.order_external_id || null, r.customer_external_id || null, r.returned_at, r.currency, r.amount, r.reason]);
    r.lines.forEach((l, j) => returnLines.add([ord, j + 1, l.product_external_id, l.sku, l.quantity, l.amount]));
  }

  /** Appends what is buffered, stages the bare references and checks the keys; returns what the merge needs. */
  async finish(): Promise<Staged> {
    this.done = true;
    for (const table of Object.values(this.tables)) table.close();
    const counts = Object.fromEntries(keys.map((key) => [key, this.tables[key].rows])) as StagedCounts;
    const added = await this.addReferences(counts);
    counts.customers += added.customers;
    counts.products += added.products;
    await this.checkKeys();
    return { counts, lineVariants: this.lineVariants };
  }

  /** Closes the appenders after a failure; the write's rollback drops the tables. */
  abandon(): void {
    if (this.done) return;
    this.done = true;
    for (const table of Object.values(this.tables)) table.abandon();
  }

  /**
   * As `collectCustomers` / `collectProducts` do for a batch: the first order bounds a customer's
   * creation time; customers named only by orders or returns, and products named only by lines,
   * are staged bare (given false, no field set) after the ones added.
   */
  private async addReferences(counts: StagedCounts): Promise<{ customers: number; products: number }> {
    if (counts.orders + counts.returns + counts.checkouts === 0) return { customers: 0, products: 0 };
    const reader = await this.connection.runAndReadAll(`
      create or replace temp table s_first_orders as
        select customer_external_id as external_id, min(placed_at) as first_at from s_orders where customer_external_id is not null group by 1;
      update s_customers set created_at = f.first_at from s_first_orders f
        where f.external_id = s_customers.external_id and (s_customers.created_at is null or f.first_at < s_customers.created_at);
      insert into s_customers (ord, external_id, given, mask, accepts_marketing, tags, attributes, created_at)
        select ${counts.customers} + row_number() over (order by min(kind), external_id) - 1, external_id, false, 0, false, [], '{}', min(first_at)
        from (select external_id, first_at, 0 as kind from s_first_orders
              union all select customer_external_id, returned_at, 1 from s_returns where customer_external_id is not null
              union all select customer_external_id, null, 2 from s_checkouts where customer_external_id is not null)
        where external_id not in (select external_id from s_customers) group by external_id;
      insert into s_products (ord, external_id, given, mask, title)
        select ${counts.products} + row_number() over (order by min(position), external_id) - 1, external_id, false, 0,
          coalesce(nullif(arg_min(title, position), ''), external_id)
        from (select product_external_id as external_id, coalesce(title, sku) as title, ord::bigint * 65536 + line_no as position from s_lines
              union all select product_external_id, sku, (1::bigint << 50) + ord::bigint * 65536 + line_no from s_return_lines)
        where external_id is not null and external_id not in (select external_id from s_products) group by external_id;
      drop table s_first_orders;
      select (select count(*) from s_customers) - ${counts.customers}, (select count(*) from s_products) - ${counts.products}`);
    const [customers, products] = reader.getRows()[0]!.map(Number) as [number, number];
    return { customers, products };
  }

  private async checkKeys(): Promise<void> {
    const tables = [staging.customers, staging.products, staging.variants, staging.orders, staging.returns, staging.fulfillments, staging.checkouts]
      .map((table) => table.name);
    const reader = await this.connection.runAndReadAll(tables.map((table) => `select '${table}', count(*) - count(distinct external_id) from ${table}`).join(' union all '));
    const repeated = reader.getRows().filter(([, n]) => Number(n) > 0).map(([table]) => String(table));
    if (repeated.length) throw new Error(`The staging sink was given an external id twice in ${repeated.join(', ')}`);
  }
}
