/**
 * The job queue of the store as the dashboard's Data page shows it: recent jobs with their state,
 * progress and last error.
 */
import { z } from 'zod';
import { jobStates } from '../../jobs/jobs.table.js';
import type { JobView } from '../../jobs/queue.js';
import { snakeKeys } from '../../lib/json-case.js';
import { route } from '../route.js';
import { jobListSchema } from '../schemas/jobs.schemas.js';

const tag = 'Jobs';

/** A job as the API shows it (snake_case, like every field of the API). */
export function jobJson(job: JobView) {
  return {
    id: job.id, store_id: job.storeId, kind: job.kind, state: job.state, attempts: job.attempts, max_attempts: job.maxAttempts,
    run_at: job.runAt, progress: job.progress, result: snakeKeys(job.result), last_error: job.lastError, created_at: job.createdAt, finished_at: job.finishedAt,
  };
}

export const jobRoutes = [
  route({
    method: 'GET', url: '/api/v1/jobs', operationId: 'listJobs', response: jobListSchema, permission: 'read', tag, summary: "The store's recent background jobs, newest first",
    query: z.object({
      state: z.enum(jobStates).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }).strict(),
    handler: async ({ services, storeId, query }) => ({
      data: (await services.jobs.list({ storeId, limit: query.limit, ...(query.state && { state: query.state }) })).map(jobJson),
      counts: await services.jobs.counts(storeId),
    }),
  }),
];
