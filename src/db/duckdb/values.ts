/**
 * Conversion between JavaScript values and DuckDB values at the driver boundary, so repositories
 * see plain numbers, strings, Dates and arrays.
 */
import {
  DuckDBDateValue,
  DuckDBListValue,
  DuckDBTimestampValue,
  listValue,
  timestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';

/** Parameters: integers bind as BIGINT, Dates as TIMESTAMP (UTC), arrays as LISTs. */
export function toDuckValue(value: unknown): DuckDBValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  if (value instanceof Date) return timestampValue(BigInt(value.getTime()) * 1000n);
  if (Array.isArray(value)) return listValue(value.map(toDuckValue));
  if (value instanceof DuckDBListValue || value instanceof DuckDBTimestampValue || value instanceof DuckDBDateValue) return value;
  // Objects are stored as JSON text.
  return JSON.stringify(value);
}

/**
 * Results: BIGINT/HUGEINT become numbers (ids and minor-unit sums stay far below 2^53), DATE
 * becomes 'YYYY-MM-DD', TIMESTAMP a Date; lists recurse.
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
