/**
 * A durable job queue in the store: enqueue, lease with a timeout, retry with exponential
 * backoff, a dead list after the last attempt. A job whose worker died (lease expired) is leased
 * again, so work survives restarts. Handlers must be idempotent (they may run twice after a crash).
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { systemClock, type Clock } from '../lib/clock.js';
import type { JobState, JobTable } from './jobs.table.js';

export interface EnqueueOptions {
  storeId?: string | null;
  runAt?: Date;
  maxAttempts?: number;
  /** A queued or running job with the same key is not enqueued twice. */
  dedupeKey?: string;
  /**
   * `queued`: only a job not yet started takes the place of a new one — for work that reads the
   * data when it starts, where a change made while it runs needs a run of its own.
   */
  dedupeWhile?: 'queued' | 'queued_or_running';
}

export interface JobView {
  id: number;
  storeId: string | null;
  kind: string;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  progress: number | null;
  result: unknown;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export function viewOf(row: JobTable): JobView {
  return {
    id: row.id, storeId: row.store_id, kind: row.kind, state: row.state, attempts: row.attempts, maxAttempts: row.max_attempts,
    runAt: row.run_at, progress: row.progress, result: row.result ? JSON.parse(row.result) : null, lastError: row.last_error,
    createdAt: row.created_at, finishedAt: row.finished_at,
  };
}

/** Delay before attempt n+1: 2^n seconds, capped at an hour. */
export function backoffMs(attempts: number): number {
  return Math.min(3_600_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

/** What `onEnqueued` listeners hear: a job was queued (or an equal one was already queued). */
export interface Enqueued {
  kind: string;
  runAt: Date;
}

export type EnqueueListener = (job: Enqueued) => void;

/**
 * Listeners by the database they queue in: every service holds its own JobQueue over the one
 * writer, and a worker in this process hears what any of them queues.
 */
const listenersByDb = new WeakMap<object, Set<EnqueueListener>>();

export class JobQueue {
  constructor(
    private readonly write: Db,
    private readonly read: Db,
    /** What "now" is for due times and leases (a test moves it; default the system clock). */
    private readonly clock: Clock = systemClock,
  ) {}

  /** The queue's time: what due times and leases are compared with. */
  now(): Date {
    return this.clock.now();
  }

  /**
   * Calls `listener` after each commit that queues a job in this store's database from this
   * process (through any JobQueue over the same writer); returns the way to stop listening.
   */
  onEnqueued(listener: EnqueueListener): () => void {
    let listeners = listenersByDb.get(this.write);
    if (!listeners) listenersByDb.set(this.write, (listeners = new Set()));
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  async enqueue(kind: string, payload: unknown, options: EnqueueOptions = {}): Promise<number> {
    const runAt = options.runAt ?? this.clock.now();
    const id = await this.insert(kind, payload, options);
    for (const listener of listenersByDb.get(this.write) ?? []) listener({ kind, runAt });
    return id;
  }

  private async insert(kind: string, payload: unknown, options: EnqueueOptions): Promise<number> {
    return this.write.transaction().execute(async (tx) => {
      if (options.dedupeKey) {
        const existing = await tx
          .selectFrom('jobs').select('id')
          .where('dedupe_key', '=', options.dedupeKey).where('state', 'in', options.dedupeWhile === 'queued' ? ['queued'] : ['queued', 'running'])
          .executeTakeFirst();
        if (existing) return existing.id;
      }
      const now = this.clock.now();
      const row = await tx
        .insertInto('jobs')
        .values({
          id: sql<number>`nextval('jobs_id_seq')`, store_id: options.storeId ?? null, kind, payload: JSON.stringify(payload ?? {}),
          state: 'queued', attempts: 0, max_attempts: options.maxAttempts ?? 5, run_at: options.runAt ?? now,
          lease_until: null, progress: null, result: null, last_error: null, dedupe_key: options.dedupeKey ?? null,
          created_at: now, updated_at: now, finished_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    });
  }

  /** Takes the next due job (queued, or running with an expired lease) and leases it. */
  async lease(kinds: readonly string[], leaseMs: number, now = this.clock.now()): Promise<JobTable | undefined> {
    if (kinds.length === 0) return undefined;
    return this.write.transaction().execute(async (tx) => {
      const next = await tx
        .selectFrom('jobs').selectAll()
        .where('kind', 'in', kinds)
        .where((eb) => eb.or([
          eb.and([eb('state', '=', 'queued'), eb('run_at', '<=', now)]),
          eb.and([eb('state', '=', 'running'), eb('lease_until', '<', now)]),
        ]))
        .orderBy('run_at').orderBy('id')
        .limit(1)
        .executeTakeFirst();
      if (!next) return undefined;
      const leased = { ...next, state: 'running' as const, attempts: next.attempts + 1, lease_until: new Date(now.getTime() + leaseMs), updated_at: now };
      await tx.updateTable('jobs')
        .set({ state: leased.state, attempts: leased.attempts, lease_until: leased.lease_until, updated_at: now })
        .where('id', '=', next.id).execute();
      return leased;
    });
  }

  async extendLease(id: number, leaseMs: number, progress?: number): Promise<void> {
    await this.write.updateTable('jobs')
      .set({ lease_until: new Date(this.clock.now().getTime() + leaseMs), updated_at: this.clock.now(), ...(progress !== undefined && { progress }) })
      .where('id', '=', id).where('state', '=', 'running').execute();
  }

  async complete(id: number, result: unknown): Promise<void> {
    const now = this.clock.now();
    await this.write.updateTable('jobs')
      .set({ state: 'done', result: JSON.stringify(result ?? null), progress: 1, lease_until: null, updated_at: now, finished_at: now })
      .where('id', '=', id).execute();
  }

  /** Records a failure: retried later with backoff, or moved to the dead list after the last attempt. */
  async fail(job: Pick<JobTable, 'id' | 'attempts' | 'max_attempts'>, error: string, now = this.clock.now()): Promise<JobState> {
    const dead = job.attempts >= job.max_attempts;
    const state: JobState = dead ? 'dead' : 'queued';
    await this.write.updateTable('jobs')
      .set({
        state, last_error: error.slice(0, 2000), lease_until: null, updated_at: now,
        run_at: dead ? now : new Date(now.getTime() + backoffMs(job.attempts)), finished_at: dead ? now : null,
      })
      .where('id', '=', job.id).execute();
    return state;
  }

  /** Whether a job of this kind and store is queued, not yet started, to run at `by` or before. */
  async queuedBy(kind: string, storeId: string, by: Date): Promise<boolean> {
    const row = await this.read.selectFrom('jobs').select('id')
      .where('kind', '=', kind).where('store_id', '=', storeId).where('state', '=', 'queued').where('run_at', '<=', by)
      .limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /** Whether any job, in any state, was ever enqueued with this key. */
  async exists(dedupeKey: string): Promise<boolean> {
    const row = await this.read.selectFrom('jobs').select('id').where('dedupe_key', '=', dedupeKey).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async get(id: number): Promise<JobView | undefined> {
    const row = await this.read.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? viewOf(row) : undefined;
  }

  async list(filter: { storeId?: string; state?: JobState; limit?: number } = {}): Promise<JobView[]> {
    let query = this.read.selectFrom('jobs').selectAll().orderBy('id', 'desc').limit(filter.limit ?? 50);
    if (filter.storeId) query = query.where('store_id', '=', filter.storeId);
    if (filter.state) query = query.where('state', '=', filter.state);
    return (await query.execute()).map(viewOf);
  }

  async counts(storeId?: string): Promise<Record<JobState, number>> {
    let query = this.read.selectFrom('jobs').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state');
    if (storeId) query = query.where('store_id', '=', storeId);
    const rows = await query.execute();
    const counts: Record<JobState, number> = { queued: 0, running: 0, done: 0, failed: 0, dead: 0 };
    for (const row of rows) counts[row.state] = Number(row.n);
    return counts;
  }
}
