/**
 * How the group-commit writer puts a group's events into DuckDB with as little work as possible
 * on the event loop: each event is appended to a temporary staging table as three strings (its
 * scalar fields as one JSON object, its properties, its context), and everything else — parsing
 * those fields, the exact MD5 dedupe keys, inserting keys and events — is SQL, run by DuckDB on its own
 * threads while the event loop answers requests.
 *
 * The appender is kept open between groups and flushed just before each group's transaction; the
 * staging table is emptied inside that transaction (and again after a rollback).
 */
import { listValue, timestampValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { EventRow, IdentityLink } from './group-commit.writer.js';

export const ts = (date: Date) => timestampValue(BigInt(date.getTime()) * 1000n);

const STAGING = 'temp.main.ingest_staging';

/** The scalar fields of a staged event, by their short names in the staged JSON. */
const fields = `{"q":"INTEGER","f":"BIGINT","s":"VARCHAR","m":"VARCHAR","t":"VARCHAR","n":"VARCHAR","c":"BIGINT","a":"VARCHAR","e":"VARCHAR","u":"VARCHAR","o":"VARCHAR","oc":"BIGINT","ra":"BIGINT"}`;
const staged = `select json_transform(r, '${fields}') as j, p, x from ${STAGING}`;
const keyOf = (j: string) => `md5_number(${j}.s || chr(0) || ${j}.m)`;

/** Lone UTF-16 surrogates: JSON.stringify escapes them, and DuckDB's JSON reader refuses the escape. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const wellFormed = (text: string | null) => (text === null ? null : text.replace(loneSurrogate, '\uFFFD'));

export class EventStaging {
  private open: { connection: DuckDBConnection; appender: DuckDBAppender } | undefined;
  private created = new WeakSet<DuckDBConnection>();

  /** Appends the rows (numbered by position) and flushes them into the staging table. */
  async stage(connection: DuckDBConnection, rows: readonly EventRow[], fingerprints: readonly (number | null)[]): Promise<void> {
    if (this.open?.connection !== connection) {
      this.close();
      await this.create(connection);
      this.open = { connection, appender: await connection.createAppender('ingest_staging', 'main', 'temp') };
    }
    const { appender } = this.open;
    try {
      rows.forEach((row, seq) => {
        appender.appendVarchar(scalars(row, seq, fingerprints[seq] ?? null));
        appender.appendVarchar(row.properties);
        if (row.context === null) appender.appendNull();
        else appender.appendVarchar(row.context);
        appender.endRow();
      });
      appender.flushSync();
    } catch (error) {
      // Rows not flushed would otherwise go out with the next group.
      this.close();
      throw error;
    }
  }

  /**
   * Inserts the staged keys, moves the staged events into `events` (ids follow the scan of the
   * small staging table, which is its insertion order; nothing relies on it), and empties
   * the staging table. SQL only, so the writer can send it with BEGIN and COMMIT in one call.
   */
  static readonly insertAllSql = [
    `insert into ingest_message_keys (key, fp, received_at)
      select ${keyOf('j')}, j.f, make_timestamp(j.ra * 1000) from (${staged}) where j.m is not null`,
    `insert into events (store_id, id, message_id, type, name, customer_id, anonymous_id, session_id, url, properties, source, occurred_at, received_at, context)
      select j.s, nextval('events_id_seq'), j.m, j.t, j.n, j.c, j.a, j.e, j.u, p, j.o, make_timestamp(j.oc * 1000), make_timestamp(j.ra * 1000), x
      from (${staged})`,
    `delete from ${STAGING}`,
  ].join(';\n');

  /**
   * Of the staged events at `suspects` (their fingerprints were seen before), those whose exact
   * key is in the dedupe table are removed from staging; returns their positions.
   */
  async dropDuplicates(connection: DuckDBConnection, suspects: number[]): Promise<number[]> {
    const found = await connection.runAndReadAll(
      `select s.q from (select j.q as q, j.f as f, ${keyOf('j')} as key from (${staged}) where j.q in (select unnest($1::integer[]))) s
       where exists (select 1 from ingest_message_keys k where k.fp = s.f and k.key = s.key)`,
      [listValue(suspects)],
    );
    const duplicates = found.getRows().map(([seq]) => Number(seq));
    if (duplicates.length > 0) {
      await connection.run(`delete from ${STAGING} where (r->>'q')::integer in (select unnest($1::integer[]))`, [listValue(duplicates)]);
    }
    return duplicates;
  }

  async clear(connection: DuckDBConnection): Promise<void> {
    await connection.run(`delete from ${STAGING}`);
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

  private async create(connection: DuckDBConnection): Promise<void> {
    if (this.created.has(connection)) return;
    await connection.run(`create temp table if not exists ingest_staging (r varchar not null, p varchar not null, x varchar)`);
    this.created.add(connection);
  }
}

/** The event's scalar fields as one JSON object (times in epoch milliseconds). */
function scalars(row: EventRow, seq: number, fp: number | null): string {
  const text = JSON.stringify({
    q: seq, f: fp, s: row.storeId, m: row.messageId, t: row.type, n: row.name, c: row.customerId, a: row.anonymousId,
    e: row.sessionId, u: row.url, o: row.source, oc: row.occurredAt.getTime(), ra: row.receivedAt.getTime(),
  });
  if (!text.includes('\\ud')) return text;
  return JSON.stringify({
    q: seq, f: fp, s: wellFormed(row.storeId), m: wellFormed(row.messageId), t: row.type, n: wellFormed(row.name), c: row.customerId,
    a: wellFormed(row.anonymousId), e: wellFormed(row.sessionId), u: wellFormed(row.url), o: wellFormed(row.source),
    oc: row.occurredAt.getTime(), ra: row.receivedAt.getTime(),
  });
}

/**
 * Links anonymous ids to customers and gives the ids' earlier events (including those inserted in
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
