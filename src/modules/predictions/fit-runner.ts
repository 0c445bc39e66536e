/**
 * Runs the CPU-heavy part of a refit or a backtest in a worker thread (`fit.thread.ts`), so the
 * process's event loop stays free while a store's models are fitted. The summaries' typed arrays
 * are transferred to the thread and the scores transferred back.
 */
import { runThread, type OnProgress, type ThreadMessage as Message } from '../../lib/worker-thread.js';
import type { CountModelKind } from './models/count-model.js';
import type { BacktestComputed, FitSummaries, HoldoutInput, RefitComputed, RefitInput } from './fit-compute.js';
import type { Scores } from './scoring.js';

export type FitTask =
  | { task: 'refit'; input: RefitInput }
  | { task: 'backtest'; input: HoldoutInput; models: CountModelKind[]; minorPerMajor: number };

export type ThreadMessage = Message<RefitComputed | BacktestComputed>;

export type { OnProgress };

/** The buffers of the scores, to transfer them back instead of copying. */
export function scoreBuffers(scores: Scores): ArrayBuffer[] {
  return Object.values(scores).map((array: Float64Array | Uint8Array) => array.buffer as ArrayBuffer);
}

function summaryBuffers(s: FitSummaries): ArrayBuffer[] {
  const arrays: unknown[] = [s.x, s.tx, s.T, s.txDays, s.ageDays, s.meanRepeatValue, s.holdoutPurchases, s.holdoutValue];
  // A buffer may be listed once only. Anything that is not a typed array is left to the thread to
  // reject, so a malformed task fails as the promise, not here.
  return [...new Set(arrays.filter((a): a is Float64Array | Int32Array => ArrayBuffer.isView(a)).map((a) => a.buffer as ArrayBuffer))];
}

/**
 * Runs `task` in a new worker thread and resolves with its result. The typed arrays of the task's
 * summaries are transferred: the caller must not use them afterwards.
 */
export function runInThread(task: { task: 'refit'; input: RefitInput }, onProgress?: OnProgress): Promise<RefitComputed>;
export function runInThread(task: { task: 'backtest'; input: HoldoutInput; models: CountModelKind[]; minorPerMajor: number }, onProgress?: OnProgress): Promise<BacktestComputed>;
export function runInThread(task: FitTask, onProgress: OnProgress = () => {}): Promise<RefitComputed | BacktestComputed> {
  const transferList = [...new Set([...summaryBuffers(task.input.summaries), ...(task.task === 'refit' && task.input.holdout ? summaryBuffers(task.input.holdout.summaries) : [])])];
  return runThread(import.meta.url, 'fit', task, { transferList, onProgress, what: 'model-fitting' });
}
