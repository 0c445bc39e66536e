/**
 * Every customer's order history of a store, held in memory for serving recommendations without a
 * database query per request. Read once in one streamed query into typed columns (customers →
 * orders → products, each a range of the next), about 12 bytes per order and 4 per order line: a
 * store of 1M customers and 10M orders takes some 200 MiB.
 *
 * The index is a snapshot: a customer whose orders changed after it was read is served from the
 * database instead (see `RecommendationsService`), until the next index is read after a refit.
 */
import type { Storage } from '../../db/database.js';
import type { CustomerHistory } from './model.types.js';

/** A typed array that doubles when full. */
class Column<T extends Float64Array | Int32Array> {
  length = 0;
  constructor(public values: T, private readonly make: (size: number) => T) {}

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = this.make(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  /** The values, trimmed to their length. */
  done(): T {
    return this.values.subarray(0, this.length) as T;
  }
}

const floats = (size: number) => new Float64Array(size);
const ints = (size: number) => new Int32Array(size);

export class HistoryIndex {
  constructor(
    /** Customer ids, ascending. */
    private readonly customers: Float64Array,
    /** Customer i's orders are orders [orderStart[i], orderStart[i + 1]), oldest first. */
    private readonly orderStart: Int32Array,
    /** When each order was placed, in ms since the epoch. */
    private readonly placedAt: Float64Array,
    /** Order j's products are products[productStart[j] … productStart[j + 1]), as indexes into `productIds`. */
    private readonly productStart: Int32Array,
    private readonly products: Int32Array,
    private readonly productIds: number[],
  ) {}

  get size(): { customers: number; orders: number; lines: number } {
    return { customers: this.customers.length, orders: this.placedAt.length, lines: this.products.length };
  }

  has(customerId: number): boolean {
    return this.position(customerId) >= 0;
  }

  /** The customer's row, or -1. */
  private position(customerId: number): number {
    let low = 0;
    let high = this.customers.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const id = this.customers[mid]!;
      if (id === customerId) return mid;
      if (id < customerId) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }

  /** The customer's orders placed before `before`, oldest first (none for a customer without orders). */
  history(customerId: number, before: Date): CustomerHistory {
    const out: CustomerHistory = { customerId, orders: [] };
    const i = this.position(customerId);
    if (i < 0) return out;
    const cutoff = before.getTime();
    for (let j = this.orderStart[i]!; j < this.orderStart[i + 1]!; j += 1) {
      if (!(this.placedAt[j]! < cutoff)) break;
      const products: number[] = [];
      for (let k = this.productStart[j]!; k < this.productStart[j + 1]!; k += 1) products.push(this.productIds[this.products[k]!]!);
      out.orders.push({ placedAt: new Date(this.placedAt[j]!), products });
    }
    return out;
  }
}

/**
 * Reads the index of a store: the same orders and lines the models learn from (with a customer,
 * not cancelled, each product once per order), in the order a history lists them. The result is
 * streamed chunk by chunk (2,048 rows each), so the event loop is free between chunks.
 */
export async function readHistoryIndex(storage: Storage, storeId: string): Promise<HistoryIndex> {
  const customers = new Column(floats(1024), floats);
  const orderStart = new Column(ints(1024), ints);
  const placedAt = new Column(floats(4096), floats);
  const productStart = new Column(ints(4096), ints);
  const products = new Column(ints(8192), ints);
  const productIndex = new Map<number, number>();
  const productIds: number[] = [];
  await storage.withReader(async (connection) => {
    const result = await connection.stream(`
      select distinct o.customer_id::double as customer_id, o.id::double as order_id, epoch_ms(o.placed_at)::double as placed_at, l.product_id::double as product_id
      from orders o join order_lines l on l.store_id = o.store_id and l.order_id = o.id
      where o.store_id = $1 and o.customer_id is not null and l.product_id is not null and o.status <> 'cancelled'
      order by customer_id, placed_at, order_id, product_id
    `, [storeId]);
    let lastCustomer = Number.NaN;
    let lastOrder = Number.NaN;
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      const [customer, order, placed, product] = [0, 1, 2, 3].map((i) => chunk!.getColumnValues(i) as number[]);
      for (let r = 0; r < chunk.rowCount; r += 1) {
        if (customer![r] !== lastCustomer) {
          lastCustomer = customer![r]!;
          customers.push(lastCustomer);
          orderStart.push(placedAt.length);
          lastOrder = Number.NaN;
        }
        if (order![r] !== lastOrder) {
          lastOrder = order![r]!;
          placedAt.push(placed![r]!);
          productStart.push(products.length);
        }
        let index = productIndex.get(product![r]!);
        if (index === undefined) {
          index = productIds.push(product![r]!) - 1;
          productIndex.set(product![r]!, index);
        }
        products.push(index);
      }
    }
  });
  orderStart.push(placedAt.length);
  productStart.push(products.length);
  return new HistoryIndex(customers.done(), orderStart.done(), placedAt.done(), productStart.done(), products.done(), productIds);
}
