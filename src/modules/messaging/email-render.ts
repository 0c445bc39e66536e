/**
 * Rendering emails for the ledger: each recipient's Liquid render of a compiled template version,
 * its links tracked, its bodies deflated as the ledger keeps them (`message-bodies.ts`).
 *
 * A few messages render on the main thread. A batch of at least `RENDER_THREAD_MIN` renders in the
 * render thread (`render.thread.ts`): rendering took most of the main thread's time while a
 * campaign was queued, and the send lanes, whose statements and SMTP answers run on the same
 * thread, sent at a third of their speed meanwhile. The thread gets each version's Liquid once per
 * request and keeps its parse; a message's variables travel as structured clones (dates stay dates),
 * its deflated bodies come back as bytes. If the thread fails, the batch fails (nothing of it is
 * queued, as when a render throws) and the next batch starts a new thread.
 */
import { Worker } from 'node:worker_threads';
import { threadEntry } from '../../lib/worker-thread.js';
import { trackEmail, type TrackedRecipient } from './link-tracking.js';
import { packBodies, type PackedBodies } from './message-bodies.js';
import type { MessageVariables } from './message-context.js';
import { renderEmail, type CompiledEmail, type CompiledSources, type LiquidReads } from './template-render.js';

/** One recipient's email to render: the version, their variables and, for tracked mail, their tracking. */
export interface EmailRender {
  compiled: CompiledEmail;
  variables: MessageVariables;
  tracking: TrackedRecipient | null;
}

/** An email as the ledger writes it. */
export interface LedgerEmail {
  subject: string;
  preheader: string;
  bodies: PackedBodies;
}

/** Batches smaller than this render on the calling thread: starting the thread is not worth it. */
export const RENDER_THREAD_MIN = 50;
/** Messages per request to the thread: answers come back as each request is done. */
const REQUEST_SIZE = 100;
/** Messages rendered on the main thread before it yields to the event loop (SMTP answers, an unsubscribe). */
export const RENDER_TURN = 25;

export function renderForLedger(item: EmailRender): LedgerEmail {
  const rendered = renderEmail(item.compiled, item.variables);
  const tracked = item.tracking ? trackEmail(rendered, item.tracking) : rendered;
  return { subject: tracked.subject, preheader: tracked.preheader, bodies: packBodies(tracked) };
}

/** Renders each email, in order: here for a few, in the render thread for a batch. */
export async function renderEmails(items: readonly EmailRender[]): Promise<LedgerEmail[]> {
  if (items.length < RENDER_THREAD_MIN) {
    const rendered: LedgerEmail[] = [];
    for (const item of items) {
      rendered.push(renderForLedger(item));
      if (rendered.length % RENDER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return rendered;
  }
  const requests: Promise<LedgerEmail[]>[] = [];
  for (let start = 0; start < items.length; start += REQUEST_SIZE) requests.push(renderThread.render(items.slice(start, start + REQUEST_SIZE)));
  return (await Promise.all(requests)).flat();
}

/** What the render thread is asked: the versions the items use (their Liquid), and the items. */
export interface RenderRequest {
  id: number;
  templates: { id: string; sources: CompiledSources; reads: LiquidReads }[];
  items: { template: string; variables: MessageVariables; tracking: TrackedRecipient | null }[];
}

export type RenderedInThread = { ok: true; subject: string; preheader: string; html: Uint8Array; text: Uint8Array } | { ok: false; message: string };

export interface RenderAnswer {
  id: number;
  results: RenderedInThread[];
}

/** Messages the render thread has rendered in this process, and threads started: what shows where a batch went. */
export const renderThreadCount = { messages: 0, threads: 0 };

/**
 * The render thread ends after this long without a request, so its heap (tens of megabytes) is not
 * kept between campaigns; the next batch starts another (tens of milliseconds).
 */
export const renderThreadIdle = { ms: 30_000 };

/** The process's render thread, started at the first batch; it holds the process open only while it renders. */
const renderThread = (() => {
  type Waiting = { resolve: (emails: LedgerEmail[]) => void; reject: (error: Error) => void };
  let current: { worker: Worker; waiting: Map<number, Waiting>; idle?: NodeJS.Timeout } | undefined;
  let next = 0;
  const start = (): NonNullable<typeof current> => {
    const { filename, evaluate } = threadEntry(import.meta.url, 'render');
    const worker = new Worker(filename, { eval: evaluate });
    renderThreadCount.threads += 1;
    const waiting = new Map<number, Waiting>();
    const thread: NonNullable<typeof current> = { worker, waiting };
    worker.unref();
    worker.on('message', (answer: RenderAnswer) => {
      const request = waiting.get(answer.id);
      waiting.delete(answer.id);
      if (waiting.size === 0) {
        worker.unref();
        thread.idle = setTimeout(() => {
          if (current !== thread || waiting.size > 0) return;
          current = undefined;
          void worker.terminate();
        }, renderThreadIdle.ms).unref();
      }
      if (!request) return;
      const emails: LedgerEmail[] = [];
      for (const result of answer.results) {
        if (!result.ok) return request.reject(new Error(`Rendering an email failed: ${result.message}`));
        emails.push({ subject: result.subject, preheader: result.preheader, bodies: { html: result.html, text: result.text } });
      }
      renderThreadCount.messages += emails.length;
      request.resolve(emails);
    });
    const stopped = (detail: string): void => {
      if (current?.worker === worker) current = undefined;
      for (const request of waiting.values()) request.reject(new Error(detail));
      waiting.clear();
    };
    worker.on('error', (error) => stopped(`The render thread failed: ${error.message}`.slice(0, 500)));
    worker.on('exit', (code) => stopped(`The render thread stopped (exit code ${code}) before it answered`));
    return thread;
  };
  return {
    render(items: readonly EmailRender[]): Promise<LedgerEmail[]> {
      const thread = current ??= start();
      clearTimeout(thread.idle);
      const id = next++;
      const versions = new Map(items.map((item) => [item.compiled.id, item.compiled]));
      const request: RenderRequest = {
        id,
        templates: [...versions.values()].map((c) => ({
          id: c.id, sources: c.sources, reads: { usesRecommendations: c.usesRecommendations, usesLoyalty: c.usesLoyalty, usesOrderContext: c.usesOrderContext },
        })),
        items: items.map((item) => ({ template: item.compiled.id, variables: item.variables, tracking: item.tracking })),
      };
      return new Promise((resolve, reject) => {
        // A value that cannot be cloned throws here, and the promise rejects with nothing waiting.
        thread.worker.postMessage(request);
        thread.waiting.set(id, { resolve, reject });
        thread.worker.ref();
      });
    },
  };
})();
