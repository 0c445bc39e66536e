/**
 * Every job kind the worker runs, from the module list: each module names its kinds and their
 * handlers (adapters that parse the payload; the module's service does the work).
 *
 * The server runs a worker per lane over the one queue: flow steps on one, message sends on another
 * (a step's emails go out while the next step renders), everything else (refits, segment refreshes,
 * imports, date enrolments) on a third. A worker runs one job at a time, so with a single worker a
 * flow's first email waited behind whatever long job was leased before it, and behind each send.
 * The sends lane has two workers (below).
 */
import type { JobSpec } from '../module.js';
import type { Logger } from '../lib/logger.js';
import { modules } from '../modules.js';
import type { Services } from '../services.js';
import type { Schedule } from './scheduler.js';
import { Worker } from './worker.js';

/** The kinds a worker takes: all of them (one worker, as tests wire it), one lane's, or those of no lane. */
export type JobLane = 'all' | NonNullable<JobSpec['lane']> | 'background';

const LANES: readonly JobLane[] = ['flows', 'sends', 'background'];

export function registerJobs(worker: Worker, services: Services, lane: JobLane = 'all'): void {
  for (const module of modules) {
    for (const job of module.jobs ?? []) {
      if (lane === 'all' || lane === (job.lane ?? 'background')) worker.handle(job.kind, (context) => job.run(services, context));
    }
  }
}

/**
 * Workers per lane: two for sends, so that the next batch of messages is read from the ledger
 * while the one before is being delivered (the deliveries themselves take turns: see
 * `MessagesService.sendBatch`).
 */
const WORKERS: Readonly<Record<JobLane, number>> = { all: 1, flows: 1, sends: 2, background: 1 };

/** The server's workers, by lane (not started). */
export function serverWorkers(services: Services, logger: Logger): Worker[] {
  return LANES.flatMap((lane) => Array.from({ length: WORKERS[lane] }, () => {
    const worker = new Worker(services.jobs, logger);
    registerJobs(worker, services, lane);
    return worker;
  }));
}

/** The modules' schedules (e.g. the daily refit). */
export const schedules: readonly Schedule[] = modules.flatMap((module) => module.schedules ?? []);
