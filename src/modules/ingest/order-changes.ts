/**
 * Segment's order events after `Order Completed` change an order that is usually stored already.
 * `Order Updated` / `Order Cancelled` change what they name — status, amounts, lines when `products`
 * is given, coupons, channel — and keep the rest: the placed date is set once, so cohorts and
 * recency do not move when an order is edited or cancelled days later. `Order Cancelled` with only
 * `order_id` is enough. An `Order Refunded` larger than what is left to refund of a known order is
 * rejected with the amounts in the reason.
 *
 * Messages are resolved in their order in the request, against the stored orders and the orders
 * earlier messages of the same request wrote.
 */
import { formatMoney } from '../../lib/money.js';
import type { CommerceBatch, OrderInput, OrderLineInput, ReturnInput } from '../commerce/index.js';
import type { StoredOrder } from '../orders/index.js';
import { orderParts, type OrderChange } from './ecommerce.mapper.js';

/** An order as far as this request knows it, with its refunds (external id → amount). */
type Known = { order: OrderInput; refunds: Map<string, number> };

export interface Resolvable {
  effects: CommerceBatch;
  change?: OrderChange | undefined;
}

export type Resolution = { ok: true } | { ok: false; path: string; reason: string };

/** Order ids the messages change or refund: the stored orders to read first. */
export function ordersReferenced(messages: Resolvable[]): string[] {
  const ids = new Set<string>();
  for (const { effects, change } of messages) {
    if (change) ids.add(change.external_id);
    for (const refund of effects.returns ?? []) if (refund.order_external_id) ids.add(refund.order_external_id);
  }
  return [...ids];
}

function fromStored(stored: StoredOrder): Known {
  return {
    order: {
      external_id: stored.external_id,
      customer_external_id: stored.customer_external_id,
      placed_at: stored.placed_at,
      currency: stored.currency,
      subtotal: stored.subtotal,
      discount: stored.discount,
      shipping: stored.shipping,
      tax: stored.tax,
      total: stored.total,
      discount_codes: stored.discount_codes,
      channel: stored.channel,
      payment_method: stored.payment_method,
      status: stored.status,
      lines: stored.lines.map((line): OrderLineInput => ({
        product_external_id: line.product_external_id, variant_external_id: line.variant_external_id, sku: line.sku, title: line.title,
        quantity: line.quantity, unit_price: line.unit_price, total: line.total,
      })),
    },
    refunds: new Map(stored.refunds),
  };
}

/**
 * Rewrites each message's effects in place (a change becomes the whole order to write) and returns,
 * per message, whether it may be applied.
 */
export function resolveOrderChanges(messages: Resolvable[], stored: Map<string, StoredOrder>): Resolution[] {
  const known = new Map<string, Known>();
  const knownOf = (id: string): Known | undefined => {
    if (!known.has(id)) {
      const row = stored.get(id);
      if (row) known.set(id, fromStored(row));
    }
    return known.get(id);
  };
  return messages.map((message): Resolution => {
    const { effects, change } = message;
    if (change) {
      const resolved = applyChange(change, knownOf(change.external_id));
      if (!resolved.ok) return resolved;
      effects.orders = [resolved.order];
      known.set(change.external_id, { order: resolved.order, refunds: knownOf(change.external_id)?.refunds ?? new Map() });
      return { ok: true };
    }
    for (const order of effects.orders ?? []) known.set(order.external_id, { order, refunds: knownOf(order.external_id)?.refunds ?? new Map() });
    for (const refund of effects.returns ?? []) {
      const problem = checkRefund(refund, refund.order_external_id ? knownOf(refund.order_external_id) : undefined);
      if (problem) return problem;
    }
    return { ok: true };
  });
}

function applyChange(change: OrderChange, base: Known | undefined): { ok: true; order: OrderInput } | { ok: false; path: string; reason: string } {
  const currency = base?.order.currency ?? change.currency ?? change.storeCurrency;
  if (base && change.currency && change.currency !== base.order.currency) {
    return { ok: false, path: 'properties.currency', reason: `is ${change.currency} but order "${change.external_id}" is in ${base.order.currency}` };
  }
  if (!base && !Array.isArray(change.properties.products)) {
    return { ok: false, path: 'properties.order_id', reason: `no order "${change.external_id}" is stored yet: send Order Completed first, or the order's products with this event` };
  }
  const parts = orderParts(change.properties, currency);
  if (!parts.ok) return parts;
  if (!base) {
    // Unknown until now: the event describes the whole order, as Order Completed would.
    return {
      ok: true,
      order: {
        external_id: change.external_id, customer_external_id: change.customer_external_id, placed_at: change.occurred_at,
        currency, ...parts.amounts, discount_codes: parts.discount_codes ?? [], channel: parts.channel ?? 'web',
        status: change.status ?? 'paid', lines: parts.lines ?? [],
      },
    };
  }
  const order: OrderInput = { ...base.order };
  if (parts.lines) {
    // New lines: the subtotal follows them.
    order.lines = parts.lines;
    delete order.subtotal;
  }
  // New lines or amounts: the total follows them too, unless the event gives it.
  if ((parts.lines || Object.keys(parts.amounts).length > 0) && parts.amounts.total === undefined) delete order.total;
  Object.assign(order, parts.amounts);
  if (parts.discount_codes) order.discount_codes = parts.discount_codes;
  if (parts.channel) order.channel = parts.channel;
  if (parts.payment_method) order.payment_method = parts.payment_method;
  if (change.status) order.status = change.status;
  order.customer_external_id = base.order.customer_external_id ?? change.customer_external_id;
  return { ok: true, order };
}

function checkRefund(refund: ReturnInput, base: Known | undefined): Resolution | undefined {
  if (!base) return undefined;
  const { order, refunds } = base;
  if (refund.currency !== order.currency) {
    return { ok: false, path: 'properties.currency', reason: `is ${refund.currency} but order "${order.external_id}" is in ${order.currency}` };
  }
  const others = [...refunds].filter(([id]) => id !== refund.external_id).reduce((sum, [, amount]) => sum + amount, 0);
  const total = order.total ?? totalOf(order);
  if (others + refund.amount > total) {
    const money = (amount: number) => formatMoney(amount, order.currency);
    return {
      ok: false, path: 'properties.total',
      reason: `refunds ${money(refund.amount)}, more than is left of order "${order.external_id}" (${money(Math.max(0, total - others))} of ${money(total)})`,
    };
  }
  refunds.set(refund.external_id, refund.amount);
  return undefined;
}

/** An order's total when its source gave none: lines − discount + shipping + tax (the writer's default). */
function totalOf(order: OrderInput): number {
  const subtotal = order.subtotal ?? order.lines.reduce((sum, line) => sum + (line.total ?? line.quantity * line.unit_price), 0);
  return subtotal - (order.discount ?? 0) + (order.shipping ?? 0) + (order.tax ?? 0);
}
