/**
 * The predictions module's service: what the HTTP layer, the CLI and other modules ask of the
 * models — the current fit and its backtest, a customer's predictions, the distribution and the
 * valuable customers at risk, and refits (now, or queued as the job the daily schedule runs).
 */
import type { Storage } from '../../db/database.js';
import { AppError, detailsFromZod } from '../../lib/errors.js';
import type { JobQueue } from '../../jobs/queue.js';
import { valuableAtRisk } from './at-risk.query.js';
import { predictionDistribution } from './distribution.query.js';
import { refitJobKind } from './predictions.job.js';
import { currentModel, fitAndScore, predictionFor, type FitReport } from './predictions.fitting.js';
import { refitOptionsSchema, type RefitOptions } from './refit-options.js';
import type { ChurnRisk } from './predictions.table.js';

export class PredictionsService {
  constructor(
    private readonly storage: Storage,
    private readonly jobs: JobQueue,
  ) {}

  /** The current fit with its backtest; a 404 before the first fit. */
  async currentModel(storeId: string) {
    const current = await currentModel(this.storage, storeId);
    if (!current) throw new AppError('not_found', 'The models have not been fitted yet');
    return current;
  }

  customer(storeId: string, customerId: number) {
    return predictionFor(this.storage, storeId, customerId);
  }

  distribution(storeId: string, options: { bins: number }) {
    return predictionDistribution(this.storage, storeId, options);
  }

  atRisk(storeId: string, options: { limit: number; risk: ChurnRisk }) {
    return valuableAtRisk(this.storage, storeId, options);
  }

  /** Checks the options (a 422 naming the bad one) and fits now. */
  fit(storeId: string, options: unknown, onProgress?: (fraction: number) => void): Promise<FitReport> {
    return fitAndScore(this.storage, storeId, checkRefitOptions(options), onProgress);
  }

  /** Checks the options and queues the refit job (one queued per store at a time); returns its id. */
  async queueRefit(storeId: string, options: unknown): Promise<number> {
    const checked = checkRefitOptions(options);
    return this.jobs.enqueue(refitJobKind, { storeId, ...checked }, { storeId, dedupeKey: `${refitJobKind}:${storeId}` });
  }
}

export function checkRefitOptions(options: unknown): RefitOptions {
  const parsed = refitOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) throw new AppError('validation_failed', 'Invalid refit options', detailsFromZod(parsed.error.issues));
  return parsed.data;
}
