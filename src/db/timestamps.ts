import { timestampValue, type DuckDBTimestampValue } from '@duckdb/node-api';

/** A Date as DuckDB's TIMESTAMP (microseconds), for appenders and bound parameters on the raw connection. */
export const timestampOf = (date: Date): DuckDBTimestampValue => timestampValue(BigInt(date.getTime()) * 1000n);
