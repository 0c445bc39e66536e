/**
 * Runs the CPU-heavy part of a refit or a backtest in a worker thread, so the process's event
 * loop (HTTP, the job queue's lease renewals) stays free while a store's models are fitted. The
 * summaries' typed arrays are transferred to the thread and the scores transferred back.
 *
 * The thread's entry is `fit.thread.js` beside this file when running compiled (`dist/`); from the
 * TypeScript sources (tests, `tsx`) it is `fit.thread.ts`, loaded after registering tsx's loader
 * in the thread, since a thread does not inherit the loader of the thread that started it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CountModelKind } from './models/count-model.js';
import type { BacktestComputed, FitSummaries, HoldoutInput, RefitComputed, RefitInput } from './fit-compute.js';
import type { Scores } from './scoring.js';

export type FitTask =
  | { task: 'refit'; input: RefitInput }
  | { task: 'backtest'; input: HoldoutInput; models: CountModelKind[]; minorPerMajor: number };

export type ThreadMessage =
  | { type: 'progress'; fraction: number; stage: string }
  | { type: 'result'; result: RefitComputed | BacktestComputed }
  | { type: 'error'; message: string; stack: string | undefined };

export type OnProgress = (fraction: number, stage: string) => void;

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

function threadEntry(): { filename: string | URL; evaluate: boolean } {
  const compiled = new URL('./fit.thread.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return { filename: compiled, evaluate: false };
  const source = new URL('./fit.thread.ts', import.meta.url).href;
  const require = createRequire(import.meta.url);
  const tsxPackage = require.resolve('tsx/package.json');
  const exportsMap = (JSON.parse(readFileSync(tsxPackage, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  const api = pathToFileURL(join(dirname(tsxPackage), exportsMap['./esm/api']!.import.default)).href;
  return { filename: `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`, evaluate: true };
}

/**
 * Runs `task` in a new worker thread and resolves with its result. The typed arrays of the task's
 * summaries are transferred: the caller must not use them afterwards.
 */
export function runInThread(task: { task: 'refit'; input: RefitInput }, onProgress?: OnProgress): Promise<RefitComputed>;
export function runInThread(task: { task: 'backtest'; input: HoldoutInput; models: CountModelKind[]; minorPerMajor: number }, onProgress?: OnProgress): Promise<BacktestComputed>;
export function runInThread(task: FitTask, onProgress: OnProgress = () => {}): Promise<RefitComputed | BacktestComputed> {
  const transferList = [...new Set([...summaryBuffers(task.input.summaries), ...(task.task === 'refit' && task.input.holdout ? summaryBuffers(task.input.holdout.summaries) : [])])];
  const { filename, evaluate } = threadEntry();
  return new Promise((resolve, reject) => {
    let settled = false;
    const worker = new Worker(filename, { eval: evaluate, workerData: task, transferList });
    worker.on('message', (message: ThreadMessage) => {
      if (message.type === 'progress') onProgress(message.fraction, message.stage);
      else if (message.type === 'result') { settled = true; resolve(message.result); }
      else {
        settled = true;
        reject(Object.assign(new Error(message.message), message.stack ? { stack: message.stack } : {}));
      }
    });
    worker.on('error', (error) => { if (!settled) { settled = true; reject(error); } });
    worker.on('exit', (code) => { if (!settled) { settled = true; reject(new Error(`The model-fitting thread stopped (exit code ${code}) before it answered`)); } });
  });
}
