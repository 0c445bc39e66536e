/**
 * Worker-thread entry of a calibration: runs the A/A simulations of `calibration.ts` on the
 * populations it is given and posts the result. Nothing here touches the database.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ThreadMessage } from '../../../lib/worker-thread.js';
import { simulateAll, type CalibrationTask, type MetricCalibration } from './calibration.simulate.js';

const port = parentPort;
if (!port) throw new Error('calibration.thread must run in a worker thread');
const post = (message: ThreadMessage<MetricCalibration[]>): void => port.postMessage(message);
try {
  post({ type: 'result', result: simulateAll(workerData as CalibrationTask, (fraction, stage) => post({ type: 'progress', fraction, stage })) });
} catch (error) {
  post({ type: 'error', message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined });
}
