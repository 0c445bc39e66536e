/**
 * Shopify's Fulfillment and (abandoned) Checkout resources
 * (https://shopify.dev/docs/api/admin-rest/latest/resources/fulfillment, …/abandoned-checkouts), as
 * webhooks (`fulfillments/*`, `checkouts/*`) and inside orders deliver them, mapped to Hearth's
 * fulfilments and checkouts. Checkouts are keyed by Shopify's checkout id, which orders name as
 * `checkout_id`; the cart token is kept as the cart id, which orders name as `cart_token`.
 */
import { isCurrency } from '../../lib/money.js';
import type { CheckoutInput, FulfillmentInput, FulfillmentStatusInput } from '../commerce/index.js';
import { fulfillmentStatuses } from '../orders/index.js';
import { Bad, httpUrl, idOf, isObject, lineItemOf, money, text, time, type Obj } from './shopify.values.js';

const first = (list: unknown): unknown => (Array.isArray(list) ? list[0] : undefined);

/**
 * A Shopify fulfilment. Shopify creates one when the items are handed over (status `success`), so
 * its creation is the shipping time; the carrier's `shipment_status` follows in `fulfillments/update`,
 * and its change time is the delivery time once it says `delivered`.
 */
export function fulfillmentOf(f: Obj, at = ''): FulfillmentInput {
  const id = idOf(f.id);
  if (!id) throw new Bad(`${at}id`, 'is required');
  const orderId = idOf(f.order_id);
  if (!orderId) throw new Bad(`${at}order_id`, 'is required');
  const status = typeof f.status === 'string' && (fulfillmentStatuses as readonly string[]).includes(f.status) ? f.status as FulfillmentStatusInput : undefined;
  const shipment = text(f.shipment_status)?.toLowerCase() ?? null;
  const updatedAt = typeof f.updated_at === 'string' ? time(f.updated_at, `${at}updated_at`) : undefined;
  const createdAt = typeof f.created_at === 'string' ? time(f.created_at, `${at}created_at`) : undefined;
  const lines = (Array.isArray(f.line_items) ? f.line_items : []).filter(isObject).map((item) => ({
    product_external_id: idOf(item.product_id) ?? null,
    variant_external_id: idOf(item.variant_id) ?? null,
    sku: text(item.sku),
    quantity: Number.isSafeInteger(item.quantity) && (item.quantity as number) >= 0 ? (item.quantity as number) : 0,
  }));
  return {
    external_id: id,
    order_external_id: orderId,
    ...(status && { status }),
    shipment_status: shipment,
    carrier: text(f.tracking_company),
    tracking_number: text(f.tracking_number) ?? text(first(f.tracking_numbers)),
    tracking_url: httpUrl(f.tracking_url) ?? httpUrl(first(f.tracking_urls)),
    ...((status === undefined || status === 'success') && createdAt && { shipped_at: createdAt }),
    ...(shipment === 'delivered' && { delivered_at: updatedAt ?? createdAt ?? null }),
    ...(lines.length > 0 && { lines }),
    ...(updatedAt && { source_updated_at: updatedAt }),
  };
}

/** The checkout and cart ids an order names, so the checkout it completes is found whichever came first. */
export function checkoutRefsOf(order: Obj): string[] {
  return [...new Set([idOf(order.checkout_id), text(order.checkout_token), text(order.cart_token)].filter((ref): ref is string => !!ref))];
}

export function checkoutOf(c: Obj, storeCurrency: string, customerId: string | undefined): CheckoutInput {
  const id = idOf(c.id);
  if (!id) throw new Bad('id', 'is required');
  const currency = (text(c.currency) ?? storeCurrency).toUpperCase();
  if (!isCurrency(currency)) throw new Bad('currency', `unknown ISO 4217 currency "${String(c.currency)}"`);
  const items = (Array.isArray(c.line_items) ? c.line_items : []).map((item, j) => lineItemOf(item, j, currency));
  const updatedAt = typeof c.updated_at === 'string' ? time(c.updated_at, 'updated_at') : undefined;
  return {
    external_id: id,
    cart_id: text(c.cart_token),
    customer_external_id: customerId ?? null,
    email: text(c.email),
    currency,
    items,
    value: c.total_price === undefined || c.total_price === null ? items.reduce((sum, i) => sum + i.quantity * i.unit_price, 0) : money(c.total_price, currency, 'total_price'),
    recovery_url: httpUrl(c.abandoned_checkout_url),
    ...(typeof c.created_at === 'string' && { started_at: time(c.created_at, 'created_at') }),
    ...(updatedAt && { updated_at: updatedAt }),
    ...(typeof c.completed_at === 'string' && { completed_at: time(c.completed_at, 'completed_at') }),
  };
}

/** `checkouts/delete` may carry little more than the id. */
export function deletedCheckoutOf(c: Obj, receivedAt: Date): CheckoutInput {
  const id = idOf(c.id);
  if (!id) throw new Bad('id', 'is required');
  return { external_id: id, deleted_at: receivedAt };
}
