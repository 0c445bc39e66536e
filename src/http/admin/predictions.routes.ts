/**
 * Predictions: the current model with its backtest, a customer's predictions, and an on-demand
 * refit (queued as a job, the same one the daily schedule runs).
 */
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { refitJobKind } from '../../modules/predictions/predictions.job.js';
import { currentModel, predictionFor } from '../../modules/predictions/predictions.service.js';
import { route } from '../route.js';

const tag = 'Predictions';

export const predictionRoutes = [
  route({
    method: 'GET', url: '/api/v1/predictions/model', permission: 'read', tag, summary: 'The current model fit with its backtest (calibration report)',
    handler: async ({ services, storeId }) => {
      const current = await currentModel(services.store, storeId);
      if (!current) throw new AppError('not_found', 'The models have not been fitted yet');
      return current;
    },
  }),
  route({
    method: 'GET', url: '/api/v1/customers/:id/predictions', permission: 'read', tag, summary: "A customer's predictions from the current model",
    params: z.object({ id: z.coerce.number().int().positive() }),
    handler: async ({ services, storeId, params }) => predictionFor(services.store, storeId, params.id),
  }),
  route({
    method: 'POST', url: '/api/v1/predictions/refit', permission: 'write', tag, summary: 'Queue a refit of the models now', status: 202,
    body: z.object({
      asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
      timeUnit: z.enum(['day', 'week']).optional(),
      model: z.enum(['auto', 'bgnbd', 'pareto-nbd']).optional(),
    }).strict().optional(),
    handler: async ({ services, storeId, body }) => {
      const jobId = await services.jobs.enqueue(refitJobKind, { storeId, ...body }, { dedupeKey: `${refitJobKind}:${storeId}` });
      return { jobId };
    },
  }),
];
