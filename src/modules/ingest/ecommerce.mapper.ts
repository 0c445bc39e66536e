/**
 * Segment's ecommerce v2 events (https://segment.com/docs/connections/spec/ecommerce/v2/) mapped
 * to Hearth's model. Order events become orders and returns through the shared commerce writer; the
 * browsing events (Product Viewed, Cart Viewed, Checkout Started, …) stay events, checked here so
 * that analytics can rely on their property types. Amounts in the spec are decimal major units;
 * Hearth keeps integer minor units of the order's currency.
 */
import { isCurrency, toMinorUnits } from '../../lib/money.js';
import type { CommerceBatch, OrderInput, OrderLineInput, OrderStatusInput, ReturnInput } from '../commerce/index.js';
import { orderStatuses } from '../orders/index.js';
import type { NormalMessage } from './segment.validator.js';
import { checkoutEvents, checkoutIdsOf, fulfillmentEvents, mapCheckoutEvent, mapFulfillmentEvent } from './lifecycle.mapper.js';

export const orderEvents = ['Order Completed', 'Order Updated', 'Order Refunded', 'Order Cancelled'] as const;
export const browsingEvents = [
  'Product Viewed', 'Product Added', 'Product Removed', 'Cart Viewed', 'Checkout Started', 'Checkout Step Viewed',
  'Checkout Step Completed', 'Products Searched', 'Product Reviewed', 'Coupon Applied',
] as const;
export type EcommerceEvent = (typeof orderEvents)[number] | (typeof browsingEvents)[number];

type Failure = { ok: false; path: string; reason: string };

/** `Order Updated` / `Order Cancelled`: a change to an order, applied to the stored one (`order-changes.ts`). */
export interface OrderChange {
  name: 'Order Updated' | 'Order Cancelled';
  external_id: string;
  customer_external_id: string | null;
  occurred_at: Date;
  /** The currency the event names, if any (else the order's). */
  currency: string | undefined;
  /** The store's currency: an order first seen in this event, naming none, is in it. */
  storeCurrency: string;
  status: OrderStatusInput | undefined;
  properties: Obj;
}

export interface OrderParts {
  ok: true;
  lines: OrderLineInput[] | undefined;
  amounts: Partial<Record<'discount' | 'shipping' | 'tax' | 'total', number>>;
  discount_codes: string[] | undefined;
  channel: string | undefined;
  payment_method: string | undefined;
}

export type Mapped = { ok: true; batch: CommerceBatch; change?: OrderChange } | Failure;

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const fail = (path: string, reason: string): Failure => ({ ok: false, path: `properties.${path}`, reason });
const none: Mapped = { ok: true, batch: {} };

const idOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
const isAmount = (value: unknown): boolean => (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()));

/** Property types checked on every ecommerce event that carries them. */
const numericFields = ['price', 'revenue', 'total', 'subtotal', 'value', 'shipping', 'tax', 'discount', 'rating'];

function checkCommon(properties: Obj): Failure | undefined {
  for (const field of numericFields) {
    const value = properties[field];
    if (value !== undefined && value !== null && !isAmount(value)) return fail(field, 'must be a number');
  }
  const quantity = properties.quantity;
  if (quantity !== undefined && quantity !== null && !(Number.isSafeInteger(quantity) && (quantity as number) >= 0)) return fail('quantity', 'must be a whole number ≥ 0');
  for (const field of ['product_id', 'order_id', 'sku', 'cart_id', 'checkout_id']) {
    const value = properties[field];
    if (value !== undefined && value !== null && idOf(value) === undefined) return fail(field, 'must be a non-empty string or a number');
  }
  if (properties.products !== undefined && !Array.isArray(properties.products)) return fail('products', 'must be a list');
  return undefined;
}

/**
 * What an ecommerce event does to the store's data besides being stored as an event.
 * `storeCurrency` is used when the event names none.
 */
export function mapEcommerce(message: NormalMessage, storeCurrency: string): Mapped {
  if (message.type !== 'track' || !message.name) return none;
  const properties = message.properties;
  const name = message.name as EcommerceEvent;
  const isOrder = (orderEvents as readonly string[]).includes(name);
  if ((fulfillmentEvents as readonly string[]).includes(name)) return checkCommon(properties) ?? mapFulfillmentEvent(message);
  if (!isOrder && !(browsingEvents as readonly string[]).includes(name)) return none;
  const common = checkCommon(properties);
  if (common) return common;
  if (name === 'Products Searched' && properties.query !== undefined && typeof properties.query !== 'string') return fail('query', 'must be a string');
  if (name === 'Product Reviewed' && properties.rating !== undefined) {
    const rating = Number(properties.rating);
    if (!(rating >= 0 && rating <= 5)) return fail('rating', 'must be between 0 and 5');
  }
  if (!isOrder) return (checkoutEvents as readonly string[]).includes(name) ? mapCheckoutEvent(message, storeCurrency) : none;

  const orderId = idOf(properties.order_id);
  if (!orderId) return fail('order_id', `is required for ${name}`);
  const named = typeof properties.currency === 'string' ? properties.currency.trim().toUpperCase() : undefined;
  const currency = named ?? storeCurrency;
  if (!isCurrency(currency)) return fail('currency', `unknown ISO 4217 currency "${String(properties.currency)}"`);
  const parts = orderParts(properties, currency);
  if (!parts.ok) return parts;

  if (name === 'Order Refunded') return mapRefund(message, orderId, currency, properties, parts.lines ?? []);
  if (name === 'Order Updated' || name === 'Order Cancelled') {
    // A change to an order that may be stored already: what it names changes, the rest (the
    // placed date above all) is kept; resolved against the stored order before writing.
    const status = name === 'Order Cancelled' ? 'cancelled' : statusNamed(properties.status);
    return { ok: true, batch: {}, change: { name, external_id: orderId, customer_external_id: message.userId, occurred_at: message.occurredAt, currency: named, storeCurrency, status, properties } };
  }
  const order: OrderInput = {
    external_id: orderId,
    customer_external_id: message.userId,
    placed_at: message.occurredAt,
    currency,
    ...parts.amounts,
    discount_codes: parts.discount_codes ?? [],
    channel: parts.channel ?? 'web',
    ...(parts.payment_method && { payment_method: parts.payment_method }),
    status: statusNamed(properties.status) ?? 'paid',
    lines: parts.lines ?? [],
    checkout_ids: checkoutIdsOf(properties),
  };
  return { ok: true, batch: { orders: [order] } };
}

/** What an order event says about the order's lines and amounts, in minor units of `currency`; absent parts are undefined. */
export function orderParts(properties: Obj, currency: string): OrderParts | Failure {
  const money = (value: unknown): number | undefined => (value === undefined || value === null ? undefined : toMinorUnits(value as string | number, currency));
  let lines: OrderLineInput[] | undefined;
  const products = Array.isArray(properties.products) ? properties.products : undefined;
  if (products) {
    lines = [];
    for (const [j, product] of products.entries()) {
      if (!isObject(product)) return fail(`products.${j}`, 'must be an object');
      const check = checkCommon(product);
      if (check) return { ...check, path: check.path.replace('properties.', `properties.products.${j}.`) };
      if (product.price === undefined || product.price === null) return fail(`products.${j}.price`, 'is required');
      const unitPrice = money(product.price);
      if (unitPrice === undefined || unitPrice < 0) return fail(`products.${j}.price`, 'must be an amount ≥ 0');
      lines.push({
        product_external_id: idOf(product.product_id) ?? null,
        sku: idOf(product.sku) ?? null,
        title: typeof product.name === 'string' ? product.name : null,
        quantity: (product.quantity as number | undefined) ?? 1,
        unit_price: unitPrice,
      });
    }
  }
  const amounts: OrderParts['amounts'] = {};
  for (const field of ['discount', 'shipping', 'tax', 'total'] as const) {
    const value = money(properties[field]);
    if (value !== undefined) {
      if (value < 0) return fail(field, 'must not be negative');
      amounts[field] = value;
    }
  }
  // Segment's `revenue` excludes shipping and tax; use it when no `total` is given.
  const revenue = money(properties.revenue);
  if (amounts.total === undefined && revenue !== undefined) amounts.total = revenue + (amounts.shipping ?? 0) + (amounts.tax ?? 0);
  const codes = couponsOf(properties, products ?? []);
  return {
    ok: true,
    lines,
    amounts,
    discount_codes: codes.length > 0 || properties.coupon !== undefined ? codes : undefined,
    channel: typeof properties.affiliation === 'string' ? properties.affiliation : undefined,
    payment_method: typeof properties.payment_method === 'string' && properties.payment_method.trim() ? properties.payment_method.trim() : undefined,
  };
}

function mapRefund(message: NormalMessage, orderId: string, currency: string, properties: Obj, lines: OrderLineInput[]): Mapped {
  const given = properties.total ?? properties.value ?? properties.revenue;
  const amount = given === undefined || given === null
    ? lines.reduce((sum, line) => sum + line.quantity * line.unit_price, 0)
    : toMinorUnits(given as string | number, currency);
  if (amount === undefined || amount < 0) return fail('total', 'must be an amount ≥ 0');
  if (amount === 0) return fail('total', 'is required (or products) for Order Refunded');
  const returnLines = lines.map((line) => ({ product_external_id: line.product_external_id ?? null, sku: line.sku ?? null, quantity: line.quantity, amount: line.quantity * line.unit_price }));
  const linesSum = returnLines.reduce((sum, line) => sum + line.amount, 0);
  const refund: ReturnInput = {
    // The spec has no refund id; a retried message keeps its messageId, so the refund stays one.
    external_id: idOf(properties.refund_id) ?? `${orderId}:${message.messageId}`,
    order_external_id: orderId,
    customer_external_id: message.userId,
    returned_at: message.occurredAt,
    currency,
    amount,
    reason: typeof properties.reason === 'string' ? properties.reason : null,
    // Lines are kept only when they explain the amount; a partial product list would not.
    ...(linesSum === amount && returnLines.length > 0 && { lines: returnLines }),
  };
  return { ok: true, batch: { returns: [refund] } };
}

function statusNamed(value: unknown): OrderStatusInput | undefined {
  return typeof value === 'string' && (orderStatuses as readonly string[]).includes(value as OrderStatusInput) ? (value as OrderStatusInput) : undefined;
}

/** `coupon` may list several codes separated by commas; products may carry their own. */
function couponsOf(properties: Obj, products: unknown[]): string[] {
  const codes = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value !== 'string') return;
    for (const code of value.split(',')) if (code.trim()) codes.add(code.trim());
  };
  add(properties.coupon);
  for (const product of products) if (isObject(product)) add(product.coupon);
  return [...codes];
}

/** Turns a writer path (`orders.0.lines.2.unit_price`) into the event's field, for the rejection. */
export function eventPathOf(writerPath: string): string {
  const parts = writerPath.split('.').slice(2);
  const field: Record<string, string> = { unit_price: 'price', external_id: 'order_id', amount: 'total', customer_external_id: 'userId', placed_at: 'timestamp' };
  if (parts[0] === 'lines') return `properties.products.${parts[1]}.${field[parts[2] ?? ''] ?? parts[2] ?? ''}`;
  const name = parts[0] ?? '';
  if (name === 'customer_external_id' || name === 'placed_at') return field[name]!;
  return `properties.${field[name] ?? name}`;
}
