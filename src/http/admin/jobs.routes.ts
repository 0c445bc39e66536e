/**
 * The job queue of the store as the dashboard's Data page shows it: recent jobs with their state,
 * progress and last error.
 */
import { z } from 'zod';
import { route } from '../route.js';

const tag = 'Jobs';

export const jobRoutes = [
  route({
    method: 'GET', url: '/api/v1/jobs', permission: 'read', tag, summary: "The store's recent background jobs, newest first",
    query: z.object({
      state: z.enum(['queued', 'running', 'done', 'failed', 'dead']).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }).strict(),
    handler: async ({ services, storeId, query }) => ({
      data: await services.jobs.list({ storeId, limit: query.limit, ...(query.state && { state: query.state }) }),
      counts: await services.jobs.counts(storeId),
    }),
  }),
];
