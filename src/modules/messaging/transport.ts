/**
 * The email transport: nodemailer over SMTP with pooled connections, a rate limit and DKIM signing
 * when the store has a key (`smtp-pool.ts`), in a thread of its own. A message's fate is a value:
 * accepted (with the server's answer and message id), rejected by the server for good, a transport
 * error (nothing was accepted), or uncertain (the connection broke after the message was handed
 * over, so it may have arrived).
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { threadEntry } from '../../lib/worker-thread.js';
import type { PackedBodies } from './message-bodies.js';
import { addressOf } from './message-links.js';
import type { SendHeading, SuppressionReason } from './sends.table.js';
import { CATCHER_HEADER } from './smtp-catcher.js';
import type { SmtpAnswer, SmtpOptions, SmtpRequest } from './smtp-pool.js';

export type { SmtpOptions } from './smtp-pool.js';

export type OutgoingEmail = {
  from: string;
  to: string;
  replyTo?: string | null;
  subject: string;
  messageId: string;
  headers: Record<string, string>;
  /** The bodies as text, or deflated as the ledger keeps them (the SMTP thread inflates them). */
} & ({ html: string; text: string } | { packed: PackedBodies });

export type SendOutcome =
  | { kind: 'accepted'; messageId: string; response: string }
  | { kind: 'rejected'; detail: string; invalidAddress: boolean; suppressAs?: SuppressionReason }
  | { kind: 'transport_error'; detail: string }
  | { kind: 'uncertain'; detail: string }
  /** Not delivered for a reason that may pass (a 5xx, a timeout before sending, too many requests): try again later. */
  | { kind: 'retry'; detail: string };

export interface Mailer {
  /** How many messages can be in an SMTP conversation at once (the pool's connections). */
  readonly inFlight: number;
  send(email: OutgoingEmail): Promise<SendOutcome>;
  close(): void;
}

/**
 * The SMTP pool runs in a worker thread of its own (`smtp.thread.ts`, with `smtp-pool.ts`): building
 * each MIME message, encoding its parts, DKIM signing and the socket writes take about as much CPU
 * as rendering the message, and on the main thread they shared one core with rendering, the
 * ledger's statements and HTTP. Messages are posted to the thread and each answer is its outcome.
 * The thread holds the process open only while a message is on its way. If it stops with messages
 * in flight, those are `uncertain` (they may have been handed to the server); the next message
 * starts a new thread.
 */
/**
 * The SMTP thread's old generation, at most. V8 lets a heap grow between full collections by a
 * factor of its live size that it scales with this bound: 1.3 at 256 MB, 4 from 2 GB. The thread's
 * live heap is about 9 MB, and V8 counts the buffers allocated since the last full collection (the
 * inflated HTML, the encoded message) against that growth: at 256 MB a full collection ran every
 * fifty to eighty messages, 64 to 90 of them for 5,000 messages, where 2 GB runs 20. The bodies are
 * buffers outside the heap, not strings in it, so the larger bound does not let finished messages
 * pile up in the heap as the text bodies once did.
 */
export const SMTP_THREAD_HEAP_MB = 2048;

export function smtpMailer(options: SmtpOptions): Mailer {
  const maxConnections = options.maxConnections ?? 5;
  /** The messages on their way in each thread, by id. */
  const pending = new Map<Worker, Map<number, (outcome: SendOutcome) => void>>();
  let thread: Worker | undefined;
  let next = 0;
  const start = (): Worker => {
    const { filename, evaluate } = threadEntry(import.meta.url, 'smtp');
    const worker = new Worker(filename, {
      eval: evaluate, workerData: { ...options, maxConnections } satisfies SmtpOptions,
      resourceLimits: { maxOldGenerationSizeMb: SMTP_THREAD_HEAP_MB },
    });
    const mine = new Map<number, (outcome: SendOutcome) => void>();
    pending.set(worker, mine);
    worker.unref();
    worker.on('message', (answer: SmtpAnswer) => {
      const done = mine.get(answer.id);
      mine.delete(answer.id);
      if (mine.size === 0) worker.unref();
      done?.(answer.outcome);
    });
    const stopped = (detail: string): void => {
      if (thread === worker) thread = undefined;
      for (const done of mine.values()) done({ kind: 'uncertain', detail });
      mine.clear();
      pending.delete(worker);
    };
    worker.on('error', (error) => stopped(`The SMTP thread failed: ${error.message}`.slice(0, 500)));
    worker.on('exit', (code) => stopped(`The SMTP thread stopped (exit code ${code}) while the message was on its way`));
    return worker;
  };
  return {
    inFlight: maxConnections,
    send(email) {
      const worker = thread ??= start();
      const id = next++;
      worker.ref();
      return new Promise((resolve) => {
        pending.get(worker)!.set(id, resolve);
        worker.postMessage({ type: 'send', id, email } satisfies SmtpRequest);
      });
    },
    close() {
      // The thread lets its messages in flight finish, then closes the pool and ends.
      thread?.postMessage({ type: 'close' } satisfies SmtpRequest);
      thread = undefined;
    },
  };
}

/**
 * Any channel's way out: delivers one message of the ledger and says what became of it. Email
 * wraps the SMTP `Mailer`; SMS and webhooks speak HTTP (`sms-transport.ts`, `webhook-channel.ts`).
 */
export interface Deliverer {
  /** How many messages may be on their way at once (one lane each). */
  readonly inFlight: number;
  /** Recorded as the source of a suppression the deliverer's answer causes (smtp, twilio…). */
  readonly name: string;
  /** `bodies` as the ledger keeps them (`message-bodies.ts`). */
  deliver(send: SendHeading, bodies: PackedBodies): Promise<SendOutcome>;
  close(): void;
}

/** Attempts of a message whose deliveries keep asking to be retried, before it fails for good. */
export const MAX_DELIVERY_ATTEMPTS = 12;

/** The wait before attempt n+1 after a retryable outcome: 2^(n-1) seconds (1 s, 2 s, 4 s … about an hour in all). */
export function retryDelayMs(attempt: number): number {
  return Math.min(3_600_000, 1000 * 2 ** Math.max(0, attempt - 1));
}

/** Email over a `Mailer`; to the built-in catcher, each message names its send in a header. */
export function emailDeliverer(mailer: Mailer, storeId: string, caught: boolean): Deliverer {
  return {
    inFlight: mailer.inFlight,
    name: 'smtp',
    deliver: (send, bodies) => {
      const headers = JSON.parse(send.headers) as Record<string, string>;
      if (caught) headers[CATCHER_HEADER] = `${storeId}/${send.id}`;
      const domain = addressOf(send.from_address).split('@')[1] ?? 'localhost';
      return mailer.send({
        from: send.from_address, to: send.to_address, subject: send.subject, packed: bodies, headers,
        messageId: `<${send.id}.${randomUUID()}@${domain}>`,
      });
    },
    close: () => mailer.close(),
  };
}
