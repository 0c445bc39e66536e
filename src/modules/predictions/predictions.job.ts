/**
 * The refit job: on demand (POST /api/v1/predictions/refit) and daily by default. The handler
 * only parses the payload; the service does the work.
 */
import { z } from 'zod';
import type { Store } from '../../db/database.js';
import { fitAndScore } from './predictions.service.js';

export const refitJobKind = 'predictions.refit';
export const defaultRefitIntervalMs = 86_400_000;

const payloadSchema = z.object({
  storeId: z.string().min(1),
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  timeUnit: z.enum(['day', 'week']).optional(),
  model: z.enum(['auto', 'bgnbd', 'pareto-nbd']).optional(),
  currency: z.string().length(3).optional(),
});

export async function runRefitJob(store: Store, payload: unknown): Promise<unknown> {
  const { storeId, ...options } = payloadSchema.parse(payload);
  const report = await fitAndScore(store, storeId, options);
  return report.status === 'ok'
    ? { status: 'ok', model: report.model, customers: report.customers, seconds: report.seconds }
    : { status: report.status, missing: report.missing };
}
