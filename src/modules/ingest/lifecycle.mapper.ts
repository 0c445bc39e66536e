/**
 * Segment events that describe the order lifecycle, mapped to fulfilments and checkouts:
 * - `Order Shipped` / `Order Delivered` (Hearth's documented custom events; properties `order_id`,
 *   optionally `fulfillment_id`, `carrier`, `tracking_number`, `tracking_url`): a fulfilment, shipped or
 *   delivered at the event's time; without `fulfillment_id` the order's one fulfilment.
 * - `Checkout Started`, `Cart Viewed` (the cart's `products` replace its items) and `Product Added`
 *   (its product is added) from the ecommerce v2 spec: a checkout keyed by `checkout_id`, else
 *   `cart_id` (Checkout Started: else `order_id`), linked to `userId` or `anonymousId`, with `value`
 *   (or `revenue`, or the items' sum), `currency` and a `recovery_url` (or `url`).
 * - `Order Completed` names the checkout and cart it completes (`checkoutIdsOf`).
 * Amounts are decimal major units, as in the spec.
 */
import { isCurrency, toMinorUnits } from '../../lib/money.js';
import type { CheckoutInput, CheckoutItemInput, CommerceBatch, FulfillmentInput } from '../commerce/index.js';
import type { NormalMessage } from './segment.validator.js';

export const fulfillmentEvents = ['Order Shipped', 'Order Delivered'] as const;
export const checkoutEvents = ['Checkout Started', 'Cart Viewed', 'Product Added'] as const;

type Obj = Record<string, unknown>;
type Mapped = { ok: true; batch: CommerceBatch } | { ok: false; path: string; reason: string };

const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const idOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
const textOf = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);
const fail = (path: string, reason: string): Mapped => ({ ok: false, path: `properties.${path}`, reason });
const none: Mapped = { ok: true, batch: {} };

/** The checkout and cart ids an `Order Completed` names (and its order id, which a Checkout Started may be keyed by). */
export function checkoutIdsOf(properties: Obj): string[] {
  return [...new Set([idOf(properties.checkout_id), idOf(properties.cart_id), idOf(properties.order_id)].filter((id): id is string => !!id))];
}

export function mapFulfillmentEvent(message: NormalMessage): Mapped {
  const p = message.properties;
  const orderId = idOf(p.order_id);
  if (!orderId) return fail('order_id', `is required for ${message.name ?? 'this event'}`);
  const delivered = message.name === 'Order Delivered';
  const fulfillment: FulfillmentInput = {
    external_id: idOf(p.fulfillment_id) ?? orderId,
    order_external_id: orderId,
    shipment_status: delivered ? 'delivered' : 'in_transit',
    carrier: textOf(p.carrier),
    tracking_number: idOf(p.tracking_number) ?? null,
    tracking_url: textOf(p.tracking_url),
    ...(delivered ? { delivered_at: message.occurredAt } : { shipped_at: message.occurredAt }),
    source_updated_at: message.occurredAt,
  };
  return { ok: true, batch: { fulfillments: [fulfillment] } };
}

export function mapCheckoutEvent(message: NormalMessage, storeCurrency: string): Mapped {
  const p = message.properties;
  const cartId = idOf(p.cart_id);
  const key = idOf(p.checkout_id) ?? cartId ?? (message.name === 'Checkout Started' ? idOf(p.order_id) : undefined);
  // Without an id there is nothing to keep the cart by; the event is still stored.
  if (!key) return none;
  const currency = typeof p.currency === 'string' ? p.currency.trim().toUpperCase() : storeCurrency;
  if (!isCurrency(currency)) return fail('currency', `unknown ISO 4217 currency "${String(p.currency)}"`);
  const money = (value: unknown): number | undefined => (value === undefined || value === null ? undefined : toMinorUnits(value as string | number, currency));

  const adds = message.name === 'Product Added';
  const items: CheckoutItemInput[] = [];
  const products = adds ? [p] : Array.isArray(p.products) ? p.products : [];
  for (const [j, product] of products.entries()) {
    const at = adds ? '' : `products.${j}.`;
    if (!isObject(product)) return fail(`products.${j}`, 'must be an object');
    const price = money(product.price);
    if (price === undefined || price < 0) {
      if (product.price === undefined || product.price === null) continue;
      return fail(`${at}price`, 'must be an amount ≥ 0');
    }
    items.push({
      product_external_id: idOf(product.product_id) ?? null,
      variant_external_id: idOf(product.variant_id) ?? null,
      sku: idOf(product.sku) ?? null,
      title: textOf(product.name),
      quantity: (product.quantity as number | undefined) ?? 1,
      unit_price: price,
    });
  }
  const value = adds ? undefined : money(p.value ?? p.revenue ?? p.total);
  if (value !== undefined && value < 0) return fail('value', 'must not be negative');
  const url = textOf(p.recovery_url) ?? textOf(p.url);
  const checkout: CheckoutInput = {
    external_id: key,
    ...(cartId && cartId !== key && { cart_id: cartId }),
    customer_external_id: message.userId,
    anonymous_id: message.anonymousId,
    email: textOf(p.email),
    currency,
    ...(value !== undefined && { value }),
    ...((items.length > 0 || Array.isArray(p.products)) && { items }),
    ...(adds && { add_items: true }),
    // A page URL that is not http(s) is no recovery link; it is left out rather than refusing the event.
    ...(url && /^https?:\/\//i.test(url) && { recovery_url: url }),
    started_at: message.occurredAt,
    updated_at: message.occurredAt,
  };
  return { ok: true, batch: { checkouts: [checkout] } };
}
