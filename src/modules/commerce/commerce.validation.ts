/**
 * The rules every batch must pass before the writer touches the store, whatever its source (the
 * admin API, file imports, Segment, Shopify). All problems are collected with the path of the
 * field (`orders.3.lines.0.quantity`), so a rejected batch can be fixed in one go; nothing is
 * written unless the whole batch passes.
 *
 * The result is the batch with defaults filled in (line totals, subtotal, total, zero discount /
 * shipping / tax, upper-case currencies, trimmed lower-case emails), which is what the writer stores.
 */
import { AppError, type ErrorDetail } from '../../lib/errors.js';
import { isCurrency } from '../../lib/money.js';
import { isCalendarDay, isTimeZone } from '../../lib/time.js';
import { consentStatuses } from '../customers/index.js';
import type {
  ConsentInput, CustomerInput, CommerceBatch, OrderInput, OrderLineInput, ProductInput, ReturnInput, ReturnLineInput,
} from './commerce.input.js';
import { checkoutOf, fulfillmentOf, type NormalCheckout, type NormalFulfillment } from './lifecycle.validation.js';

import { orderStatuses } from '../orders/index.js';
export { orderStatuses };
export type { NormalCheckout, NormalFulfillment };

/** More detail than this helps nobody; the message still says how many problems there were. */
const MAX_DETAILS = 100;
const MAX_ID_LENGTH = 255;
/** Quantities are stored as INTEGER. */
const MAX_QUANTITY = 2 ** 31 - 1;

export type NormalLine = Required<Pick<OrderLineInput, 'quantity' | 'unit_price' | 'total'>> & OrderLineInput;
export type NormalOrder = Omit<OrderInput, 'lines'> & Required<Pick<OrderInput, 'subtotal' | 'discount' | 'shipping' | 'tax' | 'total'>> & { lines: NormalLine[] };
export type NormalReturn = ReturnInput & { lines: ReturnLineInput[] };

export interface NormalBatch {
  customers: CustomerInput[];
  products: ProductInput[];
  orders: NormalOrder[];
  returns: NormalReturn[];
  /** Fulfilments given in their own section and inside their orders. */
  fulfillments: NormalFulfillment[];
  checkouts: NormalCheckout[];
}

export class Problems {
  readonly list: ErrorDetail[] = [];
  count = 0;
  /** `at` and `field` are joined only when a problem is recorded: valid batches build no paths. */
  add(at: string, field: string | undefined, reason: string): void {
    this.count += 1;
    if (this.list.length < MAX_DETAILS) this.list.push({ path: field === undefined ? at : `${at}.${field}`, reason });
  }
}

const isMoney = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);
const isValidDate = (value: unknown): value is Date => value instanceof Date && !Number.isNaN(value.getTime());

export function checkId(p: Problems, at: string, field: string | undefined, value: unknown, required: boolean): void {
  if (value === undefined || value === null) {
    if (required) p.add(at, field, 'is required');
    return;
  }
  if (typeof value !== 'string' || value.trim() === '') p.add(at, field, 'must be a non-empty string');
  else if (value.length > MAX_ID_LENGTH) p.add(at, field, `must be at most ${MAX_ID_LENGTH} characters`);
}

export function checkText(p: Problems, at: string, field: string | undefined, value: unknown): void {
  if (value !== undefined && value !== null && typeof value !== 'string') p.add(at, field, 'must be a string or null');
}

/** Minor units: an integer, and not negative unless the field allows it. */
export function checkMoney(p: Problems, at: string, field: string | undefined, value: unknown, required: boolean): void {
  if (value === undefined || value === null) {
    if (required) p.add(at, field, 'is required');
  } else if (!isMoney(value)) {
    p.add(at, field, 'must be an integer amount in minor units (e.g. cents)');
  } else if (value < 0) {
    p.add(at, field, 'must not be negative');
  }
}

export function checkQuantity(p: Problems, at: string, field: string | undefined, value: unknown): void {
  if (value === undefined || value === null) p.add(at, field, 'is required');
  else if (typeof value !== 'number' || !Number.isSafeInteger(value)) p.add(at, field, 'must be an integer');
  else if (value < 0) p.add(at, field, 'must not be negative');
  else if (value > MAX_QUANTITY) p.add(at, field, `must be at most ${MAX_QUANTITY}`);
}

export function checkCurrency(p: Problems, at: string, field: string | undefined, value: unknown, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) p.add(at, field, 'is required');
    return undefined;
  }
  const code = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!isCurrency(code)) {
    p.add(at, field, `unknown ISO 4217 currency "${String(value)}"`);
    return undefined;
  }
  return code;
}

export function checkDate(p: Problems, at: string, field: string | undefined, value: unknown, required: boolean): void {
  if (value === undefined || value === null) {
    if (required) p.add(at, field, 'is required');
  } else if (!isValidDate(value)) {
    p.add(at, field, 'must be a valid date-time');
  }
}

export function checkStringList(p: Problems, at: string, field: string | undefined, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) p.add(at, field, 'must be a list of strings');
}

export function checkArray(p: Problems, at: string, field: string | undefined, value: unknown, required: boolean): value is unknown[] {
  if (value === undefined || value === null) {
    if (required) p.add(at, field, 'is required');
    return false;
  }
  if (!Array.isArray(value)) {
    p.add(at, field, 'must be a list');
    return false;
  }
  return true;
}

/** The fields an order line and a cart item share. */
export function checkLineFields(p: Problems, at: string, line: Omit<OrderLineInput, 'total'>): void {
  checkId(p, at, 'product_external_id', line.product_external_id, false);
  checkId(p, at, 'variant_external_id', line.variant_external_id, false);
  checkText(p, at, 'sku', line.sku);
  checkText(p, at, 'title', line.title);
  checkQuantity(p, at, 'quantity', line.quantity);
  checkMoney(p, at, 'unit_price', line.unit_price, true);
}

/** An id that `checkId` accepts without a closer look: short, starting with a visible ASCII character. */
const plainId = (value: unknown): boolean => value === undefined || value === null
  || (typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH && value.charCodeAt(0) > 32 && value.charCodeAt(0) < 127);
const plainText = (value: unknown): boolean => value === undefined || value === null || typeof value === 'string';
const plainAmount = (value: unknown): boolean => isMoney(value) && value >= 0;

/** True when every check of an order line would pass; otherwise the line takes the checks that name its fields. */
function plainLine(line: OrderLineInput): boolean {
  return line !== null && typeof line === 'object'
    && plainId(line.product_external_id) && plainId(line.variant_external_id) && plainText(line.sku) && plainText(line.title)
    && plainAmount(line.quantity) && line.quantity <= MAX_QUANTITY && plainAmount(line.unit_price)
    && (line.total === undefined || line.total === null ? Number.isSafeInteger(line.quantity * line.unit_price) : plainAmount(line.total));
}

/** The largest amount Hearth stores exactly (JavaScript's and the BIGINT columns' common range). */
const MAX_AMOUNT_TEXT = '2^53 − 1 minor units';

function customer(p: Problems, at: string, c: CustomerInput): CustomerInput {
  checkId(p, at, 'external_id', c.external_id, true);
  for (const field of ['email', 'first_name', 'last_name', 'phone', 'country', 'city'] as const) checkText(p, at, field, c[field]);
  if (c.accepts_marketing !== undefined && typeof c.accepts_marketing !== 'boolean') p.add(at, 'accepts_marketing', 'must be true or false');
  checkStringList(p, at, 'tags', c.tags);
  if (c.attributes !== undefined && (c.attributes === null || typeof c.attributes !== 'object' || Array.isArray(c.attributes))) {
    p.add(at, 'attributes', 'must be an object');
  }
  checkDate(p, at, 'created_at', c.created_at, false);
  const email_consent = checkConsent(p, at, 'email_consent', c.email_consent);
  const sms_consent = checkConsent(p, at, 'sms_consent', c.sms_consent);
  if (typeof c.birthday === 'string' && !(/^\d{4}-\d{2}-\d{2}$/.test(c.birthday) ? isCalendarDay(c.birthday) : /^--\d{2}-\d{2}$/.test(c.birthday) && isCalendarDay(`2000${c.birthday.slice(1)}`))) {
    p.add(at, 'birthday', 'must be a calendar day YYYY-MM-DD (or --MM-DD without the year)');
  } else checkText(p, at, 'birthday', c.birthday);
  let language = c.language;
  if (typeof language === 'string') {
    language = language.trim().replace(/_/g, '-');
    if (!isLanguageTag(language)) p.add(at, 'language', 'must be a language tag such as en, fr-CA or pt-BR');
  } else checkText(p, at, 'language', language);
  if (typeof c.timezone === 'string' && !isTimeZone(c.timezone)) p.add(at, 'timezone', 'must be an IANA time zone such as Europe/Paris');
  else checkText(p, at, 'timezone', c.timezone);
  const email = typeof c.email === 'string' ? c.email.trim().toLowerCase() || null : c.email;
  const normal: CustomerInput = { ...c, email, language };
  if (email_consent) normal.email_consent = email_consent;
  if (sms_consent) normal.sms_consent = sms_consent;
  for (const key of ['email', 'language'] as const) if (normal[key] === undefined) delete normal[key];
  return consentInStep(normal);
}

/** accepts_marketing and the email consent say the same thing: either one given sets both. */
export function consentInStep(c: CustomerInput): CustomerInput {
  if (c.email_consent && c.accepts_marketing === undefined) return { ...c, accepts_marketing: c.email_consent.status === 'subscribed' };
  if (typeof c.accepts_marketing === 'boolean' && !c.email_consent) return { ...c, email_consent: { status: c.accepts_marketing ? 'subscribed' : 'unsubscribed' } };
  return c;
}

/** A BCP 47 language tag as stores send them: en, fr-CA, pt_BR, zh-Hant-TW. */
export const isLanguageTag = (text: string): boolean => /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/.test(text.trim());

function checkConsent(p: Problems, at: string, field: string, value: unknown): ConsentInput | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    p.add(at, field, 'must be an object { status, at?, source? }');
    return undefined;
  }
  const consent = value as ConsentInput;
  if (!(consentStatuses as readonly string[]).includes(consent.status)) p.add(at, `${field}.status`, `must be one of ${consentStatuses.join(', ')}`);
  checkDate(p, at, `${field}.at`, consent.at, false);
  checkText(p, at, `${field}.source`, consent.source);
  return { status: consent.status, ...(consent.at && { at: consent.at }), ...(consent.source && { source: consent.source }) };
}

/** Units in stock: a whole number (negative when oversold) or null (not counted). */
function checkStock(p: Problems, at: string, field: string, value: unknown): void {
  if (value !== undefined && value !== null && !Number.isSafeInteger(value)) p.add(at, field, 'must be a whole number of units or null');
}

function product(p: Problems, at: string, item: ProductInput): ProductInput {
  checkId(p, at, 'external_id', item.external_id, true);
  if (typeof item.title !== 'string' || item.title.trim() === '') p.add(at, 'title', item.title === undefined ? 'is required' : 'must be a non-empty string');
  for (const field of ['category', 'image_url'] as const) checkText(p, at, field, item[field]);
  checkMoney(p, at, 'price', item.price, false);
  const currency = checkCurrency(p, at, 'currency', item.currency, false);
  if (item.published !== undefined && item.published !== null && typeof item.published !== 'boolean') p.add(at, 'published', 'must be true, false or null');
  checkDate(p, at, 'published_at', item.published_at, false);
  checkStock(p, at, 'inventory_quantity', item.inventory_quantity);
  if (checkArray(p, at, 'variants', item.variants, false)) {
    item.variants!.forEach((variant, j) => {
      checkId(p, `${at}.variants.${j}`, 'external_id', variant.external_id, true);
      checkText(p, `${at}.variants.${j}`, 'sku', variant.sku);
      checkText(p, `${at}.variants.${j}`, 'title', variant.title);
      checkMoney(p, `${at}.variants.${j}`, 'price', variant.price, false);
      checkStock(p, `${at}.variants.${j}`, 'inventory_quantity', variant.inventory_quantity);
    });
  }
  return currency === undefined || currency === item.currency ? item : { ...item, currency };
}

function order(p: Problems, at: string, o: OrderInput): NormalOrder {
  checkId(p, at, 'external_id', o.external_id, true);
  checkId(p, at, 'customer_external_id', o.customer_external_id, false);
  checkDate(p, at, 'placed_at', o.placed_at, true);
  checkDate(p, at, 'source_updated_at', o.source_updated_at, false);
  const currency = checkCurrency(p, at, 'currency', o.currency, true) ?? o.currency;
  for (const field of ['subtotal', 'discount', 'shipping', 'tax', 'total'] as const) checkMoney(p, at, field, o[field], false);
  checkStringList(p, at, 'discount_codes', o.discount_codes);
  checkText(p, at, 'channel', o.channel);
  checkText(p, at, 'payment_method', o.payment_method);
  if (o.status !== undefined && !orderStatuses.includes(o.status)) p.add(at, 'status', `must be one of ${orderStatuses.join(', ')}`);
  const lines: NormalLine[] = [];
  let linesOk = checkArray(p, at, 'lines', o.lines, true);
  if (linesOk) {
    o.lines.forEach((line, j) => {
      // Most lines are plainly valid (every import line is): they skip the checks that name fields.
      if (plainLine(line)) {
        lines.push(line.total === undefined || line.total === null ? { ...line, total: line.quantity * line.unit_price } : line as NormalLine);
        return;
      }
      const lat = `${at}.lines.${j}`;
      const before = p.count;
      checkLineFields(p, lat, line);
      checkMoney(p, lat, 'total', line.total, false);
      if (p.count === before && (line.total === undefined || line.total === null) && !Number.isSafeInteger(line.quantity * line.unit_price)) {
        p.add(lat, 'unit_price', `× quantity is more than the largest amount Hearth stores (${MAX_AMOUNT_TEXT})`);
      }
      if (p.count !== before) linesOk = false;
      // A line total may differ from quantity × unit price (line-level discounts), so it is not checked against them.
      else lines.push({ ...line, total: line.total ?? line.quantity * line.unit_price });
    });
  }
  let linesSum = 0;
  for (const line of lines) linesSum += line.total;
  const subtotal = o.subtotal ?? linesSum;
  const discount = o.discount ?? 0;
  const shipping = o.shipping ?? 0;
  const tax = o.tax ?? 0;
  const computedTotal = subtotal - discount + shipping + tax;
  if (!Number.isSafeInteger(linesSum)) p.add(at, 'lines', `add up to more than the largest amount Hearth stores (${MAX_AMOUNT_TEXT})`);
  else if ([subtotal, discount, shipping, tax].every(isMoney) && !Number.isSafeInteger(computedTotal)) {
    p.add(at, 'total', `subtotal − discount + shipping + tax is more than the largest amount Hearth stores (${MAX_AMOUNT_TEXT})`);
  }
  // Totals are checked only when every part was given, so sources that omit parts are not rejected.
  if (linesOk && o.subtotal !== undefined && isMoney(o.subtotal) && lines.length > 0 && o.subtotal !== linesSum) {
    p.add(at, 'subtotal', `is ${o.subtotal} but the line totals add up to ${linesSum}`);
  }
  const partsGiven = (o.subtotal !== undefined || (linesOk && lines.length > 0))
    && o.discount !== undefined && o.shipping !== undefined && o.tax !== undefined;
  if (o.total !== undefined && isMoney(o.total) && partsGiven && [subtotal, discount, shipping, tax].every(isMoney) && o.total !== computedTotal) {
    p.add(at, 'total', `is ${o.total} but subtotal − discount + shipping + tax is ${computedTotal}`);
  }
  const total = o.total ?? computedTotal;
  if (o.total === undefined && isMoney(computedTotal) && computedTotal < 0) p.add(at, 'total', `subtotal − discount + shipping + tax is negative (${computedTotal})`);
  checkStringList(p, at, 'checkout_ids', o.checkout_ids);
  if (Array.isArray(o.checkout_ids)) o.checkout_ids.forEach((id, j) => checkId(p, `${at}.checkout_ids`, String(j), id, true));
  const fulfillments = o.fulfillments !== undefined && checkArray(p, at, 'fulfillments', o.fulfillments, false)
    ? o.fulfillments.map((f, j) => fulfillmentOf(p, `${at}.fulfillments.${j}`, { ...f, order_external_id: o.external_id }))
    : undefined;
  return { ...o, currency, subtotal, discount, shipping, tax, total, lines, ...(fulfillments && { fulfillments }) };
}

function returned(p: Problems, at: string, r: ReturnInput): NormalReturn {
  checkId(p, at, 'external_id', r.external_id, true);
  checkId(p, at, 'order_external_id', r.order_external_id, false);
  checkId(p, at, 'customer_external_id', r.customer_external_id, false);
  checkDate(p, at, 'returned_at', r.returned_at, true);
  const currency = checkCurrency(p, at, 'currency', r.currency, true) ?? r.currency;
  checkMoney(p, at, 'amount', r.amount, true);
  checkText(p, at, 'reason', r.reason);
  const lines = checkArray(p, at, 'lines', r.lines, false) ? r.lines! : [];
  let linesOk = true;
  lines.forEach((line, j) => {
    const before = p.count;
    checkId(p, `${at}.lines.${j}`, 'product_external_id', line.product_external_id, false);
    checkText(p, `${at}.lines.${j}`, 'sku', line.sku);
    checkQuantity(p, `${at}.lines.${j}`, 'quantity', line.quantity);
    checkMoney(p, `${at}.lines.${j}`, 'amount', line.amount, true);
    if (p.count !== before) linesOk = false;
  });
  const sum = lines.reduce((s, line) => s + (isMoney(line.amount) ? line.amount : 0), 0);
  if (linesOk && lines.length > 0 && isMoney(r.amount) && sum !== r.amount) {
    p.add(at, 'amount', `is ${r.amount} but the return lines add up to ${sum}`);
  }
  return { ...r, currency, lines };
}

function section<T, R>(p: Problems, name: string, items: T[] | undefined, check: (p: Problems, at: string, item: T) => R): R[] {
  if (items === undefined) return [];
  if (!checkArray(p, name, undefined, items, false)) return [];
  return items.map((item, i) => {
    if (item === null || typeof item !== 'object') {
      p.add(`${name}.${i}`, undefined, 'must be an object');
      return item as unknown as R;
    }
    return check(p, `${name}.${i}`, item);
  });
}

/** Checks a batch and fills in defaults; throws `validation_failed` naming every bad field. */
export function normaliseBatch(batch: CommerceBatch): NormalBatch {
  const p = new Problems();
  const result: NormalBatch = {
    customers: section(p, 'customers', batch.customers, customer),
    products: section(p, 'products', batch.products, product),
    orders: section(p, 'orders', batch.orders, order),
    returns: section(p, 'returns', batch.returns, returned),
    fulfillments: [],
    checkouts: section(p, 'checkouts', batch.checkouts, checkoutOf),
  };
  // Fulfilments inside orders first, so one also given in its own section is written as given there.
  for (const o of result.orders) if (o?.fulfillments) result.fulfillments.push(...(o.fulfillments as NormalFulfillment[]));
  result.fulfillments.push(...section(p, 'fulfillments', batch.fulfillments, fulfillmentOf));
  if (p.count > 0) {
    const more = p.count > p.list.length ? ` (first ${p.list.length} shown)` : '';
    throw new AppError('validation_failed', `The batch has ${p.count} invalid field${p.count === 1 ? '' : 's'}${more}; nothing was written`, p.list);
  }
  return result;
}
