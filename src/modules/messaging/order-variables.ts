/**
 * The `order`, `fulfillment` and `checkout` variables of a message that an order, a delivery or a
 * started checkout set off (docs/messaging.md, "Variables"), loaded for a whole batch of messages
 * with one query per kind: the order with its line items and the signed link of its status page,
 * the order's latest fulfilment (the delivered one first) with its tracking, and the checkout with
 * its items and recovery link. Amounts are minor units, as everywhere in templates.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { LineItemVariables } from './message-context.js';

interface StoredItem { product_external_id?: string | null; variant_external_id?: string | null; sku?: string | null; title?: string | null; quantity?: number; unit_price?: number }

const productUrl = (storeUrl: string | null, externalId: string | null | undefined): string | null =>
  storeUrl && externalId ? `${storeUrl.replace(/\/+$/, '')}/products/${encodeURIComponent(externalId)}` : null;

const parseItems = (text: string | null): StoredItem[] => {
  try {
    const parsed: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((i): i is StoredItem => typeof i === 'object' && i !== null) : [];
  } catch {
    return [];
  }
};

/** Products by external id: their titles and images, for items stored by reference (checkouts, fulfilments). */
async function productsByExternalId(db: Db, storeId: string, ids: readonly string[]): Promise<Map<string, { title: string; image_url: string | null; price: number | null }>> {
  const found = new Map<string, { title: string; image_url: string | null; price: number | null }>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 1000) {
    const rows = await db.selectFrom('products').select(['external_id', 'title', 'image_url', 'price']).where('store_id', '=', storeId).where('external_id', 'in', unique.slice(i, i + 1000)).execute();
    for (const row of rows) found.set(row.external_id, { title: row.title, image_url: row.image_url, price: row.price === null ? null : Number(row.price) });
  }
  return found;
}

/**
 * Orders by row id, as templates read them; `statusUrls` gives each order's signed status page.
 * Orders of another store, or that do not exist, are left out.
 */
export async function orderVariables(db: Db, storeId: string, orderIds: readonly number[], storeUrl: string | null, statusUrls: ReadonlyMap<number, string>): Promise<Map<number, Record<string, unknown>>> {
  const found = new Map<number, Record<string, unknown>>();
  const ids = [...new Set(orderIds)];
  if (ids.length === 0) return found;
  const orders = await db.selectFrom('orders').select(['id', 'external_id', 'placed_at', 'currency', 'subtotal', 'discount', 'shipping', 'tax', 'total'])
    .where('store_id', '=', storeId).where('id', 'in', ids).execute();
  const { rows: lines } = await sql<{ order_id: number; title: string | null; product_title: string | null; variant_title: string | null; sku: string | null; variant_sku: string | null; quantity: number; unit_price: number; total: number; image_url: string | null; product_external_id: string | null }>`
    select l.order_id, l.title, p.title as product_title, v.title as variant_title, l.sku, v.sku as variant_sku, l.quantity, l.unit_price, l.total, p.image_url, p.external_id as product_external_id
    from order_lines l
    left join products p on p.store_id = l.store_id and p.id = l.product_id
    left join variants v on v.store_id = l.store_id and v.id = l.variant_id
    where l.store_id = ${storeId} and l.order_id in (${sql.join(ids)})
    order by l.order_id, l.line_no`.execute(db);
  const itemsOf = new Map<number, LineItemVariables[]>();
  for (const line of lines) {
    const items = itemsOf.get(Number(line.order_id)) ?? [];
    items.push({
      title: line.product_title ?? line.title ?? 'Item', variant_title: line.variant_title, sku: line.sku ?? line.variant_sku, quantity: Number(line.quantity),
      price: Number(line.unit_price), line_price: Number(line.total), image: line.image_url, url: productUrl(storeUrl, line.product_external_id), product_id: line.product_external_id,
    });
    itemsOf.set(Number(line.order_id), items);
  }
  for (const order of orders) {
    const id = Number(order.id);
    found.set(id, {
      id: order.external_id, name: order.external_id.startsWith('#') ? order.external_id : `#${order.external_id}`, created_at: order.placed_at, currency: order.currency,
      subtotal: Number(order.subtotal), discounts: Number(order.discount), shipping: Number(order.shipping), tax: Number(order.tax), total: Number(order.total),
      status_url: statusUrls.get(id) ?? null, line_items: itemsOf.get(id) ?? [], shipping_address: null,
    });
  }
  return found;
}

/** Each order's fulfilment a message is about: the first delivered, else the latest shipped or made. */
export async function fulfillmentVariables(db: Db, storeId: string, orderIds: readonly number[], storeUrl: string | null): Promise<Map<number, Record<string, unknown>>> {
  const found = new Map<number, Record<string, unknown>>();
  const ids = [...new Set(orderIds)];
  if (ids.length === 0) return found;
  const { rows } = await sql<{ order_id: number; status: string; shipment_status: string | null; carrier: string | null; tracking_number: string | null; tracking_url: string | null; shipped_at: Date | null; delivered_at: Date | null; lines: string }>`
    select order_id, status, shipment_status, carrier, tracking_number, tracking_url, shipped_at, delivered_at, lines from (
      select *, row_number() over (partition by order_id order by delivered_at is null, delivered_at, coalesce(shipped_at, created_at) desc, id desc) as pick
      from fulfillments where store_id = ${storeId} and order_id in (${sql.join(ids)})) where pick = 1`.execute(db);
  const items = rows.map((r) => parseItems(r.lines));
  const products = await productsByExternalId(db, storeId, items.flat().flatMap((i) => (i.product_external_id ? [i.product_external_id] : [])));
  rows.forEach((row, i) => {
    found.set(Number(row.order_id), {
      status: row.shipment_status ?? row.status, carrier: row.carrier, tracking_number: row.tracking_number, tracking_url: row.tracking_url,
      shipped_at: row.shipped_at, delivered_at: row.delivered_at, estimated_delivery_at: null,
      line_items: items[i]!.map((item) => lineOf(item, products, storeUrl)),
    });
  });
  return found;
}

/** Checkouts by row id, with their items and recovery link. */
export async function checkoutVariables(db: Db, storeId: string, checkoutIds: readonly number[], storeUrl: string | null): Promise<Map<number, Record<string, unknown>>> {
  const found = new Map<number, Record<string, unknown>>();
  const ids = [...new Set(checkoutIds)];
  if (ids.length === 0) return found;
  const rows = await db.selectFrom('checkouts').select(['id', 'external_id', 'started_at', 'currency', 'value', 'items', 'recovery_url'])
    .where('store_id', '=', storeId).where('id', 'in', ids).execute();
  const items = rows.map((r) => parseItems(r.items));
  const products = await productsByExternalId(db, storeId, items.flat().flatMap((i) => (i.product_external_id ? [i.product_external_id] : [])));
  rows.forEach((row, i) => {
    const lineItems = items[i]!.map((item) => lineOf(item, products, storeUrl));
    const subtotal = lineItems.reduce((sum, item) => sum + item.line_price, 0);
    found.set(Number(row.id), {
      id: row.external_id, created_at: row.started_at, currency: row.currency, subtotal, total: row.value === null ? subtotal : Number(row.value),
      recovery_url: row.recovery_url, line_items: lineItems,
    });
  });
  return found;
}

function lineOf(item: StoredItem, products: ReadonlyMap<string, { title: string; image_url: string | null; price: number | null }>, storeUrl: string | null): LineItemVariables {
  const product = item.product_external_id ? products.get(item.product_external_id) : undefined;
  const quantity = Number.isFinite(item.quantity) ? Number(item.quantity) : 1;
  const price = Number.isFinite(item.unit_price) ? Number(item.unit_price) : product?.price ?? 0;
  return {
    title: product?.title ?? item.title ?? 'Item', variant_title: null, sku: item.sku ?? null, quantity, price, line_price: price * quantity,
    image: product?.image_url ?? null, url: productUrl(storeUrl, item.product_external_id), product_id: item.product_external_id ?? null,
  };
}
