/**
 * Shopify-like Liquid filters for message templates. Money is integer minor units plus a currency
 * (the store's unless one is given), formatted for the recipient's language; dates are shown in the
 * store's time zone. Every filter tolerates a missing value (a send renders leniently), so a template
 * never fails for one customer with a blank field.
 */
import type { Context, Liquid } from 'liquidjs';

/** What liquidjs binds `this` to in a filter. */
interface FilterImpl { context: Context }
import { isCurrency, minorExponent } from '../../lib/money.js';
import { isTimeZone } from '../../lib/time.js';

type Lookup = (this: FilterImpl, ...path: string[]) => unknown;

const lookup: Lookup = function (...path) {
  try {
    return this.context.getSync(path);
  } catch {
    return undefined;
  }
};

function currencyOf(impl: FilterImpl, given: unknown): string {
  if (typeof given === 'string' && isCurrency(given.toUpperCase())) return given.toUpperCase();
  const store = lookup.call(impl, 'store', 'currency');
  return typeof store === 'string' && isCurrency(store) ? store : 'USD';
}

/**
 * Formatters are costly to build (tens of microseconds) and a send renders thousands of messages,
 * so each is built once per language and currency or time zone.
 */
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<F extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => F): F {
  let formatter = formatters.get(key) as F | undefined;
  if (!formatter) {
    formatter = make();
    if (formatters.size > 5000) formatters.clear();
    formatters.set(key, formatter);
  }
  return formatter;
}

const canonical = new Map<string, string>();
/** The recipient's language when known, else English. */
function localeOf(impl: FilterImpl): string {
  const value = lookup.call(impl, 'customer', 'language');
  if (typeof value !== 'string' || !value) return 'en';
  let locale = canonical.get(value);
  if (locale === undefined) {
    try {
      locale = Intl.getCanonicalLocales(value)[0] ?? 'en';
      new Intl.NumberFormat(locale);
    } catch {
      locale = 'en';
    }
    if (canonical.size < 1000) canonical.set(value, locale);
  }
  return locale;
}

function minorUnitsOf(value: unknown): number | undefined {
  const units = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof units === 'number' && Number.isFinite(units) ? Math.round(units) : undefined;
}

/** `{{ order.total | money }}` → "€12.50"; `{{ 1250 | money: "JPY" }}` → "¥1,250". */
function money(this: FilterImpl, value: unknown, currency?: unknown): string {
  const units = minorUnitsOf(value);
  if (units === undefined) return '';
  const code = currencyOf(this, currency);
  const locale = localeOf(this);
  return cached(`m:${locale}:${code}`, () => new Intl.NumberFormat(locale, { style: 'currency', currency: code })).format(units / 10 ** minorExponent(code));
}

/** "12.50" (the number as the recipient's language writes it, without the currency). */
function moneyWithoutCurrency(this: FilterImpl, value: unknown, currency?: unknown): string {
  const units = minorUnitsOf(value);
  if (units === undefined) return '';
  const code = currencyOf(this, currency);
  const digits = minorExponent(code);
  const locale = localeOf(this);
  return cached(`n:${locale}:${digits}`, () => new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })).format(units / 10 ** digits);
}

/** "€12.50 EUR", for stores that sell in several currencies with the same symbol. */
function moneyWithCurrency(this: FilterImpl, value: unknown, currency?: unknown): string {
  const text = money.call(this, value, currency);
  return text && `${text} ${currencyOf(this, currency)}`;
}

/**
 * strftime-like, in the store's time zone unless a zone is given: `{{ order.created_at | date: "%e %B %Y" }}`.
 * "now" and "today" are the render time. Supports %a %A %b %B %d %e %H %I %j %k %l %m %M %p %P %S
 * %y %Y %Z %z %% and the "-" flag (no padding, `%-d`). Names are English, like Shopify's default.
 */
function date(this: FilterImpl, value: unknown, format?: unknown, zone?: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  const instant = value === 'now' || value === 'today' ? new Date()
    : value instanceof Date ? value : new Date(typeof value === 'number' && value < 1e11 ? value * 1000 : String(value as string));
  if (Number.isNaN(instant.getTime())) return String(value as string);
  const storeZone = lookup.call(this, 'store', 'timezone');
  const tz = knownZone(zone) ?? knownZone(storeZone) ?? 'UTC';
  return strftime(instant, typeof format === 'string' ? format : '%b %-d, %Y', tz);
}

const zones = new Map<string, boolean>();
function knownZone(zone: unknown): string | undefined {
  if (typeof zone !== 'string' || !zone) return undefined;
  let known = zones.get(zone);
  if (known === undefined) {
    known = isTimeZone(zone);
    if (zones.size < 1000) zones.set(zone, known);
  }
  return known ? zone : undefined;
}

const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

interface LocalTime { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number; offsetMinutes: number; zoneName: string }

function localTime(instant: Date, tz: string): LocalTime {
  const parts = cached(`d:${tz}`, () => new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', timeZoneName: 'short',
  })).formatToParts(instant);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '0';
  const local = { year: Number(part('year')), month: Number(part('month')), day: Number(part('day')), hour: Number(part('hour')) % 24, minute: Number(part('minute')), second: Number(part('second')) };
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return { ...local, weekday: new Date(asUtc).getUTCDay(), offsetMinutes: Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000), zoneName: part('timeZoneName') };
}

export function strftime(instant: Date, format: string, tz: string): string {
  const t = localTime(instant, tz);
  return format.replace(/%(-?)([a-zA-Z%])/g, (whole, flag: string, code: string) => {
    const pad = (n: number, width = 2, fill = '0'): string => (flag === '-' ? String(n) : String(n).padStart(width, fill));
    const hour12 = t.hour % 12 || 12;
    switch (code) {
      case 'a': return days[t.weekday]!.slice(0, 3);
      case 'A': return days[t.weekday]!;
      case 'b': case 'h': return months[t.month - 1]!.slice(0, 3);
      case 'B': return months[t.month - 1]!;
      case 'd': return pad(t.day);
      case 'e': return pad(t.day, 2, ' ');
      case 'H': return pad(t.hour);
      case 'I': return pad(hour12);
      case 'j': return pad(Math.round((Date.UTC(t.year, t.month - 1, t.day) - Date.UTC(t.year, 0, 1)) / 86_400_000) + 1, 3);
      case 'k': return pad(t.hour, 2, ' ');
      case 'l': return pad(hour12, 2, ' ');
      case 'm': return pad(t.month);
      case 'M': return pad(t.minute);
      case 'p': return t.hour < 12 ? 'AM' : 'PM';
      case 'P': return t.hour < 12 ? 'am' : 'pm';
      case 'S': return pad(t.second);
      case 'y': return pad(t.year % 100);
      case 'Y': return String(t.year);
      case 'Z': return t.zoneName;
      case 'z': {
        const abs = Math.abs(t.offsetMinutes);
        return `${t.offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
      }
      case '%': return '%';
      default: return whole;
    }
  });
}

/**
 * An image URL at a size: `{{ item.image | image_url: width: 300 }}` or `{{ item.image | img_url: "300x300" }}`.
 * The size is added as width/height query parameters, which Shopify's CDN and most image CDNs read.
 */
function imageUrl(this: FilterImpl, value: unknown, ...args: unknown[]): string {
  if (typeof value !== 'string' || !value) return '';
  let width: number | undefined;
  let height: number | undefined;
  for (const arg of args) {
    if (Array.isArray(arg) && arg.length === 2) {
      const [key, size] = arg as [string, unknown];
      if (key === 'width') width = Number(size);
      if (key === 'height') height = Number(size);
    } else if (typeof arg === 'string') {
      const match = /^(\d*)x(\d*)$/.exec(arg);
      if (match) {
        if (match[1]) width = Number(match[1]);
        if (match[2]) height = Number(match[2]);
      }
    } else if (typeof arg === 'number') {
      width = arg;
    }
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  // Only web addresses take size parameters; a data: or cid: image is used as it is.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return value;
  if (width && Number.isFinite(width)) url.searchParams.set('width', String(Math.round(width)));
  if (height && Number.isFinite(height)) url.searchParams.set('height', String(Math.round(height)));
  return url.toString();
}

/** `{{ n | pluralize: "item", "items" }}` → "item" for 1, "items" otherwise. */
function pluralize(value: unknown, singular?: unknown, plural?: unknown): string {
  const one = typeof singular === 'string' ? singular : '';
  const many = typeof plural === 'string' ? plural : `${one}s`;
  return Number(value) === 1 ? one : many;
}

/** "Blue Cotton T-Shirt!" → "blue-cotton-t-shirt" (Shopify's handles). */
function handleize(value: unknown): string {
  return String(value ?? '').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** Registers the filters on an engine; liquidjs's own (default, url_encode, json, raw, upcase, …) stay. */
export function registerFilters(engine: Liquid): void {
  engine.registerFilter('money', money);
  engine.registerFilter('money_without_currency', moneyWithoutCurrency);
  engine.registerFilter('money_with_currency', moneyWithCurrency);
  engine.registerFilter('date', date);
  engine.registerFilter('image_url', imageUrl);
  engine.registerFilter('img_url', imageUrl);
  engine.registerFilter('pluralize', pluralize);
  engine.registerFilter('handleize', handleize);
  engine.registerFilter('handle', handleize);
}

/** Filter names a template may use beyond liquidjs's own, for the documentation and the editor. */
export const hearthFilters = ['money', 'money_without_currency', 'money_with_currency', 'date', 'image_url', 'img_url', 'pluralize', 'handleize', 'handle'] as const;
