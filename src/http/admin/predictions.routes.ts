/**
 * Predictions: the current model with its backtest, a customer's predictions, and an on-demand
 * refit (queued as a job, the same one the daily schedule runs).
 */
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { snakeKeys } from '../../lib/json-case.js';
import { churnRisks, refitFields, refitJobKind } from '../../modules/predictions/index.js';
import { route } from '../route.js';
import { queuedJobSchema } from '../schemas/jobs.schemas.js';
import { atRiskSchema, currentModelSchema, customerPredictionSchema, distributionSchema, refitJobSchema } from '../schemas/predictions.schemas.js';
import { jobJson } from './jobs.routes.js';

const tag = 'Predictions';

export const predictionRoutes = [
  route({
    method: 'GET', url: '/api/v1/predictions/model', operationId: 'getPredictionModel', response: currentModelSchema, errors: [404], permission: 'read', tag, summary: 'The current model fit with its backtest (calibration report)',
    handler: async ({ services, storeId }) => snakeKeys(await services.predictions.currentModel(storeId)),
  }),
  route({
    method: 'GET', url: '/api/v1/customers/:id/predictions', operationId: 'getCustomerPredictions', response: customerPredictionSchema, permission: 'read', tag, summary: "A customer's predictions from the current model",
    params: z.object({ id: z.coerce.number().int().positive() }),
    handler: async ({ services, storeId, params }) => services.predictions.customer(storeId, params.id),
  }),
  route({
    method: 'POST', url: '/api/v1/predictions/refit', operationId: 'refitPredictions', response: queuedJobSchema, permission: 'write', tag, summary: 'Queue a refit of the models now', status: 202,
    body: z.object({
      as_of: refitFields.asOf.optional(),
      time_unit: refitFields.timeUnit.optional(),
      model: refitFields.model.optional(),
    }).strict().optional(),
    handler: async ({ services, storeId, body }) => ({
      job_id: await services.predictions.queueRefit(storeId, { asOf: body?.as_of, timeUnit: body?.time_unit, model: body?.model }),
    }),
  }),
  route({
    method: 'GET', url: '/api/v1/predictions/refit/:job_id', operationId: 'getRefitJob', response: refitJobSchema, permission: 'read', tag, summary: 'State and progress of a refit job of this store',
    params: z.object({ job_id: z.coerce.number().int().positive() }),
    handler: async ({ services, storeId, params }) => {
      const job = await services.jobs.get(params.job_id);
      if (!job || job.kind !== refitJobKind || job.storeId !== storeId) throw new AppError('not_found', `No refit job ${params.job_id} in this store`);
      return jobJson(job) as ReturnType<typeof jobJson> & { result: z.output<typeof refitJobSchema>['result'] };
    },
  }),
  route({
    method: 'GET', url: '/api/v1/predictions/distribution', operationId: 'getPredictionDistribution', response: distributionSchema, permission: 'read', tag,
    summary: 'Histograms of P(alive) and predicted 12-month CLV, with churn-risk band counts',
    query: z.object({ bins: z.coerce.number().int().min(2).max(50).default(10) }).strict(),
    handler: async ({ services, storeId, query }) => snakeKeys(await services.predictions.distribution(storeId, { bins: query.bins })),
  }),
  route({
    method: 'GET', url: '/api/v1/predictions/at-risk', operationId: 'listAtRiskCustomers', response: atRiskSchema, permission: 'read', tag,
    summary: 'Customers in a churn-risk band (high by default), most valuable by predicted CLV first',
    query: z.object({
      limit: z.coerce.number().int().min(1).max(200).default(20),
      risk: z.enum(churnRisks).default('high'),
    }).strict(),
    handler: async ({ services, storeId, query }) => snakeKeys(await services.predictions.atRisk(storeId, query)),
  }),
];
