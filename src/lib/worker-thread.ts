/**
 * Starting CPU-heavy work in a worker thread, so the process's event loop (HTTP, the job queue's
 * lease renewals) stays free meanwhile. The thread's entry is `<name>.thread.js` beside the caller
 * when running compiled (`dist/`); from the TypeScript sources (tests, `tsx`) it is
 * `<name>.thread.ts`, loaded after registering tsx's loader in the thread, since a thread does not
 * inherit the loader of the thread that started it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** What a thread posts back: progress, then its result or its error. */
export type ThreadMessage<Result> =
  | { type: 'progress'; fraction: number; stage: string }
  | { type: 'result'; result: Result }
  | { type: 'error'; message: string; stack: string | undefined };

export type OnProgress = (fraction: number, stage: string) => void;

/** The entry file of thread `name` beside the module at `callerUrl` (pass `import.meta.url`). */
export function threadEntry(callerUrl: string, name: string): { filename: string | URL; evaluate: boolean } {
  const compiled = new URL(`./${name}.thread.js`, callerUrl);
  if (existsSync(fileURLToPath(compiled))) return { filename: compiled, evaluate: false };
  const source = new URL(`./${name}.thread.ts`, callerUrl).href;
  const require = createRequire(callerUrl);
  const tsxPackage = require.resolve('tsx/package.json');
  const exportsMap = (JSON.parse(readFileSync(tsxPackage, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  const api = pathToFileURL(join(dirname(tsxPackage), exportsMap['./esm/api']!.import.default)).href;
  return { filename: `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`, evaluate: true };
}

/**
 * Runs thread `name` (beside `callerUrl`) with `data` as its `workerData` and resolves with the result
 * it posts. Buffers in `transferList` are moved to the thread: the caller must not use them after.
 */
export function runThread<Result>(callerUrl: string, name: string, data: unknown, options: {
  transferList?: ArrayBuffer[]; onProgress?: OnProgress; what: string;
}): Promise<Result> {
  const { filename, evaluate } = threadEntry(callerUrl, name);
  const onProgress = options.onProgress ?? (() => {});
  return new Promise((resolve, reject) => {
    let settled = false;
    const worker = new Worker(filename, { eval: evaluate, workerData: data, transferList: options.transferList ?? [] });
    worker.on('message', (message: ThreadMessage<Result>) => {
      if (message.type === 'progress') onProgress(message.fraction, message.stage);
      else if (message.type === 'result') { settled = true; resolve(message.result); }
      else {
        settled = true;
        reject(Object.assign(new Error(message.message), message.stack ? { stack: message.stack } : {}));
      }
    });
    worker.on('error', (error) => { if (!settled) { settled = true; reject(error); } });
    worker.on('exit', (code) => { if (!settled) { settled = true; reject(new Error(`The ${options.what} thread stopped (exit code ${code}) before it answered`)); } });
  });
}
