/**
 * The refit job: on demand (POST /api/v1/predictions/refit) and daily by default. The handler
 * only parses the payload; the service does the work, its fitting in a worker thread. A daily
 * payload has only the store id: the service looks up the store's currency.
 */
import { z } from 'zod';
import type { Storage } from '../../db/database.js';
import { fitAndScore } from './predictions.fitting.js';
import { refitOptionsSchema } from './refit-options.js';

export const refitJobKind = 'predictions.refit';
export const defaultRefitIntervalMs = 86_400_000;

/** A queued refit: the store and the refit's options (`refit-options.ts`); a daily one has only the store. */
const payloadSchema = refitOptionsSchema.extend({ storeId: z.string().min(1) });

/** How often a running refit renews its job's lease (the lease is a minute by default). */
const heartbeatMs = 15_000;

/**
 * Runs the refit of the payload's store. `progress` (the worker's) is called as the fit moves on
 * and on a heartbeat, which keeps the job's lease while the fit runs in its thread.
 */
export async function runRefitJob(storage: Storage, payload: unknown, progress?: (fraction: number) => Promise<void>): Promise<unknown> {
  const { storeId, ...options } = payloadSchema.parse(payload);
  let fraction = 0;
  const report = (value: number): void => {
    fraction = value;
    progress?.(value).catch(() => { /* a missed renewal is retried on the next beat */ });
  };
  const heartbeat = progress ? setInterval(() => report(fraction), heartbeatMs) : undefined;
  try {
    const result = await fitAndScore(storage, storeId, options, (value) => report(value));
    return result.status === 'ok'
      ? { status: 'ok', model: result.model, converged: result.count.converged, customers: result.customers, seconds: result.seconds }
      : { status: result.status, missing: result.missing };
  } finally {
    clearInterval(heartbeat);
  }
}
