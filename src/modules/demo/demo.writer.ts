/**
 * The demo's tracked-event history (browsing events and the identity links that stitch anonymous
 * visitors to customers). Commerce data goes through the commerce writer; these rows are not
 * commerce data, so they are streamed into temporary tables on the writer connection (appenders,
 * 2,048 rows — one DuckDB vector — per data chunk, one native call per chunk instead of one per
 * value), then inserted by `insert … select` after the commerce merge, in the same transaction,
 * with customer ids resolved by external id against the customers the merge has just stored.
 */
import {
  BIGINT, DuckDBDataChunk, TIMESTAMP, timestampValue, VARCHAR,
  type DuckDBAppender, type DuckDBConnection, type DuckDBType, type DuckDBValue,
} from '@duckdb/node-api';

const VECTOR_SIZE = 2048;

/** What the demo writes, by table (the counts it reports). */
export const DEMO_TABLES = ['products', 'variants', 'customers', 'orders', 'order_lines', 'returns', 'return_lines', 'events', 'identities'] as const;
export type DemoTable = (typeof DEMO_TABLES)[number];

/** Staged tracked events: the `events` columns the demo fills, the customer by external id. */
const EVENT_COLUMNS = [['id', BIGINT], ['message_id', VARCHAR], ['type', VARCHAR], ['name', VARCHAR], ['customer_external_id', VARCHAR],
  ['anonymous_id', VARCHAR], ['session_id', VARCHAR], ['url', VARCHAR], ['properties', VARCHAR], ['occurred_at', TIMESTAMP]] as const;
const IDENTITY_COLUMNS = [['anonymous_id', VARCHAR], ['customer_external_id', VARCHAR], ['created_at', TIMESTAMP]] as const;
type Columns = readonly (readonly [string, DuckDBType])[];

export interface HistoryEvent {
  id: number;
  messageId: string;
  type: string;
  name: string | null;
  /** Null for an anonymous event. */
  customerExternalId: string | null;
  anonymousId: string | null;
  sessionId: string | null;
  url: string | null;
  properties: string;
  at: number;
}

/** Appends rows to one temporary table a data chunk at a time. */
class ChunkWriter {
  private readonly types: DuckDBType[];
  private columns: DuckDBValue[][];
  private size = 0;
  rows = 0;

  constructor(columns: Columns, private readonly appender: DuckDBAppender) {
    this.types = columns.map(([, type]) => type);
    this.columns = this.types.map(() => []);
  }

  add(values: DuckDBValue[]): void {
    for (let i = 0; i < values.length; i += 1) this.columns[i]!.push(values[i]!);
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
    try {
      this.flushChunk();
      this.appender.flushSync();
    } finally {
      this.appender.closeSync();
    }
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

const createSql = (table: string, columns: Columns) =>
  `create or replace temp table ${table} (${columns.map(([name, type]) => `${name} ${type.toString()}`).join(', ')})`;

export class TrackedHistory {
  private closed = false;

  private constructor(private readonly events: ChunkWriter, private readonly identities: ChunkWriter) {}

  static async open(connection: DuckDBConnection): Promise<TrackedHistory> {
    await connection.run(`${createSql('d_events', EVENT_COLUMNS)};\n${createSql('d_identities', IDENTITY_COLUMNS)}`);
    const events = new ChunkWriter(EVENT_COLUMNS, await connection.createAppender('d_events', 'main', 'temp'));
    try {
      return new TrackedHistory(events, new ChunkWriter(IDENTITY_COLUMNS, await connection.createAppender('d_identities', 'main', 'temp')));
    } catch (error) {
      events.abandon();
      throw error;
    }
  }

  event(e: HistoryEvent): void {
    this.events.add([BigInt(e.id), e.messageId, e.type, e.name, e.customerExternalId, e.anonymousId, e.sessionId, e.url, e.properties, ts(e.at)]);
  }

  identity(anonymousId: string, customerExternalId: string, at: number): void {
    this.identities.add([anonymousId, customerExternalId, ts(at)]);
  }

  /** Appends what is buffered; after this, only `insert`. */
  close(): void {
    this.closed = true;
    this.events.close();
    this.identities.close();
  }

  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    this.events.abandon();
    this.identities.abandon();
  }

  /**
   * Inserts the staged history into `events` and `identities`, customers resolved by external id
   * among the store's customers, and drops the temporary tables. Returns the rows inserted.
   */
  async insert(connection: DuckDBConnection, storeId: string): Promise<{ events: number; identities: number }> {
    const customers = '(select id, external_id from customers where store_id = $store)';
    const inserted = async (sql: string) => Number((await connection.runAndReadAll(sql, { store: storeId })).getRows()[0]![0]);
    // Identified events join their customer, anonymous ones need none: every staged row is
    // inserted exactly when each identified one found its customer (a miss is a bug here).
    const columns = 'e.id, e.message_id, e.type, e.name, e.anonymous_id, e.session_id, e.url, e.properties, e.occurred_at';
    const events = await inserted(`insert into events (store_id, id, message_id, type, name, anonymous_id, session_id, url, properties, occurred_at, customer_id, source, received_at)
      select $store, ${columns}, c.id, 'demo', e.occurred_at from d_events e join ${customers} c on c.external_id = e.customer_external_id
      union all
      select $store, ${columns}, null, 'demo', e.occurred_at from d_events e where e.customer_external_id is null`);
    const identities = await inserted(`insert into identities (store_id, anonymous_id, customer_id, created_at)
      select $store, i.anonymous_id, c.id, i.created_at from d_identities i join ${customers} c on c.external_id = i.customer_external_id`);
    if (events !== this.events.rows || identities !== this.identities.rows) {
      throw new Error(`The demo's tracked history did not resolve to its customers (${this.events.rows - events} events, ${this.identities.rows - identities} identities unmatched)`);
    }
    await connection.run('drop table d_events; drop table d_identities');
    return { events: events!, identities: identities! };
  }
}

export function ts(ms: number): DuckDBValue {
  return timestampValue(BigInt(Math.round(ms)) * 1000n);
}
