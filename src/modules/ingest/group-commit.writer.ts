/**
 * Group commit for tracked events. Requests hand their events to one writer task, which waits a
 * few milliseconds for more, then writes everything pending in ONE transaction on the writer
 * connection: message ids into the dedupe table (learning which are new), the new events through
 * DuckDB's appender, identity links, and the ingest counters. Only after COMMIT are the waiting
 * requests answered, so an acknowledged event is durable. The queue is bounded: beyond its limit
 * `submit` refuses at once (the route answers 503 with Retry-After) instead of growing without end.
 */
import { createHash } from 'node:crypto';
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import type { Store } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { EventType } from '../events/events.table.js';
import { appendStaged, DirectAppender, eventColumns, ts, writeLinks } from './event.appender.js';
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
/** Counters are written at most this often; until then they are merged from memory when read. */
const STATS_EVERY_MS = 1000;

/** The dedupe key: MD5 of store and message id as a 128-bit integer. */
export function messageKey(storeId: string, messageId: string): bigint {
  return BigInt(`0x${createHash('md5').update(`${storeId}\u0000${messageId}`).digest('hex')}`);
}

/** Cumulative milliseconds per phase of the group commits, and the group sizes achieved. */
export interface WriterProfile {
  groups: number;
  events: number;
  maxGroup: number;
  ms: Record<string, number>;
}

export class GroupCommitWriter {
  /** Where the writer's time goes (read by the benchmark; cheap enough to keep on). */
  readonly profile: WriterProfile = { groups: 0, events: 0, maxGroup: 0, ms: {} };
  private queue: Pending[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private staged = false;
  private statsWrittenAt = 0;
  /** Whether events can be appended to directly (its columns are the ones this writer knows). */
  private directAppend: boolean | undefined;
  private readonly direct = new DirectAppender();
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

  private mark(phase: string, since: number): number {
    const now = performance.now();
    this.profile.ms[phase] = (this.profile.ms[phase] ?? 0) + now - since;
    return now;
  }

  private async commit(group: Pending[]): Promise<EventOutcome[][]> {
    const started = performance.now();
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

    const keys = fresh.map(({ row }) => (row.messageId === null ? null : messageKey(row.storeId, row.messageId)));
    this.mark('js-dedupe-keys', started);
    this.profile.groups += 1;
    this.profile.events += fresh.length;
    this.profile.maxGroup = Math.max(this.profile.maxGroup, fresh.length);
    try {
      await this.write(fresh, keys, links, outcomes, group, true);
    } catch (error) {
      // The fast path assumes every message id is new; a retried one breaks the key, and the
      // group is written again asking the table which ids it already holds.
      if (!/duplicate key|constraint/i.test(error instanceof Error ? error.message : String(error))) throw error;
      await this.write(fresh, keys, links, outcomes, group, false);
    }
    return outcomes;
  }

  /**
   * One transaction. `assumeNew`: a plain insert of the message keys (cheap), failing on a key
   * already present; otherwise `ON CONFLICT DO NOTHING RETURNING` (several times slower in
   * DuckDB) tells which events are duplicates.
   */
  private async write(fresh: { row: EventRow; at: [number, number] }[], keys: (bigint | null)[], links: IdentityLink[], outcomes: EventOutcome[][], group: Pending[], assumeNew: boolean): Promise<void> {
    let t = performance.now();
    await this.store.withWriter(async (connection) => {
      t = this.mark('wait-writer', t);
      await this.ensureStaging(connection);
      const direct = fresh.length > 0 && assumeNew && (await this.eventsMatchAppender(connection));
      if (direct) await this.direct.reserve(connection, fresh.length);
      t = this.mark('reserve-ids', t);
      await connection.run('begin transaction');
      t = this.mark('begin', t);
      let restoreStats: (() => void) | undefined;
      try {
        if (direct) await this.direct.append(connection, fresh.map((f) => f.row), keys);
        else if (fresh.length > 0) await this.insertViaStaging(connection, fresh, keys, outcomes, assumeNew);
        t = this.mark(assumeNew ? 'append' : 'staging', t);
        if (links.length > 0) await writeLinks(connection, links);
        if (fresh.length === 0 || Date.now() - this.statsWrittenAt >= STATS_EVERY_MS) {
          restoreStats = (await this.stats.flush(connection)).restore;
        }
        t = this.mark('links-stats', t);
        await connection.run('commit');
        this.mark('commit', t);
      } catch (error) {
        await connection.run('rollback').catch(() => undefined);
        restoreStats?.();
        throw error;
      }
      if (restoreStats) this.statsWrittenAt = Date.now();
      // Counted once committed, so a retried transaction does not count twice.
      group.forEach((pending, i) => pending.events.forEach((row, j) => {
        this.stats.count(row.storeId, row.source, outcomes[i]![j] === 'stored' ? 'stored' : 'deduplicated');
      }));
    });
  }

  /**
   * Through a staging table: every message key is offered to the dedupe table, duplicates are
   * dropped, and the rest is copied into `events` by column name.
   */
  private async insertViaStaging(connection: DuckDBConnection, fresh: { row: EventRow; at: [number, number] }[], keys: (bigint | null)[], outcomes: EventOutcome[][], assumeNew: boolean): Promise<void> {
    const appender = await connection.createAppender(STAGING, 'main', 'temp');
    fresh.forEach(({ row }, seq) => appendStaged(appender, seq, row, keys[seq]!));
    appender.closeSync();
    const insertKeys = `insert into ingest_message_ids (key, received_at) select key, received_at from temp.main.${STAGING} where key is not null`;
    const duplicates: number[] = [];
    if (assumeNew) await connection.run(insertKeys);
    else {
      const inserted = await connection.runAndReadAll(`${insertKeys} on conflict do nothing returning key`);
      const isNew = new Set(inserted.getRows().map(([key]) => String(key)));
      fresh.forEach(({ at: [i, j] }, seq) => {
        const key = keys[seq];
        if (key !== null && key !== undefined && !isNew.has(String(key))) {
          outcomes[i]![j] = 'duplicate';
          duplicates.push(seq);
        }
      });
    }
    if (duplicates.length > 0) {
      await connection.run(`delete from temp.main.${STAGING} where seq in (select unnest($1::integer[]))`, [listValue(duplicates)]);
    }
    if (duplicates.length < fresh.length) {
      await connection.run(
        `insert into events (${eventColumns.join(', ')})
         select store_id, nextval('events_id_seq'), ${eventColumns.slice(2).join(', ')} from temp.main.${STAGING} order by seq`,
      );
    }
    await connection.run(`delete from temp.main.${STAGING}`);
  }

  /** The direct appender path needs `events` to have exactly the columns it writes, in order. */
  private async eventsMatchAppender(connection: DuckDBConnection): Promise<boolean> {
    if (this.directAppend === undefined) {
      const reader = await connection.runAndReadAll(
        "select column_name from information_schema.columns where table_schema = 'main' and table_name = 'events' order by ordinal_position",
      );
      this.directAppend = reader.getRows().map(([name]) => String(name)).join(',') === eventColumns.join(',');
    }
    return this.directAppend;
  }

  private async ensureStaging(connection: DuckDBConnection): Promise<void> {
    if (this.staged) return;
    await connection.run(`create temp table if not exists ${STAGING} (
      seq integer, key uhugeint, store_id varchar, message_id varchar, type varchar, name varchar, customer_id bigint,
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
    await this.store.withWriter(async () => this.direct.close());
  }
}
