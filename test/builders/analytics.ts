/**
 * Small builders that insert customers, products, orders and returns straight into the store's
 * tables, for analytics tests that need exact, hand-computed data.
 */
import { sql } from 'kysely';
import type { Storage } from '../../src/db/database.js';

export interface OrderSpec {
  customer: number | null;
  /** ISO date-time in UTC, e.g. '2024-01-05T10:00:00Z'; a bare date means noon UTC. */
  at: string;
  /** Minor units. */
  total: number;
  status?: 'paid' | 'cancelled' | 'refunded';
  channel?: string | null;
  paymentMethod?: string | null;
  discount?: number;
  discountCodes?: string[];
  /** Product ids on the order's lines, each line worth total / lines (first line gets the rest). */
  products?: number[];
  /** Explicit line totals, parallel to products. */
  lineTotals?: number[];
  externalId?: string;
}

export interface ReturnSpec {
  order?: number | null;
  customer?: number | null;
  at: string;
  amount: number;
}

const when = (at: string) => new Date(/T/.test(at) ? at : `${at}T12:00:00Z`);

export class AnalyticsBuilder {
  private orderSeq = 0;
  private returnSeq = 0;

  constructor(readonly storage: Storage, readonly storeId: string) {}

  static async create(storage: Storage, options: { timezone?: string; inactivityDays?: number | null; slug?: string } = {}): Promise<AnalyticsBuilder> {
    const slug = options.slug ?? `shop-${Math.random().toString(36).slice(2, 8)}`;
    const storeId = `st_${slug}`;
    await storage.write.insertInto('stores').values({
      id: storeId, slug, name: slug, timezone: options.timezone ?? 'UTC', currency: 'USD', shopify_secret: null,
      inactivity_days: options.inactivityDays ?? null, created_at: new Date(),
    }).execute();
    return new AnalyticsBuilder(storage, storeId);
  }

  async customer(id: number, options: { country?: string | null; externalId?: string } = {}): Promise<number> {
    const now = new Date();
    await this.storage.write.insertInto('customers').values({
      store_id: this.storeId, id, external_id: options.externalId ?? `c${id}`, email: null, first_name: null, last_name: null, phone: null,
      country: options.country ?? null, city: null, accepts_marketing: false, tags: sql<string[]>`cast([] as varchar[])`, attributes: '{}', created_at: now, updated_at: now,
    }).execute();
    return id;
  }

  /** Many customers in a few statements. */
  async customers(specs: { id: number; country?: string | null; externalId?: string }[]): Promise<void> {
    const now = new Date();
    const rows = specs.map((spec) => ({
      store_id: this.storeId, id: spec.id, external_id: spec.externalId ?? `c${spec.id}`, email: null, first_name: null, last_name: null, phone: null,
      country: spec.country ?? null, city: null, accepts_marketing: false, tags: sql<string[]>`cast([] as varchar[])`, attributes: '{}', created_at: now, updated_at: now,
    }));
    for (let i = 0; i < rows.length; i += 500) await this.storage.write.insertInto('customers').values(rows.slice(i, i + 500)).execute();
  }

  async product(id: number, options: { category?: string | null; title?: string; externalId?: string } = {}): Promise<number> {
    const now = new Date();
    await this.storage.write.insertInto('products').values({
      store_id: this.storeId, id, external_id: options.externalId ?? `p${id}`, title: options.title ?? `Product ${id}`, category: options.category ?? null,
      price: null, currency: 'USD', image_url: null, created_at: now, updated_at: now,
    }).execute();
    return id;
  }

  async products(specs: { id: number; category?: string | null; title?: string; externalId?: string }[]): Promise<void> {
    const now = new Date();
    const rows = specs.map((spec) => ({
      store_id: this.storeId, id: spec.id, external_id: spec.externalId ?? `p${spec.id}`, title: spec.title ?? `Product ${spec.id}`, category: spec.category ?? null,
      price: null, currency: 'USD', image_url: null, created_at: now, updated_at: now,
    }));
    for (let i = 0; i < rows.length; i += 500) await this.storage.write.insertInto('products').values(rows.slice(i, i + 500)).execute();
  }

  async order(spec: OrderSpec): Promise<number> {
    const rows = await this.orders([spec]);
    return rows[0]!;
  }

  /** Inserts orders (and their lines) in one statement each; returns their ids. */
  async orders(specs: OrderSpec[]): Promise<number[]> {
    if (specs.length === 0) return [];
    const now = new Date();
    const start = this.orderSeq;
    this.orderSeq += specs.length;
    const ids = specs.map((_, i) => start + i + 1 + this.idBase());
    const orderRows = specs.map((spec, i) => ({
      store_id: this.storeId, id: ids[i]!, external_id: spec.externalId ?? `o${ids[i]}`, customer_id: spec.customer, placed_at: when(spec.at),
      currency: 'USD', subtotal: spec.total, discount: spec.discount ?? 0, shipping: 0, tax: 0, total: spec.total,
      discount_codes: spec.discountCodes?.length ? spec.discountCodes : sql<string[]>`cast([] as varchar[])`, channel: spec.channel ?? null, payment_method: spec.paymentMethod ?? null, status: spec.status ?? 'paid', source: 'api', created_at: now, updated_at: now,
    }));
    for (let i = 0; i < orderRows.length; i += 500) await this.storage.write.insertInto('orders').values(orderRows.slice(i, i + 500)).execute();
    const lines = specs.flatMap((spec, i) => {
      const products = spec.products ?? [];
      return products.map((product, j) => {
        const even = Math.floor(spec.total / products.length);
        const total = spec.lineTotals?.[j] ?? (j === 0 ? spec.total - even * (products.length - 1) : even);
        return { store_id: this.storeId, order_id: ids[i]!, line_no: j + 1, product_id: product, variant_id: null, sku: null, title: null, quantity: 1, unit_price: total, total };
      });
    });
    for (let i = 0; i < lines.length; i += 500) await this.storage.write.insertInto('order_lines').values(lines.slice(i, i + 500)).execute();
    return ids;
  }

  async returnOf(spec: ReturnSpec): Promise<number> {
    this.returnSeq += 1;
    const id = this.returnSeq + this.idBase();
    await this.storage.write.insertInto('returns').values({
      store_id: this.storeId, id, external_id: `r${id}`, order_id: spec.order ?? null, customer_id: spec.customer ?? null,
      returned_at: when(spec.at), currency: 'USD', amount: spec.amount, reason: null, created_at: new Date(),
    }).execute();
    return id;
  }

  /** Marks an order changed now (as the writer does on update). */
  async touchOrder(id: number, changes: { status?: 'cancelled' | 'paid'; customer?: number | null } = {}): Promise<void> {
    await sql`update orders set updated_at = ${new Date(Date.now() + 1)},
      status = coalesce(${changes.status ?? null}, status),
      customer_id = ${changes.customer === undefined ? sql`customer_id` : sql`${changes.customer}`}
      where store_id = ${this.storeId} and id = ${id}`.execute(this.storage.write);
  }

  // Ids are unique across stores in the same file, like the sequences the writer uses.
  private idBase(): number {
    let hash = 0;
    for (const char of this.storeId) hash = (hash * 31 + char.charCodeAt(0)) % 1000;
    return hash * 1_000_000;
  }
}
