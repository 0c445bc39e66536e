/**
 * Every job kind the worker runs, with its handler. Module services do the work; these adapters
 * only parse payloads.
 */
import { refitJobKind, runRefitJob } from '../modules/predictions/index.js';
import { importJobKind, runImportJob } from '../modules/imports/index.js';
import type { Services } from '../services.js';
import type { Worker } from './worker.js';

export function registerJobs(worker: Worker, services: Services): void {
  worker.handle('analytics.refresh', async ({ job, payload }) => services.analytics.refreshSummaries(job.store_id ?? (payload as { storeId: string }).storeId).then((state) => ({ lastDay: state.last_day })));
  worker.handle('segments.refresh', async ({ payload }) => services.segments.runRefreshJob(payload as { storeId: string; mode?: 'on_change' | 'scheduled' }));
  worker.handle(importJobKind, async ({ payload, progress }) => runImportJob(services.imports, payload, progress));
  worker.handle(refitJobKind, async ({ payload, progress }) => runRefitJob(services.storage, payload, progress));
}
