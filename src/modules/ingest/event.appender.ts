/**
 * How the group-commit writer puts rows into DuckDB: appenders straight into `events` and the
 * message-key table (the fast path), a staging table for the careful path, and identity links.
 */
import { listValue, timestampValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { EventRow, IdentityLink } from './group-commit.writer.js';

export const ts = (date: Date) => timestampValue(BigInt(date.getTime()) * 1000n);

export const eventColumns = ['store_id', 'id', 'message_id', 'type', 'name', 'customer_id', 'anonymous_id', 'session_id', 'url', 'properties', 'source', 'occurred_at', 'received_at', 'context'];

/** Ids drawn ahead at a time, so most commit groups need no sequence query. */
const ID_POOL = 8192;

/**
 * The fast path: message keys and events go straight into their tables through appenders. The
 * key table's primary key makes the flush fail if any message id was seen before.
 *
 * Each await on the writer connection also waits for the event loop, which is busy with incoming
 * requests under load; so the appenders are kept open between groups (flushed inside each
 * group's transaction) and event ids are drawn from the sequence ahead, in their own committed
 * statement, which leaves a group with only BEGIN and COMMIT to wait for.
 */
export class DirectAppender {
  private ids: bigint[] = [];
  private used = 0;
  private open: { connection: DuckDBConnection; keys: DuckDBAppender; events: DuckDBAppender } | undefined;

  /** Outside the group's transaction: a rolled-back group must not give its ids back. */
  async reserve(connection: DuckDBConnection, n: number): Promise<void> {
    if (this.ids.length - this.used >= n) return;
    this.ids = [...this.ids.slice(this.used), ...(await drawIds(connection, Math.max(n, ID_POOL)))];
    this.used = 0;
  }

  async append(connection: DuckDBConnection, rows: EventRow[], keys: (bigint | null)[]): Promise<void> {
    if (this.open?.connection !== connection) {
      this.close();
      this.open = { connection, keys: await connection.createAppender('ingest_message_ids'), events: await connection.createAppender('events') };
    }
    const { keys: keyAppender, events } = this.open;
    if (this.ids.length - this.used < rows.length) throw new Error('event ids were not reserved');
    try {
      rows.forEach((row, i) => {
        const key = keys[i];
        if (key === null || key === undefined) return;
        keyAppender.appendUHugeInt(key);
        keyAppender.appendTimestamp(ts(row.receivedAt));
        keyAppender.endRow();
      });
      keyAppender.flushSync();
      rows.forEach((row, i) => appendEvent(events, row, this.ids[this.used + i]!));
      events.flushSync();
      this.used += rows.length;
    } catch (error) {
      // Unflushed rows would otherwise go out with the next group.
      this.close();
      throw error;
    }
  }

  close(): void {
    if (!this.open) return;
    for (const appender of [this.open.keys, this.open.events]) {
      try {
        appender.clear();
        appender.closeSync();
      } catch {
        // A failed appender holds nothing worth keeping.
      }
    }
    this.open = undefined;
  }
}

/**
 * `n` new event ids. Only the writer connection draws from the sequence and one query draws in
 * order, so the ids are consecutive and reading the first and last is enough; should they ever not
 * be, every id is read instead.
 */
async function drawIds(connection: DuckDBConnection, n: number): Promise<bigint[]> {
  const drawn = "select nextval('events_id_seq') as id from range($1::bigint)";
  const [first, last, count] = (await connection.runAndReadAll(`select min(id), max(id), count(*) from (${drawn})`, [BigInt(n)])).getRows()[0]!.map((v) => BigInt(v as bigint));
  if (count === BigInt(n) && last! - first! === BigInt(n - 1)) return Array.from({ length: n }, (_, i) => first! + BigInt(i));
  return (await connection.runAndReadAll(drawn, [BigInt(n)])).getRows().map(([id]) => BigInt(id as bigint));
}

export function appendStaged(appender: DuckDBAppender, seq: number, row: EventRow, key: bigint | null): void {
  appender.appendInteger(seq);
  if (key === null) appender.appendNull();
  else appender.appendUHugeInt(key);
  appendEvent(appender, row, undefined);
}

/** The event's columns in `eventColumns` order; `id` only when appending to `events` itself. */
function appendEvent(appender: DuckDBAppender, row: EventRow, id: bigint | undefined): void {
  const text = (value: string | null) => (value === null ? appender.appendNull() : appender.appendVarchar(value));
  appender.appendVarchar(row.storeId);
  if (id !== undefined) appender.appendBigInt(id);
  text(row.messageId);
  appender.appendVarchar(row.type);
  text(row.name);
  if (row.customerId === null) appender.appendNull();
  else appender.appendBigInt(BigInt(row.customerId));
  text(row.anonymousId);
  text(row.sessionId);
  text(row.url);
  appender.appendVarchar(row.properties);
  appender.appendVarchar(row.source);
  appender.appendTimestamp(ts(row.occurredAt));
  appender.appendTimestamp(ts(row.receivedAt));
  text(row.context);
  appender.endRow();
}

/**
 * Links anonymous ids to customers and gives the ids' earlier events (including those appended in
 * this transaction) the customer, so browsing before sign-in joins the profile.
 */
export async function writeLinks(connection: DuckDBConnection, links: IdentityLink[]): Promise<void> {
  const latest = new Map<string, IdentityLink>();
  for (const link of links) latest.set(`${link.storeId}\u0000${link.anonymousId}`, link);
  const rows = [...latest.values()];
  const lists = [listValue(rows.map((l) => l.storeId)), listValue(rows.map((l) => l.anonymousId)), listValue(rows.map((l) => BigInt(l.customerId)))];
  const linked = 'select unnest($1::varchar[]) as store_id, unnest($2::varchar[]) as anonymous_id, unnest($3::bigint[]) as customer_id';
  await connection.run(
    `insert into identities (store_id, anonymous_id, customer_id, created_at) select *, $4 from (${linked})
     on conflict (store_id, anonymous_id) do update set customer_id = excluded.customer_id`,
    [...lists, ts(new Date())],
  );
  await connection.run(
    `update events set customer_id = l.customer_id from (${linked}) l
     where events.store_id = l.store_id and events.anonymous_id = l.anonymous_id and events.customer_id is null`,
    lists,
  );
}
