/**
 * Sending a batch of checked messages: one lane per pool connection. Each lane commits its message
 * as `sending` — in a commit shared with the other lanes, together with an earlier message's
 * outcome — before the SMTP conversation, while the conversation of the message before runs. So at
 * most twice the pool's connections are ever `sending` (and `uncertain` after a crash): one in its
 * conversation and the next, committed and waiting, per lane. A source (a campaign) is paused after a run of transport errors;
 * its messages not yet started stay queued.
 */
import type { Db } from '../../db/database.js';
import type { Logger } from '../../lib/logger.js';
import type { PackedBodies } from './message-bodies.js';
import { appendStates, type StateChange } from './sends.repository.js';
import type { SendHeading } from './sends.table.js';
import { recordPause } from './source-pauses.repository.js';
import { upsertSuppression } from './suppressions.repository.js';
import { MAX_DELIVERY_ATTEMPTS, type Deliverer, type SendOutcome } from './transport.js';

export interface LaneDeps {
  write: Db;
  logger: Logger;
  storeId: string;
  /** The channel's way out (email: the SMTP pool). */
  deliverer: Deliverer;
  /** Each message's attempt number. */
  attempts: ReadonlyMap<number, number>;
  /** Transport errors in a row that pause the source. */
  pauseAfter: number;
  onProgress?: ((fraction: number) => Promise<void>) | undefined;
  /** Reads the HTML and text of the messages with these ids, deflated as stored. */
  bodies: (ids: readonly number[]) => Promise<ReadonlyMap<number, PackedBodies>>;
}

/** Appends state changes in shared commits: what the lanes append while a commit runs goes in the next one. */
class StateLog {
  private pending: { changes: StateChange[]; done: (error?: unknown) => void }[] = [];
  private running = false;

  constructor(private readonly write: Db) {}

  append(changes: StateChange[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ changes, done: (error) => (error ? reject(error) : resolve()) });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await appendStates(this.write, batch.flatMap((entry) => entry.changes));
        for (const entry of batch) entry.done();
      } catch (error) {
        for (const entry of batch) entry.done(error);
      }
    }
    this.running = false;
  }
}

/**
 * Messages whose bodies are read together. Measured while the bodies were stored as text, each
 * read cost DuckDB about 12 ms of CPU however few it returned (it decompressed whole vectors of
 * the HTML column): 50 at a time cost 0.3 ms a message more than the whole batch at once, 125
 * about 0.1 ms. Deflated bodies (`message-bodies.ts`) make each read far cheaper.
 */
const BODIES_AT_ONCE = 125;

/** Messages started between two progress reports (each extends the job's lease). */
const PROGRESS_EVERY = 50;

/** A message a lane has taken, its body read and `sending` committed. */
interface Claimed { send: SendHeading; body: PackedBodies; attempt: number }

export async function sendInLanes(deps: LaneDeps, toSend: readonly SendHeading[]): Promise<{ sent: number; failed: number; uncertain: number; held: number; retries: { id: number; attempt: number }[] }> {
  const { storeId, deliverer, attempts, onProgress, pauseAfter } = deps;
  const result = { sent: 0, failed: 0, uncertain: 0, held: 0, retries: [] as { id: number; attempt: number }[] };
  let consecutiveErrors = 0;
  const stoppedSources = new Set<string>();
  const stopped = (send: SendHeading) => send.source !== null && stoppedSources.has(send.source);
  const log = new StateLog(deps.write);
  const bodyOf = bodyReader(toSend, Math.max(BODIES_AT_ONCE, 2 * deliverer.inFlight), deps.bodies);
  let next = 0;
  /** Messages whose conversation has started, and the last multiple of PROGRESS_EVERY reported. */
  let started = 0;
  let reported = 0;

  /** Takes the next message not held, reads its body and commits it as `sending` together with `outcomes` (committed alone when none is left). */
  const claim = async (outcomes: StateChange[]): Promise<Claimed | undefined> => {
    for (let index = next++; index < toSend.length; index = next++) {
      const send = toSend[index]!;
      if (stopped(send)) {
        result.held += 1;
        continue;
      }
      const attempt = attempts.get(send.id) ?? 1;
      const body = await bodyOf(index);
      await log.append([...outcomes, { storeId, sendId: send.id, state: 'sending', attempt }]);
      return { send, body, attempt };
    }
    if (outcomes.length > 0) await log.append(outcomes);
    return undefined;
  };

  /** What a lane does with a message's outcome: counts it, suppresses the address it names, pauses its source after a run of errors. */
  const settle = async (send: SendHeading, outcome: SendOutcome, attempt: number): Promise<StateChange> => {
    const finished = stateOf(storeId, send, outcome, attempt);
    // A retry is queued again under its next attempt; the caller schedules it.
    if (finished.state === 'queued') result.retries.push({ id: send.id, attempt: finished.attempt });
    else result[finished.state as 'sent' | 'failed' | 'uncertain'] += 1;
    // Keeps the job's lease while a slow or rate-limited server takes its time: once per 50
    // messages started, not once per lane that finds the count at a multiple of 50 (each report
    // is a commit on the one writer, which the lanes' state commits wait behind).
    if (onProgress && Math.floor(started / PROGRESS_EVERY) > reported) {
      reported = Math.floor(started / PROGRESS_EVERY);
      await onProgress((reported * PROGRESS_EVERY) / toSend.length);
    }
    if (outcome.kind === 'rejected' && (outcome.invalidAddress || outcome.suppressAs)) {
      const reason = outcome.suppressAs ?? 'invalid_address';
      await upsertSuppression(deps.write, { store_id: storeId, address: send.to_address, reason, source: deliverer.name, note: outcome.detail.slice(0, 200), expires_at: null, created_at: new Date() });
    }
    consecutiveErrors = outcome.kind === 'transport_error' || outcome.kind === 'retry' ? consecutiveErrors + 1 : 0;
    if (consecutiveErrors >= pauseAfter && send.source !== null && !stoppedSources.has(send.source)) {
      stoppedSources.add(send.source);
      await recordPause(deps.write, storeId, send.source, 'paused', `${consecutiveErrors} consecutive transport errors; last: ${outcome.kind === 'transport_error' || outcome.kind === 'retry' ? outcome.detail : ''}`.slice(0, 500));
      deps.logger.warn({ storeId, source: send.source, errors: consecutiveErrors }, 'message source paused after transport errors');
    }
    return finished;
  };

  // Each lane takes its next message while the SMTP conversation of the one before runs, so the
  // conversation never waits for a commit: a message is committed `sending` before its
  // conversation starts, its outcome in the commit that takes the lane's message after next.
  const lane = async () => {
    let unrecorded: StateChange[] = [];
    let current = await claim([]);
    while (current) {
      const conversation = deliverer.deliver(current.send, current.body);
      started += 1;
      const upcoming = claim(unrecorded);
      upcoming.catch(() => undefined);
      unrecorded = [await settle(current.send, await conversation, current.attempt)];
      current = await upcoming;
      // Taken before its source paused: back to the queue, and the lane takes another.
      while (current && stopped(current.send)) {
        result.held += 1;
        unrecorded.push({ storeId, sendId: current.send.id, state: 'queued', reason: 'source_paused', attempt: current.attempt });
        current = await claim(unrecorded);
        unrecorded = [];
      }
    }
    if (unrecorded.length > 0) await log.append(unrecorded);
  };
  await Promise.all(Array.from({ length: Math.min(deliverer.inFlight, toSend.length) }, lane));
  return result;
}

/**
 * The bodies of a batch's messages, read `size` at a time as the lanes reach them, the next few
 * read ahead: the batch's headings stay in memory while it is sent, its rendered HTML only for a
 * moment (read all at once, 500 messages' HTML outlived the young generation and grew the heap by
 * hundreds of megabytes between collections).
 */
function bodyReader(
  sends: readonly SendHeading[], size: number, read: LaneDeps['bodies'],
): (index: number) => Promise<PackedBodies> {
  const chunks = new Map<number, Promise<ReadonlyMap<number, PackedBodies>>>();
  const chunk = (n: number) => {
    let found = chunks.get(n);
    if (!found) {
      found = read(sends.slice(n * size, (n + 1) * size).map((send) => send.id));
      found.catch(() => undefined);
      chunks.set(n, found);
    }
    return found;
  };
  return async (index) => {
    const n = Math.floor(index / size);
    const mine = chunk(n);
    if ((n + 1) * size < sends.length) void chunk(n + 1);
    chunks.delete(n - 1);
    const body = (await mine).get(sends[index]!.id);
    if (!body) throw new Error(`message ${sends[index]!.id} has no body in the ledger`);
    return body;
  };
}

function stateOf(storeId: string, send: SendHeading, outcome: SendOutcome, attempt: number): StateChange {
  const base = { storeId, sendId: send.id, attempt };
  switch (outcome.kind) {
    case 'accepted': return { ...base, state: 'sent', detail: outcome.response, providerMessageId: outcome.messageId };
    case 'rejected': return { ...base, state: 'failed', reason: outcome.suppressAs ?? (outcome.invalidAddress ? 'invalid_address' : 'rejected'), detail: outcome.detail };
    case 'transport_error': return { ...base, state: 'failed', reason: 'transport_error', detail: outcome.detail };
    case 'uncertain': return { ...base, state: 'uncertain', reason: 'no_answer', detail: outcome.detail };
    case 'retry': return attempt < MAX_DELIVERY_ATTEMPTS
      ? { ...base, state: 'queued', reason: 'retry', detail: outcome.detail, attempt: attempt + 1 }
      : { ...base, state: 'failed', reason: 'transport_error', detail: `${MAX_DELIVERY_ATTEMPTS} attempts; last: ${outcome.detail}` };
  }
}

