/**
 * Group commit for tracked events. Requests hand their events to one writer task, which waits a
 * few milliseconds for more, then writes everything pending in ONE transaction on the writer
 * connection: the new events through DuckDB's appender (see event.appender.ts), then identity
 * links and the ingest counters. Which events are new is known before the transaction, from the
 * in-memory dedupe window (message-window.ts) and, for a fingerprint seen before, the stored
 * events' exact message ids. Only after COMMIT are the waiting requests answered, so an
 * acknowledged event is durable. The queue is bounded: beyond its limit
 * `submit` refuses at once (the route answers 503 with Retry-After) instead of growing without end.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Storage } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { EventType } from '../events/index.js';
import { EventAppender, messageKey, recentFingerprints, recordReceived, storedMessages, ts, writeLinks } from './event.appender.js';
import { fingerprint, MessageWindow } from './message-window.js';
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

/** An event to write: its place in the group and the fingerprint of its message id. */
interface Fresh {
  row: EventRow;
  at: [number, number];
  fp: number | null;
}

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

/** Message ids are remembered this many days (7 are promised; one more is kept). */
const KEEP_DAYS = 8;
/** Counters are written at most this often; until then they are merged from memory when read. */
const STATS_EVERY_MS = 1000;

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
  private statsWrittenAt = 0;
  private readonly appender = new EventAppender();
  private window: MessageWindow | undefined;
  private closed = false;
  private readonly delayMs: number;
  private readonly maxGroup: number;
  private readonly maxQueued: number;

  constructor(
    private readonly storage: Storage,
    private readonly stats: IngestStats,
    private readonly logger: Logger,
    options: GroupCommitOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 2;
    this.maxGroup = options.maxGroup ?? 20_000;
    this.maxQueued = options.maxQueued ?? 100_000;
  }

  /** Bytes held by the in-memory dedupe window (0 before first use). */
  get windowBytes(): number {
    return this.window?.bytes ?? 0;
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
    const outcomes = group.map((pending) => pending.events.map((): EventOutcome => 'stored'));
    // A message id seen twice in one group is a duplicate of the first, before the table is asked.
    const fresh: Fresh[] = [];
    const seen = new Set<string>();
    group.forEach((pending, i) => pending.events.forEach((row, j) => {
      const key = row.messageId === null ? undefined : messageKey(row.storeId, row.messageId);
      if (key !== undefined && seen.has(key)) outcomes[i]![j] = 'duplicate';
      else {
        if (key !== undefined) seen.add(key);
        fresh.push({ row, at: [i, j], fp: row.messageId === null ? null : fingerprint(row.storeId, row.messageId) });
      }
    }));
    const links = group.flatMap((pending) => pending.links);
    if (fresh.length === 0 && links.length === 0 && !this.stats.dirty) return outcomes;

    this.profile.groups += 1;
    this.profile.events += fresh.length;
    this.profile.maxGroup = Math.max(this.profile.maxGroup, fresh.length);
    await this.write(fresh, links, outcomes, group);
    return outcomes;
  }

  /**
   * One transaction. Events whose fingerprint the window has seen are first checked against the
   * stored events' exact message ids (a retried batch); the rest are new without asking the
   * table. Then BEGIN, the appended events, links, the counters (at most once a second), COMMIT.
   */
  private async write(candidates: Fresh[], links: IdentityLink[], outcomes: EventOutcome[][], group: Pending[]): Promise<void> {
    let t = performance.now();
    await this.storage.withWriter(async (connection) => {
      t = this.mark('wait-writer', t);
      const window = await this.windowOf(connection);
      let fresh = candidates;
      const suspects = fresh.filter(({ fp }) => fp !== null && window.has(fp));
      if (suspects.length > 0) {
        const stored = await storedMessages(connection, suspects.map(({ row, fp }) => ({ storeId: row.storeId, messageId: row.messageId!, fp: fp! })), this.cutoff());
        for (const { row, at: [i, j] } of suspects) if (stored.has(messageKey(row.storeId, row.messageId!))) outcomes[i]![j] = 'duplicate';
        fresh = fresh.filter(({ at: [i, j] }) => outcomes[i]![j] === 'stored');
        t = this.mark('suspects', t);
      }
      const withStats = fresh.length === 0 || Date.now() - this.statsWrittenAt >= STATS_EVERY_MS;
      let restoreStats: (() => void) | undefined;
      if (fresh.length > 0) {
        await this.appender.reserve(connection, fresh.length);
        await this.appender.prepare(connection);
      }
      await connection.run('begin transaction');
      try {
        t = this.mark('begin', t);
        const firstId = this.appender.nextEventId;
        if (fresh.length > 0) this.appender.append(fresh.map((f) => f.row), fresh.map((f) => f.fp));
        t = this.mark('append', t);
        if (links.length > 0) await writeLinks(connection, links);
        if (fresh.length > 0) {
          await recordReceived(connection, firstId, firstId + fresh.length);
          t = this.mark('domain-events', t);
        }
        if (withStats) restoreStats = (await this.stats.flush(connection)).restore;
        await connection.run('commit');
        this.mark('commit', t);
      } catch (error) {
        // Nothing of the group may stay behind: the transaction is rolled back whole.
        await connection.run('rollback').catch(() => undefined);
        restoreStats?.();
        throw error;
      }
      if (restoreStats) this.statsWrittenAt = Date.now();
      for (const { row, fp } of fresh) if (fp !== null) window.add(fp, row.receivedAt.getTime());
      // Counted once committed, so a retried transaction does not count twice.
      const counts = new Map<string, { row: EventRow; stored: number; deduplicated: number }>();
      group.forEach((pending, i) => pending.events.forEach((row, j) => {
        const key = `${row.storeId}\u0000${row.source}`;
        let count = counts.get(key);
        if (!count) counts.set(key, (count = { row, stored: 0, deduplicated: 0 }));
        count[outcomes[i]![j] === 'stored' ? 'stored' : 'deduplicated'] += 1;
      }));
      for (const { row, stored, deduplicated } of counts.values()) {
        this.stats.count(row.storeId, row.source, 'stored', stored);
        this.stats.count(row.storeId, row.source, 'deduplicated', deduplicated);
      }
    });
  }

  /** The oldest receive time the dedupe window covers (7 days are promised; one more is kept). */
  private cutoff(now = Date.now()): Date {
    return new Date(now - KEEP_DAYS * 86_400_000);
  }

  /** The dedupe window, read from the stored events' fingerprints on first use (a restart keeps it). */
  private async windowOf(connection: DuckDBConnection): Promise<MessageWindow> {
    if (this.window) return this.window;
    const window = new MessageWindow(KEEP_DAYS);
    const { fps, times } = await recentFingerprints(connection, this.cutoff());
    fps.forEach((fp, i) => window.add(fp, times[i]!));
    this.window = window;
    return window;
  }

  /**
   * Forgets message ids older than the dedupe window and webhook deliveries as old; returns how
   * many message ids the window dropped.
   */
  async prune(now = new Date()): Promise<number> {
    return this.storage.withWriter(async (connection) => {
      const window = await this.windowOf(connection);
      const before = window.size;
      window.prune(now.getTime());
      await connection.run('delete from webhook_deliveries where received_at < $1', [ts(this.cutoff(now.getTime()))]);
      return before - window.size;
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
    await this.storage.withWriter(async () => this.appender.close());
  }
}
