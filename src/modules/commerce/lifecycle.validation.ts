/**
 * The writer's rules for fulfilments and checkouts, with the same paths and reasons as the rest of
 * a batch (`commerce.validation.ts`). Defaults that need the stored row (a fulfilment's status, a
 * checkout's start time) are the merge's, so an update that leaves a field out keeps it.
 */
import type { CheckoutInput, CheckoutItemInput, FulfillmentInput, FulfillmentLineInput } from './commerce.input.js';
import {
  checkArray, checkCurrency, checkDate, checkId, checkLineFields, checkMoney, checkQuantity, checkText, type Problems,
} from './commerce.validation.js';
import { fulfillmentStatuses } from '../orders/index.js';

export type NormalFulfillment = FulfillmentInput & { lines: FulfillmentLineInput[] };
export type NormalCheckout = CheckoutInput & { items?: CheckoutItemInput[] };

/** A recovery URL is put into emails: only absolute http(s) URLs are kept. */
function checkUrl(p: Problems, at: string, field: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'string') return p.add(at, field, 'must be a string or null');
  if (!/^https?:\/\/[^\s]+$/i.test(value) || value.length > 2048) p.add(at, field, 'must be an http(s) URL of at most 2048 characters');
}

export function fulfillmentOf(p: Problems, at: string, f: FulfillmentInput): NormalFulfillment {
  checkId(p, at, 'external_id', f.external_id, true);
  checkId(p, at, 'order_external_id', f.order_external_id, true);
  if (f.status !== undefined && !fulfillmentStatuses.includes(f.status)) p.add(at, 'status', `must be one of ${fulfillmentStatuses.join(', ')}`);
  for (const field of ['shipment_status', 'carrier', 'tracking_number'] as const) checkText(p, at, field, f[field]);
  checkUrl(p, at, 'tracking_url', f.tracking_url);
  for (const field of ['shipped_at', 'delivered_at', 'source_updated_at'] as const) checkDate(p, at, field, f[field], false);
  const lines = checkArray(p, at, 'lines', f.lines, false) ? f.lines! : [];
  lines.forEach((line, j) => {
    const lat = `${at}.lines.${j}`;
    if (line === null || typeof line !== 'object') return p.add(lat, undefined, 'must be an object');
    checkId(p, lat, 'product_external_id', line.product_external_id, false);
    checkId(p, lat, 'variant_external_id', line.variant_external_id, false);
    checkText(p, lat, 'sku', line.sku);
    checkQuantity(p, lat, 'quantity', line.quantity);
  });
  const shipment = typeof f.shipment_status === 'string' ? f.shipment_status.trim().toLowerCase() || null : f.shipment_status;
  return { ...f, ...(shipment !== undefined && { shipment_status: shipment }), lines };
}

export function checkoutOf(p: Problems, at: string, c: CheckoutInput): NormalCheckout {
  checkId(p, at, 'external_id', c.external_id, true);
  for (const field of ['cart_id', 'customer_external_id', 'anonymous_id'] as const) checkId(p, at, field, c[field], false);
  checkText(p, at, 'email', c.email);
  const currency = checkCurrency(p, at, 'currency', c.currency, false);
  checkMoney(p, at, 'value', c.value, false);
  if (c.add_items !== undefined && typeof c.add_items !== 'boolean') p.add(at, 'add_items', 'must be true or false');
  checkUrl(p, at, 'recovery_url', c.recovery_url);
  for (const field of ['started_at', 'updated_at', 'completed_at', 'deleted_at'] as const) checkDate(p, at, field, c[field], false);
  let sum = 0;
  if (c.items !== undefined && checkArray(p, at, 'items', c.items, true)) {
    c.items.forEach((item, j) => {
      const iat = `${at}.items.${j}`;
      if (item === null || typeof item !== 'object') return p.add(iat, undefined, 'must be an object');
      checkLineFields(p, iat, item);
      if (Number.isSafeInteger(item.quantity) && Number.isSafeInteger(item.unit_price)) sum += item.quantity * item.unit_price;
    });
    if (c.value === undefined && (c.currency === undefined || c.currency === null)) p.add(at, 'currency', 'is required with items');
  }
  if (c.value !== undefined && c.value !== null && (c.currency === undefined || c.currency === null)) p.add(at, 'currency', 'is required with a value');
  const email = typeof c.email === 'string' ? c.email.trim().toLowerCase() || null : c.email;
  return {
    ...c,
    ...(email !== undefined && { email }),
    ...(currency !== undefined && { currency }),
    ...(c.value === undefined && c.items !== undefined && Number.isSafeInteger(sum) && { value: sum }),
  };
}
