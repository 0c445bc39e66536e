/**
 * Small builders that write customers, products, orders, returns and events straight into a
 * test store, for segment, persona and profile tests. Money is minor units; times are UTC.
 */
import { sql } from 'kysely';
import type { Storage } from '../../src/db/database.js';

export interface CustomerSpec {
  external_id: string;
  email?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  country?: string | null;
  accepts_marketing?: boolean;
  tags?: string[];
  attributes?: Record<string, unknown>;
  created_at?: Date;
}

export interface OrderSpec {
  external_id: string;
  placed_at: Date;
  total: number;
  discount?: number;
  discount_codes?: string[];
  status?: 'paid' | 'cancelled' | 'refunded';
  channel?: string | null;
  /** Product external ids (one line each, the order total split evenly). */
  products?: string[];
}

/** An empty JS array cannot tell DuckDB its item type, so empty lists are written as typed SQL. */
function textList(items: string[]) {
  return items.length ? items : sql<string[]>`cast([] as varchar[])`;
}

export class StoreBuilder {
  private readonly products = new Map<string, number>();

  constructor(readonly storage: Storage, readonly storeId: string) {}

  async product(externalId: string, category: string | null, title = externalId): Promise<number> {
    const row = await this.storage.write.insertInto('products').values({
      store_id: this.storeId, id: sql<number>`nextval('products_id_seq')`, external_id: externalId, title, category,
      price: null, currency: 'USD', image_url: null, created_at: new Date(), updated_at: new Date(),
    }).returning('id').executeTakeFirstOrThrow();
    this.products.set(externalId, row.id);
    return row.id;
  }

  async customer(spec: CustomerSpec): Promise<number> {
    const created = spec.created_at ?? new Date('2025-01-01T00:00:00Z');
    const row = await this.storage.write.insertInto('customers').values({
      store_id: this.storeId, id: sql<number>`nextval('customers_id_seq')`, external_id: spec.external_id, email: spec.email ?? null,
      first_name: spec.first_name ?? null, last_name: spec.last_name ?? null, phone: null, country: spec.country ?? null, city: null,
      accepts_marketing: spec.accepts_marketing ?? false, tags: textList(spec.tags ?? []), attributes: JSON.stringify(spec.attributes ?? {}),
      created_at: created, updated_at: created,
    }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async order(customerId: number | null, spec: OrderSpec): Promise<number> {
    const row = await this.storage.write.insertInto('orders').values({
      store_id: this.storeId, id: sql<number>`nextval('orders_id_seq')`, external_id: spec.external_id, customer_id: customerId,
      placed_at: spec.placed_at, currency: 'USD', subtotal: spec.total + (spec.discount ?? 0), discount: spec.discount ?? 0, shipping: 0, tax: 0,
      total: spec.total, discount_codes: textList(spec.discount_codes ?? []), channel: spec.channel ?? 'web', status: spec.status ?? 'paid', source: 'api',
      created_at: spec.placed_at, updated_at: spec.placed_at,
    }).returning('id').executeTakeFirstOrThrow();
    const products = spec.products ?? [];
    for (const [i, external] of products.entries()) {
      const productId = this.products.get(external) ?? null;
      const share = Math.round(spec.total / products.length);
      await this.storage.write.insertInto('order_lines').values({
        store_id: this.storeId, order_id: row.id, line_no: i + 1, product_id: productId, variant_id: null, sku: external, title: external,
        quantity: 1, unit_price: share, total: share,
      }).execute();
    }
    return row.id;
  }

  async return(customerId: number, orderId: number | null, at: Date, amount: number, externalId = `R-${orderId}-${at.getTime()}`): Promise<void> {
    await this.storage.write.insertInto('returns').values({
      store_id: this.storeId, id: sql<number>`nextval('returns_id_seq')`, external_id: externalId, order_id: orderId, customer_id: customerId,
      returned_at: at, currency: 'USD', amount, reason: null, created_at: at,
    }).execute();
  }

  /** Many events of one customer in one statement. */
  async events(customerId: number | null, name: string, times: Date[], properties: Record<string, unknown> = {}): Promise<void> {
    if (!times.length) return;
    await this.storage.write.insertInto('events').values(times.map((at) => ({
      store_id: this.storeId, id: sql<number>`nextval('events_id_seq')`, message_id: null, type: 'track' as const, name,
      customer_id: customerId, anonymous_id: null, session_id: null, url: null, properties: JSON.stringify(properties), source: 'api', occurred_at: at, received_at: at,
    }))).execute();
  }

  async event(customerId: number | null, name: string, at: Date, properties: Record<string, unknown> = {}, options: { type?: 'track' | 'page'; sessionId?: string; url?: string } = {}): Promise<void> {
    await this.storage.write.insertInto('events').values({
      store_id: this.storeId, id: sql<number>`nextval('events_id_seq')`, message_id: null, type: options.type ?? 'track', name,
      customer_id: customerId, anonymous_id: null, session_id: options.sessionId ?? null, url: options.url ?? null,
      properties: JSON.stringify(properties), source: 'api', occurred_at: at, received_at: at,
    }).execute();
  }
}

export const day = (iso: string): Date => new Date(`${iso}T12:00:00Z`);
