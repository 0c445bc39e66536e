/**
 * Every job kind the worker runs, from the module list: each module names its kinds and their
 * handlers (adapters that parse the payload; the module's service does the work).
 */
import { modules } from '../modules.js';
import type { Services } from '../services.js';
import type { Schedule } from './scheduler.js';
import type { Worker } from './worker.js';

export function registerJobs(worker: Worker, services: Services): void {
  for (const module of modules) {
    for (const job of module.jobs ?? []) worker.handle(job.kind, (context) => job.run(services, context));
  }
}

/** The modules' schedules (e.g. the daily refit). */
export const schedules: readonly Schedule[] = modules.flatMap((module) => module.schedules ?? []);
