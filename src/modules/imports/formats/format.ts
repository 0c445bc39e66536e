/** What every import format provides: how its records are split, and how a record becomes entities. */
import { AppError } from '../../../lib/errors.js';
import { minorExponent, toMinorUnits } from '../../../lib/money.js';
import type { BatchBuilder, Origin } from '../batch-builder.js';
import type { ColumnMapping } from '../column-mapping.js';
import type { RecordSyntax, TextRecord } from '../record-reader.js';

export interface FormatContext {
  /** Currency for amounts that do not name one. */
  currency: string;
  /** The store's time zone, for times without an offset. */
  timeZone: string;
  mapping?: ColumnMapping | undefined;
}

/** Parses one file; a new one is made per file. */
export interface FormatParser {
  readonly syntax: RecordSyntax;
  readonly delimiter?: string;
  /** Receives a CSV file's first record; throws `bad_request` naming missing columns. */
  header?(fields: string[]): void;
  row(record: TextRecord, out: BatchBuilder): void;
}

export interface ImportFormat {
  name: string;
  /** The currency the data set's amounts are in (Online Retail: GBP); absent: the store's. */
  currency?: string;
  /** Time zone of a store created for this import (default: the configured one). */
  timeZone?: string;
  /** Whether the format needs --mapping. */
  needsMapping?: boolean;
  parser(context: FormatContext): FormatParser;
}

export const originOf = (record: TextRecord): Origin => ({ line: record.line, rows: 1, raw: record.raw });

/** Column positions by name from a header, or a fatal `bad_request` naming what is missing. */
export function columnsOf<K extends string>(format: string, header: string[], required: readonly K[], optional: readonly K[] = []): Record<K, number> {
  const positions = new Map(header.map((name, i) => [name.trim(), i] as const));
  const missing = required.filter((name) => !positions.has(name));
  if (missing.length) {
    throw new AppError('bad_request', `line 1: the ${format} header lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, [{ path: 'line 1', reason: `missing ${missing.join(', ')}` }]);
  }
  const result = {} as Record<K, number>;
  for (const name of [...required, ...optional]) result[name] = positions.get(name) ?? -1;
  return result;
}

/** A field by position; '' when absent. */
export const field = (fields: string[], index: number): string => (index < 0 ? '' : (fields[index] ?? '').trim());

/** Integers as written in exports: `6`, `-6`, `6.0`. */
export function parseInteger(text: string): number | undefined {
  if (!/^[+-]?\d+(\.0*)?$/.test(text)) return undefined;
  const value = Number.parseInt(text, 10);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Decimal text to minor units of a currency, like `toMinorUnits` (half away from zero), with a
 * fast path for plain `123.45` text: money parsing is a visible share of a 10M-line import.
 */
export function moneyReader(currency: string): (text: string) => number | undefined {
  const exponent = minorExponent(currency);
  const scale = 10 ** exponent;
  return (text) => {
    let i = 0;
    let sign = 1;
    if (text.charCodeAt(0) === 45) {
      sign = -1;
      i = 1;
    }
    let whole = 0;
    let digits = 0;
    for (; i < text.length; i += 1) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      whole = whole * 10 + c;
      digits += 1;
    }
    let fraction = 0;
    let places = 0;
    if (i < text.length && text.charCodeAt(i) === 46) {
      for (i += 1; i < text.length && places < exponent; i += 1, places += 1) {
        const c = text.charCodeAt(i) - 48;
        if (c < 0 || c > 9) return toMinorUnits(text, currency);
        fraction = fraction * 10 + c;
      }
      // More decimals than the currency has (e.g. 0.165 GBP): the general path rounds them.
      if (i < text.length) return toMinorUnits(text, currency);
    }
    if (i < text.length || digits > 12 || (digits === 0 && places === 0)) return toMinorUnits(text, currency);
    for (; places < exponent; places += 1) fraction *= 10;
    return sign * (whole * scale + fraction) || 0;
  };
}
