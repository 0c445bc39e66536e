/**
 * Conversion between JavaScript values and DuckDB values at the driver boundary, so repositories
 * see plain numbers, strings, Dates and arrays.
 */
import {
  BIGINT,
  blobValue,
  BOOLEAN,
  DATE,
  DOUBLE,
  DuckDBDateValue,
  DuckDBListValue,
  DuckDBTimestampValue,
  LIST,
  listValue,
  TIMESTAMP,
  timestampValue,
  VARCHAR,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';

/** Parameters: integers bind as BIGINT, Dates as TIMESTAMP (UTC), bytes as BLOB, arrays as LISTs. */
export function toDuckValue(value: unknown): DuckDBValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  if (value instanceof Date) return timestampValue(BigInt(value.getTime()) * 1000n);
  if (value instanceof Uint8Array) return blobValue(value);
  if (Array.isArray(value)) return listValue(value.map(toDuckValue));
  if (value instanceof DuckDBListValue || value instanceof DuckDBTimestampValue || value instanceof DuckDBDateValue) return value;
  // Objects are stored as JSON text.
  return JSON.stringify(value);
}

/**
 * The type to bind a parameter as, where DuckDB's driver would guess it wrong: it types a list by
 * its first item, so a list starting with NULL bound every other item as NULL too. Such a list is
 * typed by its first non-null item (all-null lists bind as they are). Undefined: the driver's guess.
 */
export function bindingType(value: DuckDBValue): DuckDBType | undefined {
  if (!(value instanceof DuckDBListValue) || value.items[0] !== null) return undefined;
  const item = value.items.find((v) => v !== null);
  const type = item === undefined ? undefined : itemType(item);
  return type && LIST(type);
}

function itemType(item: DuckDBValue): DuckDBType | undefined {
  if (typeof item === 'string') return VARCHAR;
  if (typeof item === 'bigint') return BIGINT;
  if (typeof item === 'number') return DOUBLE;
  if (typeof item === 'boolean') return BOOLEAN;
  if (item instanceof DuckDBTimestampValue) return TIMESTAMP;
  if (item instanceof DuckDBDateValue) return DATE;
  if (item instanceof DuckDBListValue) return bindingType(item) ?? undefined;
  return undefined;
}

/**
 * Results: BIGINT/HUGEINT become numbers (ids and minor-unit sums stay far below 2^53), DATE
 * becomes 'YYYY-MM-DD', TIMESTAMP a Date, BLOB a Uint8Array; lists recurse.
 */
export function fromJsValue(value: unknown, columnType: string): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) {
    return columnType === 'DATE' ? value.toISOString().slice(0, 10) : value;
  }
  if (Array.isArray(value)) {
    const inner = columnType.endsWith('[]') ? columnType.slice(0, -2) : '';
    return value.map((item) => fromJsValue(item, inner));
  }
  return value;
}
