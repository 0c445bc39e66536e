/**
 * Calibration: A/A simulations on the store's own customers. Their real 30-day outcomes are split
 * at random into "treated" and "holdout" many times over; with no treatment, a correct 95 %
 * interval covers zero in about 95 % of the splits, CUPED's too (and narrower), and the always-valid
 * monitor, looked at after every day of enrolment, rejects in at most 5 % of them. The simulations
 * run in a worker thread, so the server keeps answering meanwhile.
 */
import type { Storage } from '../../../db/database.js';
import { runThread, type OnProgress } from '../../../lib/worker-thread.js';
import { calibrationPopulations } from './calibration.query.js';
import type { CalibrationTask, MetricCalibration } from './calibration.simulate.js';

export type { MetricCalibration };

export interface Calibration {
  /** Customers in the simulated experiments (those who had ordered before their day of eligibility). */
  customers: number;
  window_days: number;
  span_days: number;
  eligible_from: Date | null;
  eligible_to: Date | null;
  holdout_share: number;
  runs: number;
  metrics: MetricCalibration[];
  seconds: number;
}

export interface CalibrationOptions {
  runs?: number;
  holdoutShare?: number;
  windowDays?: number;
  spanDays?: number;
  seed?: number;
  onProgress?: OnProgress;
}

export async function calibrate(storage: Storage, storeId: string, options: CalibrationOptions = {}): Promise<Calibration> {
  const started = performance.now();
  const runs = options.runs ?? 1_000;
  const holdoutShare = options.holdoutShare ?? 0.1;
  const windowDays = options.windowDays ?? 30;
  const spanDays = options.spanDays ?? 60;
  const people = await calibrationPopulations(storage, storeId, { windowDays, spanDays });
  const customers = people.converted.y.length;
  const base = { customers, window_days: windowDays, span_days: spanDays, eligible_from: people.from, eligible_to: people.to, holdout_share: holdoutShare, runs };
  if (customers === 0) return { ...base, metrics: [], seconds: (performance.now() - started) / 1000 };
  const task: CalibrationTask = {
    populations: { conversion: people.converted, orders: people.orders, revenue: people.revenue }, runs, holdoutShare, seed: options.seed ?? 1,
  };
  const metrics = await runThread<MetricCalibration[]>(import.meta.url, 'calibration', task, { onProgress: options.onProgress, what: 'calibration' });
  return { ...base, metrics, seconds: (performance.now() - started) / 1000 };
}
