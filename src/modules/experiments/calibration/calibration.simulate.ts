/** The simulations of a calibration, for each outcome: fixed-horizon A/A and, for conversion, daily monitoring. */
import { simulate, type Population, type SimulationResult } from '../../../lib/statistics/index.js';
import type { OnProgress } from '../../../lib/worker-thread.js';

export type CalibrationMetric = 'conversion' | 'orders' | 'revenue';

export interface CalibrationTask {
  populations: Record<CalibrationMetric, Population>;
  runs: number;
  holdoutShare: number;
  seed: number;
}

export interface MetricCalibration extends SimulationResult {
  metric: CalibrationMetric;
}

export function simulateAll(task: CalibrationTask, onProgress: OnProgress = () => {}): MetricCalibration[] {
  const metrics: CalibrationMetric[] = ['conversion', 'orders', 'revenue'];
  return metrics.map((metric, i) => {
    onProgress(i / metrics.length, metric);
    // Daily monitoring is simulated on conversion, the outcome most experiments are watched by.
    const result = simulate(task.populations[metric], { runs: task.runs, holdoutShare: task.holdoutShare, seed: task.seed + i, peek: metric === 'conversion' });
    return { metric, ...result };
  });
}
