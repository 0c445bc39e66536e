/**
 * Delivers domain events to subscribers, at least once and in id order (so in order per
 * customer). Each subscriber runs its own loop with its own position, stored in
 * `event_subscriptions` after each handled batch: a slow subscriber delays no other, and after a
 * crash or restart a subscriber resumes after the last batch it finished — the batch it was in the
 * middle of is delivered again, so handlers are idempotent by event id.
 *
 * A subscriber may follow others (`after`): it sees an event only once those have handled it (the
 * segments follow the summaries they are computed from). Writers in this process `notify()` after
 * a commit; changes made elsewhere (the CLI) are found by polling.
 */
import type { Storage } from '../../db/database.js';
import type { Logger } from '../../lib/logger.js';
import type { DomainEvent, DomainEventType } from './domain-events.catalogue.js';
import {
  lastEventId, newestEventAfter, pruneEvents, readEvents, readStoreChanges, saveSubscriptionPosition, subscriptionPosition, type StoreChanges,
} from './domain-events.repository.js';

interface SubscriberBase {
  /** Stable name: the key of its position. */
  name: string;
  /** The types it handles (default: every type). Other events pass by without a call. */
  types?: readonly DomainEventType[];
  /** Where a subscriber seen for the first time starts: after the newest event (default) or at the first. */
  from?: 'start' | 'end';
  /** Names of subscribers whose position this one never passes. */
  after?: readonly string[];
  /**
   * Only events that name a customer (an event subscriber): anonymous visitors' tracked events,
   * most of the ingest stream, pass by in SQL instead of being read and parsed one by one.
   */
  customersOnly?: boolean;
}

/** Handles each event: gets them as objects, in id order, a span of ids at a time. */
export interface EventSubscriber extends SubscriberBase {
  /** Handles a batch, in id order. Throwing retries the same batch later. */
  handle: (events: DomainEvent[]) => Promise<void>;
}

/**
 * Works per store whatever the number of events (the summaries, the segments): gets, per store,
 * the types that occurred and the customers named by `customerTypes`, folded in SQL over every
 * event committed since its position.
 */
export interface StoreSubscriber extends SubscriberBase {
  customerTypes?: readonly DomainEventType[];
  /**
   * The customer fields this subscriber reads: a customer.updated that changed none of them (an
   * unsubscribe changes only the consent) passes by in SQL. All fields when not given.
   */
  customerFields?: readonly string[];
  handleStores: (changes: StoreChanges[]) => Promise<void>;
}

export type Subscriber = EventSubscriber | StoreSubscriber;

export interface DispatcherOptions {
  /** How often a subscriber looks for events when nobody notified it. */
  pollMs?: number;
  /** Most ids read in one batch by an event subscriber (a store subscriber takes everything committed). */
  batchIds?: number;
  /** Events are kept this long after every subscriber has handled them. */
  keepMs?: number;
}

/**
 * Milliseconds from commit to the end of handling: per event for an event subscriber, per store
 * (its oldest event) for a store subscriber.
 */
export type LagListener = (subscriber: string, lagsMs: { delivered: number[]; handled: number[] }) => void;

const MAX_BACKOFF_MS = 30_000;
const PRUNE_EVERY_MS = 3_600_000;
/**
 * A position moved past a span that held nothing for the subscriber (none of its types) is saved
 * at most this often: after a restart, reading such a span again handles nothing. Every commit
 * wakes every subscriber, and most spans concern few of them — one unsubscribe made each of a
 * dozen subscribers write its position, each write on the one writer the sends commit through.
 */
const IDLE_SAVE_MS = 5_000;

export class Dispatcher {
  private readonly subscribers: Subscriber[] = [];
  private readonly positions = new Map<string, number>();
  /** The position last written for each subscriber, and when. */
  private readonly saved = new Map<string, { position: number; at: number }>();
  private readonly wakers = new Set<() => void>();
  private readonly loops: Promise<void>[] = [];
  private readonly lagListeners: LagListener[] = [];
  private running = false;
  /** The newest event id, read once for the subscribers that look within one poll; a notify reads it again. */
  private newest: { id: Promise<number>; at: number } | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly pollMs: number;
  private readonly batchIds: number;
  private readonly keepMs: number;

  constructor(
    private readonly storage: Storage,
    private readonly logger: Logger,
    options: DispatcherOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 250;
    this.batchIds = options.batchIds ?? 20_000;
    this.keepMs = options.keepMs ?? 7 * 86_400_000;
  }

  subscribe(subscriber: Subscriber): this {
    if (this.running) throw new Error('Subscribe before the dispatcher starts');
    if (this.subscribers.some((s) => s.name === subscriber.name)) throw new Error(`A subscriber named ${subscriber.name} exists`);
    this.subscribers.push(subscriber);
    return this;
  }

  onLag(listener: LagListener): void {
    this.lagListeners.push(listener);
  }

  /** Starts every subscriber's loop. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const newest = await lastEventId(this.storage.read);
    for (const subscriber of this.subscribers) {
      let position = await subscriptionPosition(this.storage.read, subscriber.name);
      if (position === undefined) {
        position = subscriber.from === 'start' ? 0 : newest;
        await saveSubscriptionPosition(this.storage.write, subscriber.name, position);
      }
      this.positions.set(subscriber.name, position);
      this.saved.set(subscriber.name, { position, at: Date.now() });
    }
    for (const subscriber of this.subscribers) this.loops.push(this.loop(subscriber));
    this.pruneTimer = setInterval(() => {
      this.prune().catch((error: unknown) => this.logger.warn({ err: error }, 'pruning domain events failed'));
    }, PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  /** Something was committed: look now instead of at the next poll. */
  notify(): void {
    this.newest = undefined;
    this.wake();
  }

  private wake(): void {
    for (const wake of [...this.wakers]) wake();
  }

  /** The subscriber's position (the last id it has handled). */
  position(name: string): number | undefined {
    return this.positions.get(name);
  }

  /** Resolves once every subscriber has handled every event committed before the call. */
  async idle(timeoutMs = 30_000): Promise<void> {
    const target = await lastEventId(this.storage.read);
    const deadline = Date.now() + timeoutMs;
    this.notify();
    while (this.subscribers.some((s) => (this.positions.get(s.name) ?? 0) < target)) {
      if (Date.now() > deadline) throw new Error(`Domain events not delivered within ${timeoutMs} ms (up to ${target})`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Lets the handlers in progress finish, then stops. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.pruneTimer);
    this.notify();
    await Promise.all(this.loops);
    this.loops.length = 0;
    for (const subscriber of this.subscribers) {
      const position = this.positions.get(subscriber.name);
      if (position !== undefined && this.saved.get(subscriber.name)?.position !== position) await this.save(subscriber.name, position);
    }
  }

  /** Deletes events every subscriber has handled that are older than the keep time. */
  async prune(now = new Date()): Promise<number> {
    if (this.subscribers.length === 0) return 0;
    const handled = Math.min(...this.subscribers.map((s) => this.positions.get(s.name) ?? 0));
    return pruneEvents(this.storage.write, handled, new Date(now.getTime() - this.keepMs));
  }

  private async loop(subscriber: Subscriber): Promise<void> {
    let failures = 0;
    while (this.running) {
      const position = this.positions.get(subscriber.name) ?? 0;
      try {
        // Nothing new for anyone: one short query for all the subscribers instead of one each.
        const newest = await this.newestId();
        if (newest <= position) {
          await this.saveIfStale(subscriber.name);
          await this.sleep(this.pollMs);
          continue;
        }
        // Every id up to the newest committed one is settled (committed or rolled back: one writer),
        // so the span ends there, or `batchIds` ids on (ids a rolled-back write drew hold no event:
        // a long run of them is crossed a span at a time, each an empty range read).
        const perStore = 'handleStores' in subscriber;
        let upto: number | undefined = perStore ? newest : Math.min(newest, position + this.batchIds);
        for (const leader of subscriber.after ?? []) upto = Math.min(upto ?? 0, this.positions.get(leader) ?? 0);
        if (upto === undefined || upto <= position) {
          await this.sleep(this.pollMs);
          continue;
        }
        // Lag per event (per store for a store subscriber, from its oldest event): to the handler's
        // start (delivered) and to its end (handled).
        let commits: number[] = [];
        let delivered = 0;
        if (perStore) {
          const changes = await readStoreChanges(this.storage.read, position, upto, subscriber.types, subscriber.customerTypes ?? [], subscriber.customerFields);
          if (changes.length > 0) {
            commits = changes.map((change) => change.oldest.getTime());
            delivered = Date.now();
            await subscriber.handleStores(changes);
          }
        } else {
          const events = await readEvents(this.storage.read, position, upto, subscriber.types, subscriber.customersOnly === true);
          if (events.length > 0) {
            commits = events.map((event) => event.occurredAt.getTime());
            delivered = Date.now();
            await subscriber.handle(events);
          }
        }
        if (commits.length > 0 && this.lagListeners.length > 0) {
          const handled = Date.now();
          const lags = { delivered: commits.map((at) => delivered - at), handled: commits.map((at) => handled - at) };
          for (const listener of this.lagListeners) listener(subscriber.name, lags);
        }
        // After handling, the position is written before it moves (idle() means written).
        if (commits.length > 0) await this.save(subscriber.name, upto);
        this.positions.set(subscriber.name, upto);
        await this.saveIfStale(subscriber.name);
        failures = 0;
        // A handler may have committed events of its own (a segment's entries): everyone looks
        // again. After a span that held nothing for this one, only its followers may move now.
        if (commits.length > 0) this.notify();
        else if (this.subscribers.some((s) => s.after?.includes(subscriber.name))) this.wake();
      } catch (error) {
        failures += 1;
        const wait = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(failures, 8));
        this.logger.warn({ err: error, subscriber: subscriber.name, position, retryInMs: wait }, 'domain event delivery failed');
        await this.sleep(wait);
      }
    }
  }

  private async save(name: string, position: number): Promise<void> {
    await saveSubscriptionPosition(this.storage.write, name, position);
    this.saved.set(name, { position, at: Date.now() });
  }

  /** Writes a position moved past spans of other types, once IDLE_SAVE_MS have passed since the last write. */
  private async saveIfStale(name: string): Promise<void> {
    const position = this.positions.get(name);
    const saved = this.saved.get(name);
    if (position === undefined || saved?.position === position || (saved && Date.now() - saved.at < IDLE_SAVE_MS)) return;
    await this.save(name, position);
  }

  /**
   * The newest event id, shared by the subscribers that ask within half a poll of each other (they
   * wake together after each commit in this process), read above the lowest position.
   */
  private newestId(): Promise<number> {
    const now = Date.now();
    if (!this.newest || now - this.newest.at >= this.pollMs / 2) {
      const id = newestEventAfter(this.storage.read, Math.min(...this.positions.values()));
      id.catch(() => undefined);
      this.newest = { id, at: now };
    }
    return this.newest.id;
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}
