/**
 * How the group-commit writer puts a group's events into DuckDB: one appender on `events`, kept
 * open between groups, appends the group's rows with their ids and message fingerprints inside
 * the group's transaction and flushes them just before COMMIT. The ids come from the events
 * sequence in blocks, drawn outside the transaction, so a group needs no SQL of its own besides
 * BEGIN and COMMIT. Per event this is a few microseconds on the event loop and very little in
 * DuckDB, against parsing JSON in SQL and keeping a second key table (what it replaces).
 *
 * The dedupe lookups live here too: reading the window back after a restart, and the exact check
 * of events whose fingerprint was seen before.
 */
import { timestampOf } from '../../db/timestamps.js';
import { listValue, type DuckDBAppender, type DuckDBConnection, type DuckDBTimestampValue } from '@duckdb/node-api';
import { drawIds } from '../../db/sequences.js';
import { insertDomainEvents, jsonPayload } from '../domain-events/index.js';
import type { EventRow, IdentityLink } from './group-commit.writer.js';

export const ts = timestampOf;

/** event.received for the events with ids in [$first, $end), read back inside the group's transaction. */
const receivedEventsSql = insertDomainEvents('event.received', 'event', {
  storeId: 'store_id', entityId: 'id', customerId: 'customer_id', occurredAt: '$clock',
  data: jsonPayload({ type: 'type', name: 'name', anonymous_id: 'anonymous_id', source: 'source' }),
}, 'select * from events where id >= $first and id < $end');

/** Records a domain event for each event of the group (after its identity links are written). */
export async function recordReceived(connection: DuckDBConnection, first: number, end: number): Promise<void> {
  await connection.run(receivedEventsSql, { first: BigInt(first), end: BigInt(end), clock: ts(new Date()) });
}

/** The columns of `events`, in table order: the appender fills every one of them. */
const COLUMNS = [
  'store_id', 'id', 'message_id', 'type', 'name', 'customer_id', 'anonymous_id', 'session_id', 'url',
  'properties', 'source', 'occurred_at', 'received_at', 'context', 'message_fp',
] as const;

/** Ids drawn from the sequence at a time; the unused rest of a block is skipped after a restart. */
const ID_BLOCK = 16_384;

export class EventAppender {
  private open: { connection: DuckDBConnection; appender: DuckDBAppender } | undefined;
  private nextId = 0;
  private endId = 0;

  /**
   * Makes ids ready for `count` events. Drawn in their own statement, before the group's
   * transaction: ids of a group that rolls back are simply never used.
   */
  async reserve(connection: DuckDBConnection, count: number): Promise<void> {
    if (this.endId - this.nextId >= count) return;
    const block = Math.max(count, ID_BLOCK);
    this.nextId = await drawIds(connection, 'events', block);
    this.endId = this.nextId + block;
  }

  /** The id the next appended event gets. */
  get nextEventId(): number {
    return this.nextId;
  }

  /** Opens the appender on this connection (checking the table's columns) unless it is open. */
  async prepare(connection: DuckDBConnection): Promise<void> {
    if (this.open?.connection === connection) return;
    this.close();
    const found = await connection.runAndReadAll(
      `select column_name from information_schema.columns where table_schema = 'main' and table_name = 'events' order by ordinal_position`,
    );
    const columns = found.getRows().map(([name]) => String(name));
    if (columns.join() !== COLUMNS.join()) {
      throw new Error(`The events table has columns (${columns.join(', ')}); the ingest writer appends (${COLUMNS.join(', ')})`);
    }
    this.open = { connection, appender: await connection.createAppender('events') };
  }

  /**
   * Appends the rows (after `reserve` and `prepare`) and flushes them into the open transaction.
   * On failure the appender is dropped with whatever it held, so nothing leaks into a later group.
   */
  append(rows: readonly EventRow[], fingerprints: readonly (number | null)[]): void {
    if (!this.open) throw new Error('EventAppender.append before prepare');
    if (this.endId - this.nextId < rows.length) throw new Error('EventAppender.append before reserve');
    const { appender } = this.open;
    const varchar = (value: string | null) => (value === null ? appender.appendNull() : appender.appendVarchar(value));
    const bigint = (value: number | null) => (value === null ? appender.appendNull() : appender.appendBigInt(BigInt(value)));
    let receivedAt: Date | undefined;
    let received: DuckDBTimestampValue | undefined;
    try {
      rows.forEach((row, i) => {
        if (row.receivedAt !== receivedAt) {
          receivedAt = row.receivedAt;
          received = ts(receivedAt);
        }
        appender.appendVarchar(row.storeId);
        appender.appendBigInt(BigInt(this.nextId + i));
        varchar(row.messageId);
        appender.appendVarchar(row.type);
        varchar(row.name);
        bigint(row.customerId);
        varchar(row.anonymousId);
        varchar(row.sessionId);
        varchar(row.url);
        appender.appendVarchar(row.properties);
        appender.appendVarchar(row.source);
        appender.appendTimestamp(ts(row.occurredAt));
        appender.appendTimestamp(received!);
        varchar(row.context);
        bigint(fingerprints[i] ?? null);
        appender.endRow();
      });
      appender.flushSync();
      this.nextId += rows.length;
    } catch (error) {
      this.close();
      throw error;
    }
  }

  close(): void {
    if (!this.open) return;
    try {
      this.open.appender.clear();
      this.open.appender.closeSync();
    } catch {
      // A failed appender holds nothing worth keeping.
    }
    this.open = undefined;
  }
}

/** (store id, message id) as one string key. */
export const messageKey = (storeId: string, messageId: string) => `${storeId}\u0000${messageId}`;

/**
 * Of these messages (whose fingerprints the window has seen), the keys of those already stored
 * since `since`: the exact check that keeps a fingerprint collision from dropping an event.
 */
export async function storedMessages(
  connection: DuckDBConnection, suspects: readonly { storeId: string; messageId: string; fp: number }[], since: Date,
): Promise<Set<string>> {
  const found = await connection.runAndReadAll(
    `select store_id, message_id from events
     where received_at >= $1 and message_fp in (select unnest($2::bigint[])) and message_id in (select unnest($3::varchar[]))`,
    [ts(since), listValue(suspects.map((s) => BigInt(s.fp))), listValue(suspects.map((s) => s.messageId))],
  );
  return new Set(found.getRows().map(([storeId, messageId]) => messageKey(String(storeId), String(messageId))));
}

/** The fingerprints and receive times (epoch ms) of the tracked events received since `since`. */
export async function recentFingerprints(connection: DuckDBConnection, since: Date): Promise<{ fps: number[]; times: number[] }> {
  const reader = await connection.runAndReadAll(
    'select message_fp::double, epoch_ms(received_at)::double from events where message_fp is not null and received_at >= $1',
    [ts(since)],
  );
  const [fps = [], times = []] = reader.getColumns() as number[][];
  return { fps, times };
}

/**
 * Links anonymous ids to customers and gives the ids' earlier events (including those appended in
 * this transaction) the customer, so browsing before sign-in joins the profile. A link that moves
 * an anonymous id to another customer is dated anew (the journey's rows follow links by date).
 */
export async function writeLinks(connection: DuckDBConnection, links: IdentityLink[]): Promise<void> {
  const latest = new Map<string, IdentityLink>();
  for (const link of links) latest.set(`${link.storeId}\u0000${link.anonymousId}`, link);
  const rows = [...latest.values()];
  const lists = [listValue(rows.map((l) => l.storeId)), listValue(rows.map((l) => l.anonymousId)), listValue(rows.map((l) => BigInt(l.customerId)))];
  const linked = 'select unnest($1::varchar[]) as store_id, unnest($2::varchar[]) as anonymous_id, unnest($3::bigint[]) as customer_id';
  await connection.run(
    `insert into identities (store_id, anonymous_id, customer_id, created_at) select *, $4 from (${linked})
     on conflict (store_id, anonymous_id) do update set customer_id = excluded.customer_id,
       created_at = case when identities.customer_id = excluded.customer_id then identities.created_at else excluded.created_at end`,
    [...lists, ts(new Date())],
  );
  await connection.run(
    `update events set customer_id = l.customer_id from (${linked}) l
     where events.store_id = l.store_id and events.anonymous_id = l.anonymous_id and events.customer_id is null`,
    lists,
  );
}
