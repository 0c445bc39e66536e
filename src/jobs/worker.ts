/**
 * Runs leased jobs with their handlers, one at a time per worker, in the server process.
 * A delay is a job with a later run_at: nothing sleeps inside a handler.
 *
 * An idle worker looks for due jobs every `pollMs` (jobs queued by another process, delays that
 * came due) and at once when this process queues a due job of a kind it runs: a flow's first
 * email is not held back by the poll at each hop (event → step job → send job).
 */
import type { Logger } from '../lib/logger.js';
import type { JobTable } from './jobs.table.js';
import type { JobQueue } from './queue.js';

export interface JobContext {
  job: JobTable;
  payload: unknown;
  /** Reports progress (0..1) and keeps the lease alive. */
  progress: (fraction: number) => Promise<void>;
}

export type JobHandler = (context: JobContext) => Promise<unknown>;

export class Worker {
  private readonly handlers = new Map<string, JobHandler>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** A tick is in progress (leasing or running a job). */
  private busy = false;
  /** A due job was queued while busy: look again at once instead of after the poll. */
  private woken = false;
  private unlisten: (() => void) | undefined;

  constructor(
    private readonly queue: JobQueue,
    private readonly logger: Logger,
    private readonly options: { pollMs?: number; leaseMs?: number } = {},
  ) {}

  handle(kind: string, handler: JobHandler): this {
    this.handlers.set(kind, handler);
    return this;
  }

  start(): void {
    this.stopped = false;
    this.unlisten ??= this.queue.onEnqueued((job) => {
      if (this.handlers.has(job.kind) && job.runAt.getTime() <= this.queue.now().getTime()) this.wake();
    });
    this.schedule(0);
  }

  /** Stops polling and waits for the job in hand to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    this.unlisten = undefined;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Looks for a due job now: at once when idle, right after the job in hand when busy. */
  wake(): void {
    if (this.stopped) return;
    if (this.busy) {
      this.woken = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.busy = true;
      this.woken = false;
      this.running = this.tick().then((worked) => {
        this.busy = false;
        this.schedule(worked || this.woken ? 0 : (this.options.pollMs ?? 500));
      });
    }, delay);
    this.timer.unref();
  }

  /** Runs one due job if there is one; returns whether it did. */
  async tick(): Promise<boolean> {
    const leaseMs = this.options.leaseMs ?? 60_000;
    let job: JobTable | undefined;
    try {
      job = await this.queue.lease([...this.handlers.keys()], leaseMs);
    } catch (error) {
      this.logger.error({ err: error }, 'job lease failed');
      return false;
    }
    if (!job) return false;
    const handler = this.handlers.get(job.kind)!;
    const leased = job;
    try {
      const result = await handler({
        job: leased,
        payload: JSON.parse(leased.payload),
        progress: (fraction) => this.queue.extendLease(leased.id, leaseMs, fraction),
      });
      await this.queue.complete(leased.id, result);
      this.logger.info({ job: leased.id, kind: leased.kind }, 'job done');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const state = await this.queue.fail(leased, message);
      this.logger.warn({ job: leased.id, kind: leased.kind, attempts: leased.attempts, state, error: message }, 'job failed');
    }
    return true;
  }
}
