/**
 * Worker-thread entry of a refit or a backtest: takes the task from `workerData`, runs it with
 * `fit-compute.ts`, posts progress and then the result (typed arrays transferred, not copied).
 * Started by `fit-runner.ts`; nothing here touches the database.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { computeBacktest, computeRefit } from './fit-compute.js';
import { scoreBuffers, type FitTask, type ThreadMessage } from './fit-runner.js';

const port = parentPort;
if (!port) throw new Error('fit.thread must run in a worker thread');
const post = (message: ThreadMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
const progress = (fraction: number, stage: string): void => post({ type: 'progress', fraction, stage });

const task = workerData as FitTask;
try {
  if (task.task === 'refit') {
    const result = computeRefit(task.input, progress);
    post({ type: 'result', result }, scoreBuffers(result.scores));
  } else {
    post({ type: 'result', result: computeBacktest(task.input, task.models, task.minorPerMajor, progress) });
  }
} catch (error) {
  post({ type: 'error', message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined });
}
