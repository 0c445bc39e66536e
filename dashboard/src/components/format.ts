/**
 * Numbers in the store's currency and the reader's locale. Money arrives as integer minor units
 * with an ISO currency; the number of minor digits comes from Intl (JPY 0, USD 2, BHD 3).
 */
export interface Formatter {
  locale: string;
  currency: string;
  money: (minor: number | null | undefined, options?: { compact?: boolean }) => string;
  number: (value: number | null | undefined, options?: { compact?: boolean; digits?: number }) => string;
  percent: (ratio: number | null | undefined, digits?: number) => string;
  date: (value: string | Date | null | undefined) => string;
  dateTime: (value: string | Date | null | undefined) => string;
  /** Minor units → major units (for chart axes). */
  major: (minor: number) => number;
}

const DASH = '—';

export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

function toDate(value: string | Date): Date {
  // A bare date is a calendar day in the store's time zone, not UTC midnight.
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00`) : new Date(value);
}

export function createFormatter(currency = 'USD', locale = typeof navigator !== 'undefined' ? navigator.language : 'en-US', timeZone?: string): Formatter {
  const digits = minorDigits(currency);
  const scale = 10 ** digits;
  const moneyFull = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const moneyCompact = new Intl.NumberFormat(locale, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 });
  const dateFormat = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', ...(timeZone && { timeZone }) });
  const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone && { timeZone }) });
  const plainDate = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric' });
  return {
    locale,
    currency,
    major: (minor) => minor / scale,
    money: (minor, options) => (minor === null || minor === undefined || !Number.isFinite(minor) ? DASH : (options?.compact && Math.abs(minor / scale) >= 10_000 ? moneyCompact : moneyFull).format(minor / scale)),
    number: (value, options) => {
      if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
      return new Intl.NumberFormat(locale, {
        maximumFractionDigits: options?.digits ?? (Number.isInteger(value) ? 0 : 2),
        ...(options?.compact && Math.abs(value) >= 10_000 && { notation: 'compact' }),
      }).format(value);
    },
    percent: (ratio, fractionDigits = 1) => (ratio === null || ratio === undefined || !Number.isFinite(ratio) ? DASH : new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits }).format(ratio)),
    date: (value) => {
      if (!value) return DASH;
      return (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? plainDate : dateFormat).format(toDate(value));
    },
    dateTime: (value) => (value ? dateTimeFormat.format(new Date(value)) : DASH),
  };
}

