/**
 * Shopify webhook payloads (Admin REST resources: Order, Refund, Customer, Fulfillment, Abandoned
 * checkout, Product, as documented at https://shopify.dev/docs/api/admin-rest/latest/resources) mapped to
 * Hearth's `DataBatch`.
 * Shopify sends money as decimal strings in the shop's currency; Hearth keeps minor units.
 */
import { isCurrency } from '../../lib/money.js';
import type { CustomerInput, CommerceBatch, OrderInput, OrderStatusInput, ReturnInput, ReturnLineInput } from '../commerce/index.js';
import { checkoutOf, checkoutRefsOf, deletedCheckoutOf, fulfillmentOf } from './shopify-lifecycle.mapper.js';
import { productOf } from './shopify-product.mapper.js';
import { Bad, idOf, isObject, lineItemOf, money, text, time, type Obj } from './shopify.values.js';
import { isLanguageTag } from '../commerce/index.js';
import type { ConsentInput } from '../commerce/index.js';
import type { ConsentStatus } from '../customers/index.js';

export const shopifyTopics = [
  'orders/create', 'orders/updated', 'orders/cancelled', 'orders/fulfilled', 'refunds/create', 'customers/create', 'customers/update',
  'fulfillments/create', 'fulfillments/update', 'checkouts/create', 'checkouts/update', 'checkouts/delete', 'products/create', 'products/update',
] as const;
export type ShopifyTopic = (typeof shopifyTopics)[number];

export type ShopifyMapped = { ok: true; batch: CommerceBatch } | { ok: false; path: string; reason: string };

const fail = (path: string, reason: string): ShopifyMapped => ({ ok: false, path, reason });

/** `receivedAt`: when the delivery arrived (a deleted checkout's deletion time). */
export function mapShopify(topic: ShopifyTopic, payload: unknown, storeCurrency: string, receivedAt = new Date()): ShopifyMapped {
  if (!isObject(payload)) return fail('(body)', 'must be a JSON object');
  try {
    if (topic === 'customers/create' || topic === 'customers/update') return { ok: true, batch: { customers: [customerOf(payload)] } };
    if (topic === 'products/create' || topic === 'products/update') return { ok: true, batch: { products: [productOf(payload, storeCurrency)] } };
    if (topic === 'refunds/create') return { ok: true, batch: { returns: [refundOf(payload, storeCurrency)] } };
    if (topic === 'fulfillments/create' || topic === 'fulfillments/update') return { ok: true, batch: { fulfillments: [fulfillmentOf(payload)] } };
    if (topic === 'checkouts/delete') return { ok: true, batch: { checkouts: [deletedCheckoutOf(payload, receivedAt)] } };
    if (topic === 'checkouts/create' || topic === 'checkouts/update') {
      const customer = isObject(payload.customer) && idOf(payload.customer.id) ? customerOf(payload.customer, 'customer.') : undefined;
      if (customer && customer.email == null && text(payload.email)) customer.email = text(payload.email);
      const checkout = checkoutOf(payload, storeCurrency, customer?.external_id);
      return { ok: true, batch: { ...(customer && { customers: [customer] }), checkouts: [checkout] } };
    }
    const { order, customer } = orderOf(payload, storeCurrency);
    return { ok: true, batch: { ...(customer && { customers: [customer] }), orders: [order] } };
  } catch (error) {
    if (error instanceof Bad) return fail(error.path, error.message);
    throw error;
  }
}

/**
 * A Shopify customer. A field Shopify leaves out (it redacts protected fields for apps without
 * protected-data access, and often omits the consent) keeps what Hearth has: absent means
 * unchanged, while a field sent as null clears it.
 */
export function customerOf(c: Obj, at = ''): CustomerInput {
  const id = idOf(c.id);
  if (!id) throw new Bad(`${at}id`, 'is required');
  const customer: CustomerInput = { external_id: id };
  const has = (key: string) => Object.prototype.hasOwnProperty.call(c, key);
  if (has('email')) customer.email = text(c.email);
  if (has('first_name')) customer.first_name = text(c.first_name);
  if (has('last_name')) customer.last_name = text(c.last_name);
  if (has('phone')) customer.phone = text(c.phone);
  if (isObject(c.default_address)) {
    const address = c.default_address;
    if ('country_code' in address || 'country' in address) customer.country = text(address.country_code) ?? text(address.country);
    if ('city' in address) customer.city = text(address.city);
  }
  const email = consentOf(c.email_marketing_consent, `${at}email_marketing_consent`);
  if (email) customer.email_consent = email;
  else if (typeof c.accepts_marketing === 'boolean') customer.accepts_marketing = c.accepts_marketing;
  const sms = consentOf(c.sms_marketing_consent, `${at}sms_marketing_consent`);
  if (sms) customer.sms_consent = sms;
  if (typeof c.tags === 'string') customer.tags = c.tags.split(',').map((tag) => tag.trim()).filter(Boolean);
  if (typeof c.created_at === 'string') customer.created_at = time(c.created_at, `${at}created_at`);
  return customer;
}

/**
 * Shopify's marketing consent (`{ state, opt_in_level, consent_updated_at }`): `subscribed` and
 * `unsubscribed` as they are; `not_subscribed` and `pending` (a double opt-in not yet confirmed)
 * were never given; `redacted` and `invalid` (an address that cannot receive) count as
 * unsubscribed, so nothing is ever sent on them.
 */
function consentOf(value: unknown, at: string): ConsentInput | undefined {
  if (!isObject(value) || typeof value.state !== 'string') return undefined;
  const status: ConsentStatus = value.state === 'subscribed' ? 'subscribed'
    : value.state === 'not_subscribed' || value.state === 'pending' ? 'never_asked' : 'unsubscribed';
  const when = typeof value.consent_updated_at === 'string' ? time(value.consent_updated_at, `${at}.consent_updated_at`) : undefined;
  return { status, source: 'shopify', ...(when && { at: when }) };
}

function statusOf(order: Obj): OrderStatusInput {
  if (order.cancelled_at) return 'cancelled';
  switch (order.financial_status) {
    case 'refunded': return 'refunded';
    case 'partially_refunded': return 'partially_refunded';
    case 'voided': return 'cancelled';
    case 'pending': case 'authorized': return 'pending';
    default: return order.fulfillment_status === 'fulfilled' ? 'fulfilled' : 'paid';
  }
}

function orderOf(o: Obj, storeCurrency: string): { order: OrderInput; customer: CustomerInput | undefined } {
  const id = idOf(o.id);
  if (!id) throw new Bad('id', 'is required');
  const currency = (text(o.currency) ?? storeCurrency).toUpperCase();
  if (!isCurrency(currency)) throw new Bad('currency', `unknown ISO 4217 currency "${String(o.currency)}"`);
  if (!Array.isArray(o.line_items)) throw new Bad('line_items', 'must be a list');
  const lines = o.line_items.map((item, j) => lineItemOf(item, j, currency));
  const shippingSet = isObject(o.total_shipping_price_set) && isObject(o.total_shipping_price_set.shop_money) ? o.total_shipping_price_set.shop_money.amount : undefined;
  const shipping = shippingSet !== undefined
    ? money(shippingSet, currency, 'total_shipping_price_set.shop_money.amount')
    : (Array.isArray(o.shipping_lines) ? o.shipping_lines : []).reduce<number>((sum, line, j) => sum + (isObject(line) ? money(line.price, currency, `shipping_lines.${j}.price`) : 0), 0);
  const discount = money(o.total_discounts, currency, 'total_discounts');
  // With tax-inclusive prices the tax is already inside the line prices, so it adds nothing.
  const tax = o.taxes_included === true ? 0 : money(o.total_tax, currency, 'total_tax');
  const subtotal = lines.reduce((sum, line) => sum + line.quantity * line.unit_price, 0);
  const total = o.total_price === undefined ? undefined : money(o.total_price, currency, 'total_price');
  const customer = isObject(o.customer) && idOf(o.customer.id) ? customerOf(o.customer, 'customer.') : undefined;
  const codes = Array.isArray(o.discount_codes) ? o.discount_codes.map((d) => (isObject(d) ? text(d.code) : null)).filter((c): c is string => c !== null) : [];
  // Tips, duties and other adjustments make Shopify's total differ from the parts Hearth models;
  // then the total is kept as Shopify states it and the tax (the least-used part) is left out.
  const consistent = total === undefined || total === subtotal - discount + shipping + tax;
  const order: OrderInput = {
    external_id: id,
    customer_external_id: customer?.external_id ?? null,
    placed_at: time(o.processed_at ?? o.created_at, o.processed_at ? 'processed_at' : 'created_at'),
    currency,
    discount,
    shipping,
    ...(consistent && { tax }),
    ...(total !== undefined && { total }),
    discount_codes: codes,
    channel: text(o.source_name),
    // The first gateway that took money (`shopify_payments`, `paypal`, `manual`, `gift_card`…).
    payment_method: Array.isArray(o.payment_gateway_names) ? text(o.payment_gateway_names.find((name) => typeof name === 'string' && name.trim())) : null,
    status: statusOf(o),
    lines,
    // Shopify's own change time: a late delivery of an older state is not applied over a newer one.
    ...(typeof o.updated_at === 'string' && { source_updated_at: time(o.updated_at, 'updated_at') }),
    ...(Array.isArray(o.fulfillments) && o.fulfillments.length > 0 && {
      fulfillments: o.fulfillments.map((f, j) => {
        if (!isObject(f)) throw new Bad(`fulfillments.${j}`, 'must be an object');
        const { order_external_id: _order, ...fulfillment } = fulfillmentOf({ ...f, order_id: id }, `fulfillments.${j}.`);
        return fulfillment;
      }),
    }),
    ...(checkoutRefsOf(o).length > 0 && { checkout_ids: checkoutRefsOf(o) }),
  };
  if (customer && customer.email == null && text(o.email)) customer.email = text(o.email);
  // The language the customer shopped in (`customer_locale`, e.g. en-CA).
  const locale = text(o.customer_locale);
  if (customer && locale && isLanguageTag(locale)) customer.language = locale;
  return { order, customer };
}

function refundOf(r: Obj, storeCurrency: string): ReturnInput {
  const id = idOf(r.id);
  if (!id) throw new Bad('id', 'is required');
  const orderId = idOf(r.order_id);
  if (!orderId) throw new Bad('order_id', 'is required');
  const transactions = (Array.isArray(r.transactions) ? r.transactions : []).filter(isObject)
    .filter((t) => (t.kind === 'refund' || t.kind === undefined) && (t.status === 'success' || t.status === undefined));
  const currency = (text(transactions[0]?.currency) ?? storeCurrency).toUpperCase();
  if (!isCurrency(currency)) throw new Bad('transactions.0.currency', `unknown ISO 4217 currency "${String(transactions[0]?.currency)}"`);
  const items = Array.isArray(r.refund_line_items) ? r.refund_line_items : [];
  const lines: ReturnLineInput[] = items.map((item, j) => {
    if (!isObject(item)) throw new Bad(`refund_line_items.${j}`, 'must be an object');
    const lineItem = isObject(item.line_item) ? item.line_item : {};
    return {
      product_external_id: idOf(lineItem.product_id) ?? null,
      sku: text(lineItem.sku),
      quantity: Number.isSafeInteger(item.quantity) ? (item.quantity as number) : 0,
      amount: money(item.subtotal, currency, `refund_line_items.${j}.subtotal`),
    };
  });
  const paid = transactions.reduce<number>((sum, t, j) => sum + money(t.amount, currency, `transactions.${j}.amount`), 0);
  const amount = transactions.length > 0 ? paid : lines.reduce((sum, line) => sum + line.amount, 0);
  const linesSum = lines.reduce((sum, line) => sum + line.amount, 0);
  return {
    external_id: id,
    order_external_id: orderId,
    returned_at: time(r.processed_at ?? r.created_at, r.processed_at ? 'processed_at' : 'created_at'),
    currency,
    amount,
    reason: text(r.note),
    // Lines are kept only when they explain the refunded amount (shipping refunds, tax and
    // adjustments otherwise make up the difference).
    ...(lines.length > 0 && linesSum === amount && { lines }),
  };
}
