/**
 * Recurring work: for every store, each scheduled kind is enqueued once per interval. The
 * interval's number is part of the job's dedupe key, so restarts and several ticks within one
 * interval enqueue it once.
 */
import type { Logger } from '../lib/logger.js';
import type { JobQueue } from './queue.js';

export interface Schedule {
  kind: string;
  everyMs: number;
}

export class Scheduler {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queue: JobQueue,
    private readonly storeIds: () => Promise<string[]>,
    private readonly schedules: readonly Schedule[],
    private readonly logger: Logger,
  ) {}

  start(checkEveryMs = 60_000): void {
    const run = () => {
      this.tick().catch((error) => this.logger.error({ err: error }, 'scheduler tick failed'));
    };
    run();
    this.timer = setInterval(run, checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Enqueues what is due now; returns how many jobs were enqueued. */
  async tick(now = Date.now()): Promise<number> {
    let enqueued = 0;
    for (const storeId of await this.storeIds()) {
      for (const schedule of this.schedules) {
        const key = `${schedule.kind}:${storeId}:${Math.floor(now / schedule.everyMs)}`;
        if (await this.queue.exists(key)) continue;
        await this.queue.enqueue(schedule.kind, { storeId }, { storeId, dedupeKey: key });
        enqueued += 1;
      }
    }
    return enqueued;
  }
}
