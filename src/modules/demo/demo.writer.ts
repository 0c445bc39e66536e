/**
 * The demo's tracked-event history (browsing events and the identity links that stitch anonymous
 * visitors to customers). Commerce data goes through the commerce writer; these rows are not
 * commerce data, so they are streamed into their tables through appenders on the writer connection,
 * inside the writer's transaction after its merge (customer ids are known by then), 2,048 rows
 * (one DuckDB vector) at a time as data chunks: column-wise chunks cost one native call per chunk
 * instead of one per value.
 */
import { DuckDBDataChunk, timestampValue, type DuckDBAppender, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';

const VECTOR_SIZE = 2048;

/** What the demo writes, by table (the counts it reports). */
export const DEMO_TABLES = ['products', 'variants', 'customers', 'orders', 'order_lines', 'returns', 'return_lines', 'fulfillments', 'checkouts', 'events', 'identities'] as const;
export type DemoTable = (typeof DEMO_TABLES)[number];

/**
 * The columns the demo fills in the history tables. Columns added later by other migrations
 * (nullable or with defaults) are written as NULL; the writer maps these names onto the table's
 * actual layout.
 */
export const TABLE_COLUMNS = {
  events: ['store_id', 'id', 'message_id', 'type', 'name', 'customer_id', 'anonymous_id', 'session_id', 'url', 'properties', 'source', 'occurred_at', 'received_at', 'context'],
  identities: ['store_id', 'anonymous_id', 'customer_id', 'created_at'],
} as const;
export type HistoryTable = keyof typeof TABLE_COLUMNS;

export class TableWriter {
  private readonly types: DuckDBType[];
  private columns: DuckDBValue[][];
  private size = 0;
  rows = 0;

  private constructor(readonly table: HistoryTable, private readonly appender: DuckDBAppender, private readonly positions: number[]) {
    this.types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
    this.columns = this.types.map(() => []);
  }

  static async open(connection: DuckDBConnection, table: HistoryTable): Promise<TableWriter> {
    const reader = await connection.runAndReadAll(
      `select column_name from duckdb_columns() where schema_name = 'main' and table_name = $1 order by column_index`, [table]);
    const actual = reader.getRows().map((row) => String(row[0]));
    const positions = TABLE_COLUMNS[table].map((name) => actual.indexOf(name));
    const missing = TABLE_COLUMNS[table].filter((_, i) => positions[i] === -1);
    if (missing.length) throw new Error(`The ${table} table has no column ${missing.join(', ')}; the demo writer needs it`);
    return new TableWriter(table, await connection.createAppender(table), positions);
  }

  /** Values in TABLE_COLUMNS order: bigint for BIGINT, number for INTEGER, `ts()` for TIMESTAMP. */
  add(values: DuckDBValue[]): void {
    const { columns, positions } = this;
    if (positions.length === columns.length) {
      for (let i = 0; i < values.length; i += 1) columns[positions[i]!]!.push(values[i]!);
    } else {
      for (const column of columns) column.push(null);
      for (let i = 0; i < values.length; i += 1) columns[positions[i]!]![this.size] = values[i]!;
    }
    this.size += 1;
    this.rows += 1;
    if (this.size === VECTOR_SIZE) this.flushChunk();
  }

  private flushChunk(): void {
    if (this.size === 0) return;
    const chunk = DuckDBDataChunk.create(this.types, this.size);
    chunk.setColumns(this.columns);
    this.appender.appendDataChunk(chunk);
    this.columns = this.types.map(() => []);
    this.size = 0;
  }

  close(): void {
    this.flushChunk();
    this.appender.flushSync();
    this.appender.closeSync();
  }

  /** Drops buffered rows after a failure. */
  abandon(): void {
    this.columns = this.types.map(() => []);
    this.size = 0;
    try {
      this.appender.closeSync();
    } catch {
      // The appender may already be invalid after the error that brought us here.
    }
  }
}

export function ts(ms: number): DuckDBValue {
  return timestampValue(BigInt(Math.round(ms)) * 1000n);
}
