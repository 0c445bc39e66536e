/**
 * Money is integer minor units plus an ISO 4217 code. Decimal strings from files and APIs are
 * converted without going through floating point, so 0.1 + 0.2 never becomes 0.30000000000000004.
 */
const knownCurrencies = new Set(Intl.supportedValuesOf('currency'));

export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && knownCurrencies.has(code);
}

const exponentCache = new Map<string, number>();

/** Digits after the decimal point for a currency (JPY 0, EUR 2, KWD 3), as Intl knows them. */
export function minorExponent(currency: string): number {
  let exponent = exponentCache.get(currency);
  if (exponent === undefined) {
    exponent = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    exponentCache.set(currency, exponent);
  }
  return exponent;
}

/**
 * Parses a decimal amount ("12.5", "-3", "1,234.56" is not accepted) into minor units, rounding
 * half away from zero at the currency's exponent. Returns undefined for text that is not a number.
 */
export function toMinorUnits(amount: string | number, currency: string): number | undefined {
  const exponent = minorExponent(currency);
  const text = typeof amount === 'number' ? numberToPlainString(amount) : amount.trim();
  const match = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return undefined;
  const sign = match[1] === '-' ? -1 : 1;
  const whole = match[2] || '0';
  const fraction = (match[3] ?? '').padEnd(exponent + 1, '0');
  const kept = fraction.slice(0, exponent);
  const roundDigit = Number(fraction[exponent] ?? '0');
  let units = Number(whole) * 10 ** exponent + Number(kept || '0');
  if (roundDigit >= 5) units += 1;
  if (!Number.isSafeInteger(units)) return undefined;
  return sign * units || 0;
}

function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) return 'NaN';
  // Twelve significant decimals is beyond any currency's precision and avoids 1e-7 style output.
  return value.toFixed(12).replace(/\.?0+$/, '');
}

export function fromMinorUnits(units: number, currency: string): number {
  return units / 10 ** minorExponent(currency);
}

export function formatMoney(units: number, currency: string, locale = 'en'): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(fromMinorUnits(units, currency));
}

/**
 * A money average (per order, per customer) in whole minor units: the API never returns fractions
 * of a cent. Rounded half away from zero (Math.round on the magnitude); null when there is nothing
 * to average.
 */
export function averageMinorUnits(total: number, count: number): number | null {
  if (!(count > 0)) return null;
  const mean = total / count;
  return Math.sign(mean) * Math.round(Math.abs(mean)) || 0;
}
