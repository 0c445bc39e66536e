/**
 * Group commit for tracked events. Requests hand their events to one writer task, which waits a
 * few milliseconds for more, then writes everything pending in ONE transaction on the writer
 * connection: message ids into the dedupe table (learning which are new), the new events through
 * DuckDB's appender, identity links, and the ingest counters. Only after COMMIT are the waiting
 * requests answered, so an acknowledged event is durable. The queue is bounded: beyond its limit
 * `submit` refuses at once (the route answers 503 with Retry-After) instead of growing without end.
 */
import { listValue, timestampValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { Store } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { EventType } from '../events/events.table.js';
import type { IngestStats } from './ingest.stats.js';

export interface EventRow {
  storeId: string;
  messageId: string | null;
  type: EventType;
  name: string | null;
  customerId: number | null;
  anonymousId: string | null;
  sessionId: string | null;
  url: string | null;
  properties: string;
  source: string;
  occurredAt: Date;
  receivedAt: Date;
  context: string | null;
}

/** An anonymous id now known to belong to a customer; earlier events of that id join the profile. */
export interface IdentityLink {
  storeId: string;
  anonymousId: string;
  customerId: number;
}

export type EventOutcome = 'stored' | 'duplicate';

interface Pending {
  events: EventRow[];
  links: IdentityLink[];
  resolve: (outcomes: EventOutcome[]) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** How long the writer waits for more requests before committing. */
  delayMs?: number;
  /** Most events in one transaction. */
  maxGroup?: number;
  /** Most events waiting; beyond this, submissions are refused (503). */
  maxQueued?: number;
}

const STAGING = 'ingest_staging';
const ts = (date: Date) => timestampValue(BigInt(date.getTime()) * 1000n);

export class GroupCommitWriter {
  private queue: Pending[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private staged = false;
  private closed = false;
  private readonly delayMs: number;
  private readonly maxGroup: number;
  private readonly maxQueued: number;

  constructor(
    private readonly store: Store,
    private readonly stats: IngestStats,
    private readonly logger: Logger,
    options: GroupCommitOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 2;
    this.maxGroup = options.maxGroup ?? 20_000;
    this.maxQueued = options.maxQueued ?? 100_000;
  }

  /** Events waiting for a commit. */
  get depth(): number {
    return this.queued;
  }

  /** Resolves with one outcome per event once they are committed. */
  submit(events: EventRow[], links: IdentityLink[] = []): Promise<EventOutcome[]> {
    if (this.closed) return Promise.reject(new AppError('unavailable', 'The server is shutting down; retry shortly'));
    if (this.queued + events.length > this.maxQueued) {
      return Promise.reject(new AppError('unavailable', `The ingest queue is full (${this.queued} events waiting); retry after a second`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ events, links, resolve, reject });
      this.queued += events.length;
      this.schedule();
    });
  }

  /** Writes pending counters even when no events arrive (requests that were all rejected). */
  flushStats(): void {
    if (this.stats.dirty) this.schedule();
  }

  private schedule(): void {
    if (this.running || this.timer) return;
    const now = this.queued >= this.maxGroup || this.closed;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.drain().finally(() => {
        this.running = undefined;
        if (this.queue.length > 0) this.schedule();
      });
    }, now ? 0 : this.delayMs);
  }

  private async drain(): Promise<void> {
    const group: Pending[] = [];
    let size = 0;
    while (this.queue.length > 0 && (group.length === 0 || size + this.queue[0]!.events.length <= this.maxGroup)) {
      const next = this.queue.shift()!;
      group.push(next);
      size += next.events.length;
    }
    this.queued -= size;
    try {
      const outcomes = await this.commit(group);
      group.forEach((pending, i) => pending.resolve(outcomes[i]!));
    } catch (error) {
      this.logger.error({ err: error, events: size }, 'ingest commit failed');
      const failure = new AppError('unavailable', 'The events could not be stored; retry shortly');
      for (const pending of group) pending.reject(failure);
    }
  }

  private async commit(group: Pending[]): Promise<EventOutcome[][]> {
    const outcomes = group.map((pending) => pending.events.map((): EventOutcome => 'stored'));
    // A message id seen twice in one group is a duplicate of the first, before the table is asked.
    const fresh: { row: EventRow; at: [number, number] }[] = [];
    const seen = new Set<string>();
    group.forEach((pending, i) => pending.events.forEach((row, j) => {
      const key = row.messageId === null ? undefined : `${row.storeId}\u0000${row.messageId}`;
      if (key !== undefined && seen.has(key)) outcomes[i]![j] = 'duplicate';
      else {
        if (key !== undefined) seen.add(key);
        fresh.push({ row, at: [i, j] });
      }
    }));
    const links = group.flatMap((pending) => pending.links);
    if (fresh.length === 0 && links.length === 0 && !this.stats.dirty) return outcomes;

    await this.store.withWriter(async (connection) => {
      await this.ensureStaging(connection);
      await connection.run('begin transaction');
      let restoreStats: (() => void) | undefined;
      try {
        if (fresh.length > 0) {
          const appender = await connection.createAppender(STAGING, 'main', 'temp');
          fresh.forEach(({ row }, seq) => appendRow(appender, seq, row));
          appender.closeSync();
          const inserted = await connection.runAndReadAll(
            `insert into ingest_message_ids (store_id, message_id, received_at)
             select store_id, message_id, received_at from temp.main.${STAGING} where message_id is not null
             on conflict do nothing returning store_id, message_id`,
          );
          const isNew = new Set(inserted.getRows().map(([store, id]) => `${String(store)}\u0000${String(id)}`));
          const duplicates: number[] = [];
          fresh.forEach(({ row, at: [i, j] }, seq) => {
            if (row.messageId !== null && !isNew.has(`${row.storeId}\u0000${row.messageId}`)) {
              outcomes[i]![j] = 'duplicate';
              duplicates.push(seq);
            }
          });
          if (duplicates.length > 0) {
            await connection.run(`delete from temp.main.${STAGING} where seq in (select unnest($1::integer[]))`, [listValue(duplicates)]);
          }
          if (duplicates.length < fresh.length) {
            await connection.run(
              `insert into events (store_id, id, message_id, type, name, customer_id, anonymous_id, session_id, url, properties, source, occurred_at, received_at, context)
               select store_id, nextval('events_id_seq'), message_id, type, name, customer_id, anonymous_id, session_id, url, properties, source, occurred_at, received_at, context
               from temp.main.${STAGING} order by seq`,
            );
          }
          await connection.run(`delete from temp.main.${STAGING}`);
        }
        if (links.length > 0) await writeLinks(connection, links);
        group.forEach((pending, i) => pending.events.forEach((row, j) => {
          this.stats.count(row.storeId, row.source, outcomes[i]![j] === 'stored' ? 'stored' : 'deduplicated');
        }));
        restoreStats = (await this.stats.flush(connection)).restore;
        await connection.run('commit');
      } catch (error) {
        await connection.run('rollback').catch(() => undefined);
        restoreStats?.();
        throw error;
      }
    });
    return outcomes;
  }

  private async ensureStaging(connection: DuckDBConnection): Promise<void> {
    if (this.staged) return;
    await connection.run(`create temp table if not exists ${STAGING} (
      seq integer, store_id varchar, message_id varchar, type varchar, name varchar, customer_id bigint,
      anonymous_id varchar, session_id varchar, url varchar, properties varchar, source varchar,
      occurred_at timestamp, received_at timestamp, context varchar)`);
    this.staged = true;
  }

  /** Deletes message ids older than the dedupe window (7 days is promised; one more is kept). */
  async prune(now = new Date(), keepDays = 8): Promise<number> {
    const cutoff = new Date(now.getTime() - keepDays * 86_400_000);
    return this.store.withWriter(async (connection) => {
      const result = await connection.run('delete from ingest_message_ids where received_at < $1', [ts(cutoff)]);
      await connection.run('delete from webhook_deliveries where received_at < $1', [ts(cutoff)]);
      return Number(result.rowsChanged);
    });
  }

  /** Commits everything pending, then refuses new work. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.running || this.queue.length > 0 || this.stats.dirty) {
      if (this.running) await this.running;
      else this.running = this.drain().finally(() => { this.running = undefined; });
    }
  }
}

function appendRow(appender: DuckDBAppender, seq: number, row: EventRow): void {
  const text = (value: string | null) => (value === null ? appender.appendNull() : appender.appendVarchar(value));
  appender.appendInteger(seq);
  appender.appendVarchar(row.storeId);
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
async function writeLinks(connection: DuckDBConnection, links: IdentityLink[]): Promise<void> {
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
