/**
 * Staging of fulfilments, checkouts and the checkout ids orders name (the tables and their rows;
 * the appending is `commerce.staging.ts`'s). Lines and items are staged as JSON text, as stored.
 */
import type { CheckoutInput, FulfillmentInput } from './commerce.input.js';
import type { NormalOrder } from './commerce.validation.js';
import type { NormalCheckout, NormalFulfillment } from './lifecycle.validation.js';

type Value = string | number | boolean | Date | string[] | null | undefined;

export const lifecycleStaging = {
  orderRefs: {
    name: 's_order_refs',
    columns: [['ord', 'integer'], ['ref', 'varchar']],
  },
  fulfillments: {
    name: 's_fulfillments',
    columns: [['ord', 'integer'], ['external_id', 'varchar'], ['order_external_id', 'varchar'], ['status', 'varchar'],
      ['shipment_status', 'varchar'], ['carrier', 'varchar'], ['tracking_number', 'varchar'], ['tracking_url', 'varchar'],
      ['shipped_at', 'timestamp'], ['delivered_at', 'timestamp'], ['lines', 'varchar'], ['source_updated_at', 'timestamp']],
  },
  checkouts: {
    name: 's_checkouts',
    columns: [['ord', 'integer'], ['external_id', 'varchar'], ['cart_id', 'varchar'], ['customer_external_id', 'varchar'],
      ['anonymous_id', 'varchar'], ['email', 'varchar'], ['currency', 'varchar'], ['value', 'bigint'], ['items', 'varchar'],
      ['add_items', 'boolean'], ['recovery_url', 'varchar'], ['started_at', 'timestamp'], ['updated_at', 'timestamp'],
      ['completed_at', 'timestamp'], ['deleted_at', 'timestamp']],
  },
} as const;

const defined = <T extends object>(item: T): Partial<T> =>
  Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined)) as Partial<T>;

/** A fulfilment given twice in one batch is applied in order: later fields win, absent ones stay. */
export function collectFulfillments(items: NormalFulfillment[]): NormalFulfillment[] {
  const byId = new Map<string, NormalFulfillment>();
  for (const item of items) {
    const prior = byId.get(item.external_id);
    byId.delete(item.external_id);
    const lines = item.lines.length > 0 ? item.lines : prior?.lines ?? [];
    byId.set(item.external_id, prior ? { ...prior, ...defined(item), lines } as NormalFulfillment : item);
  }
  return [...byId.values()];
}

/** Likewise for checkouts; added items accumulate (two products added to one cart in one batch). */
export function collectCheckouts(items: NormalCheckout[]): NormalCheckout[] {
  const byId = new Map<string, NormalCheckout>();
  for (const item of items) {
    const prior = byId.get(item.external_id);
    byId.delete(item.external_id);
    if (!prior) {
      byId.set(item.external_id, item);
      continue;
    }
    const merged: NormalCheckout = { ...prior, ...defined(item) as CheckoutInput };
    if (item.items && item.add_items) {
      // Added to what the earlier one left: its items (replacing or added) or, without items, the stored ones.
      merged.items = [...(prior.items ?? []), ...item.items];
      merged.add_items = prior.items ? prior.add_items ?? false : true;
      merged.value = (prior.items ? prior.value ?? 0 : 0) + (item.value ?? 0);
    } else if (item.items) {
      merged.add_items = false;
    }
    byId.set(item.external_id, merged);
  }
  return [...byId.values()];
}

export function* orderRefRows(orders: NormalOrder[]): Generator<Value[]> {
  for (let ord = 0; ord < orders.length; ord += 1) {
    for (const ref of new Set(orders[ord]!.checkout_ids ?? [])) yield [ord, ref];
  }
}

const json = (list: object[] | undefined): string | null => (list && list.length > 0 ? JSON.stringify(list) : null);

export function fulfillmentRow(ord: number, f: FulfillmentInput): Value[] {
  return [ord, f.external_id, f.order_external_id, f.status, f.shipment_status, f.carrier, f.tracking_number, f.tracking_url,
    f.shipped_at, f.delivered_at, json(f.lines?.map((l) => ({
      product_external_id: l.product_external_id ?? null, variant_external_id: l.variant_external_id ?? null, sku: l.sku ?? null, quantity: l.quantity,
    }))), f.source_updated_at];
}

export function checkoutRow(ord: number, c: CheckoutInput): Value[] {
  const items = c.items?.map((i) => ({
    product_external_id: i.product_external_id ?? null, variant_external_id: i.variant_external_id ?? null, sku: i.sku ?? null,
    title: i.title ?? null, quantity: i.quantity, unit_price: i.unit_price,
  }));
  return [ord, c.external_id, c.cart_id, c.customer_external_id, c.anonymous_id, c.email, c.currency, c.value,
    items ? JSON.stringify(items) : null, c.add_items ?? false, c.recovery_url, c.started_at, c.updated_at, c.completed_at, c.deleted_at];
}

export function* fulfillmentRows(items: NormalFulfillment[]): Generator<Value[]> {
  for (let ord = 0; ord < items.length; ord += 1) yield fulfillmentRow(ord, items[ord]!);
}

export function* checkoutRows(items: NormalCheckout[]): Generator<Value[]> {
  for (let ord = 0; ord < items.length; ord += 1) yield checkoutRow(ord, items[ord]!);
}
