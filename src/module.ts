/**
 * What a module contributes to the running server besides its service: its job handlers, the
 * schedules that enqueue them, and its domain-event subscribers. Each module's index.ts exports
 * one `HearthModule`; the composition root loops over the list in `modules.ts`.
 */
import type { JobContext } from './jobs/worker.js';
import type { Schedule } from './jobs/scheduler.js';
import type { Subscriber } from './modules/domain-events/index.js';
import type { Services } from './services.js';

export interface JobSpec {
  kind: string;
  /** Runs one job with the module services (the adapter parses the payload, the service works). */
  run: (services: Services, context: JobContext) => Promise<unknown>;
  /**
   * Someone waits for it (a flow's step, a message's sending): the server runs the kinds of each
   * lane on a worker of their own, never queued behind a model refit, a segment refresh or an
   * import, nor behind the other lane's jobs (`src/jobs/handlers.ts`). Kinds without one share a worker.
   */
  lane?: 'flows' | 'sends';
}

export interface HearthModule {
  name: string;
  jobs?: readonly JobSpec[];
  schedules?: readonly Schedule[];
  /** Runs once when the server starts, before the worker (e.g. recovering work a crash interrupted). */
  start?: (services: Services) => Promise<void>;
  /** The module's subscribers to domain events, built over the services. */
  subscribers?: (services: Services) => Subscriber[];
}
