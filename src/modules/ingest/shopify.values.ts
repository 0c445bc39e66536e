/** Reading Shopify's JSON: ids, texts, money strings and times, with the path of what is wrong. */
import { toMinorUnits } from '../../lib/money.js';
import { parseInstant } from '../../lib/time.js';

export type Obj = Record<string, unknown>;
export const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
export const idOf = (value: unknown): string | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
export const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

export class Bad extends Error {
  constructor(readonly path: string, reason: string) {
    super(reason);
  }
}

export function money(value: unknown, currency: string, path: string): number {
  if (value === undefined || value === null || value === '') return 0;
  const units = typeof value === 'string' || typeof value === 'number' ? toMinorUnits(value, currency) : undefined;
  if (units === undefined) throw new Bad(path, `must be a decimal amount, got ${JSON.stringify(value)}`);
  return units;
}

export function time(value: unknown, path: string): Date {
  const date = typeof value === 'string' ? parseInstant(value) : undefined;
  if (!date) throw new Bad(path, 'must be an ISO-8601 date-time');
  return date;
}


/** A URL Hearth may show or mail: absolute http(s), else nothing (a bad one is dropped, not refused). */
export const httpUrl = (value: unknown): string | null => {
  const url = text(value);
  return url && /^https?:\/\/\S+$/i.test(url) && url.length <= 2048 ? url : null;
};

/** A line item of an order or a checkout: product, variant, SKU, title, quantity and unit price. */
export function lineItemOf(item: unknown, j: number, currency: string) {
  if (!isObject(item)) throw new Bad(`line_items.${j}`, 'must be an object');
  const quantity = item.quantity;
  if (!Number.isSafeInteger(quantity) || (quantity as number) < 0) throw new Bad(`line_items.${j}.quantity`, 'must be a whole number ≥ 0');
  return {
    product_external_id: idOf(item.product_id) ?? null,
    variant_external_id: idOf(item.variant_id) ?? null,
    sku: text(item.sku),
    title: text(item.title) ?? text(item.name) ?? text(item.presentment_title),
    quantity: quantity as number,
    unit_price: money(item.price, currency, `line_items.${j}.price`),
  };
}
