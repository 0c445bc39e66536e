/**
 * The ingest pipeline for Segment-spec messages (the HTTP tracking API, RudderStack, the browser
 * snippet): validate each message → apply what it means to the store's data (identify upserts the
 * customer; order events write orders and returns through the shared commerce writer) → attach the
 * customer → hand the events to the group-commit writer, and answer once they are committed.
 * Invalid messages are rejected one by one with their index; valid ones in the same batch are kept.
 */
import type { Storage } from '../../db/database.js';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { StoreTable } from '../accounts/index.js';
import { EventsService } from '../events/index.js';
import { normaliseBatch } from '../commerce/index.js';
import type { CheckoutInput, CustomerInput, CommerceBatch } from '../commerce/index.js';
import { originAllowed } from '../accounts/index.js';
import { customerFromTraits } from './customer.mapper.js';
import { eventPathOf, mapEcommerce, orderEvents, type OrderChange } from './ecommerce.mapper.js';
import { ordersReferenced, resolveOrderChanges } from './order-changes.js';
import type { StoredOrder } from '../orders/index.js';
import { GroupCommitWriter, type EventRow, type GroupCommitOptions, type IdentityLink } from './group-commit.writer.js';
import { IdentityResolver } from './identity.resolver.js';
import { IngestStats, reasonKey, type IngestStatus } from './ingest.stats.js';
import { sourceOf, validateMessage, type NormalMessage, type ValidateOptions } from './segment.validator.js';
import { ShopifyWebhooks } from './shopify.webhooks.js';

export interface DataSink {
  write(storeId: string, batch: CommerceBatch, options?: { source?: string }): Promise<unknown>;
}

/** What the pipeline needs from other modules; looked up when used, so wiring order does not matter. */
export interface IngestDeps {
  accounts: { findStore(idOrSlug: string): Promise<StoreTable | undefined> };
  commerce: DataSink;
  orders: { stored(storeId: string, externalIds: string[]): Promise<Map<string, StoredOrder>> };
}

export interface Rejection {
  index: number;
  path: string;
  reason: string;
}

export interface IngestResult {
  received: number;
  stored: number;
  duplicates: number;
  rejected: Rejection[];
}

type Accepted = { index: number; message: NormalMessage; effects: CommerceBatch; change?: OrderChange | undefined };

/**
 * How far a request is trusted: `browser` (the public write key, which sits in every page) records
 * behaviour only; `server` (a server or secret key) may also write orders, refunds, consent and
 * customers' identity fields.
 */
export type Trust = 'browser' | 'server';

/** Events that change orders; a browser may not send them (anyone can read the key from the page). */
const serverOnlyEvents: ReadonlySet<string> = new Set([...orderEvents, 'Order Shipped', 'Order Delivered']);

/**
 * A browser's cart keeps its recovery link only when the link is on one of the store's listed
 * tracking origins: abandoned-cart emails carry it, and any page can send any link with the public key.
 */
function browserCheckout(checkout: CheckoutInput, origins: string | null): CheckoutInput {
  if (!checkout.recovery_url) return checkout;
  let origin: string | undefined;
  try {
    origin = new URL(checkout.recovery_url).origin;
  } catch {
    origin = undefined;
  }
  if (origins !== null && origin && originAllowed(origins, origin)) return checkout;
  const { recovery_url: _url, ...rest } = checkout;
  return rest;
}

/** What a browser may not set on a customer even when it creates one: consent comes from the store. */
function withoutConsent(customer: CustomerInput): CustomerInput {
  const { accepts_marketing: _consent, email_consent: _email, sms_consent: _sms, ...rest } = customer;
  return rest;
}

export class IngestService {
  readonly stats = new IngestStats();
  readonly writer: GroupCommitWriter;
  readonly shopify: ShopifyWebhooks;
  private readonly identities: IdentityResolver;
  private readonly storeCache = new Map<string, { store: StoreTable | undefined; until: number }>();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly storage: Storage,
    logger: Logger,
    private readonly deps: () => IngestDeps,
    options: GroupCommitOptions = {},
  ) {
    this.writer = new GroupCommitWriter(storage, this.stats, logger, options);
    this.identities = new IdentityResolver(new EventsService(storage.read));
    this.shopify = new ShopifyWebhooks(storage, deps, this.stats, (storeId) => this.storeOf(storeId), () => this.writer.flushStats());
    // Counters of requests that stored nothing still reach the table within a second; the dedupe
    // window is pruned hourly.
    this.timers.push(setInterval(() => this.writer.flushStats(), 1000).unref());
    this.timers.push(setInterval(() => void this.writer.prune().catch((err: unknown) => logger.warn({ err }, 'pruning message ids failed')), 3_600_000).unref());
  }

  /** The store's settings (currency, Shopify secret), cached for a few seconds. */
  async storeOf(idOrSlug: string): Promise<StoreTable | undefined> {
    const cached = this.storeCache.get(idOrSlug);
    if (cached && cached.until > Date.now()) return cached.store;
    const store = await this.deps().accounts.findStore(idOrSlug);
    if (this.storeCache.size > 1000) this.storeCache.clear();
    this.storeCache.set(idOrSlug, { store, until: Date.now() + 5_000 });
    return store;
  }

  /** `origin`: the browser's Origin header, checked against the store's tracking origins. */
  async track(storeId: string, messages: unknown[], options: Omit<ValidateOptions, 'receivedAt'> & { origin?: string | undefined; trust: Trust }): Promise<IngestResult> {
    const receivedAt = new Date();
    const store = await this.storeOf(storeId);
    if (!store) throw new AppError('not_found', 'Store not found');
    if (options.origin && !originAllowed(store.tracking_origins, options.origin)) {
      throw new AppError('forbidden', `Origin ${options.origin} may not send events for this store; add it to the store's tracking_origins`);
    }
    let accepted: Accepted[] = [];
    const rejected: Rejection[] = [];
    const received = new Map<string, number>();
    const rejectOne = (index: number, source: string, path: string, reason: string) => {
      rejected.push({ index, path, reason });
      this.stats.reject(storeId, source, reasonKey(path, reason));
    };

    const validate: ValidateOptions = { type: options.type, batchSentAt: options.batchSentAt, batchContext: options.batchContext, bodyBytes: options.bodyBytes, receivedAt };
    messages.forEach((raw, index) => {
      const checked = validateMessage(raw, validate);
      const source = checked.ok ? checked.message.source : fallbackSource(raw);
      received.set(source, (received.get(source) ?? 0) + 1);
      if (!checked.ok) return rejectOne(index, source, checked.path, checked.reason);
      const message = checked.message;
      if (options.trust === 'browser' && message.type === 'track' && message.name && serverOnlyEvents.has(message.name)) {
        return rejectOne(index, source, 'event', `"${message.name}" changes an order and needs a server key; the public write key records behaviour only`);
      }
      const mapped = mapEcommerce(message, store.currency);
      if (!mapped.ok) return rejectOne(index, source, mapped.path, mapped.reason);
      const effects: CommerceBatch = { ...mapped.batch };
      if (options.trust === 'browser' && effects.checkouts) effects.checkouts = effects.checkouts.map((checkout) => browserCheckout(checkout, store.tracking_origins));
      if (message.type === 'identify' && message.userId) {
        const customer = customerFromTraits(message.userId, message.properties, message.context);
        effects.customers = [options.trust === 'browser' ? withoutConsent(customer) : customer];
      }
      const problem = firstProblem(effects);
      if (problem) return rejectOne(index, source, problem.path, problem.reason);
      accepted.push({ index, message, effects, change: mapped.change });
    });
    for (const [source, n] of received) this.stats.count(storeId, source, 'received', n);
    accepted = await this.resolveOrders(storeId, accepted, rejectOne);
    rejected.sort((a, b) => a.index - b.index);

    let stored = 0;
    let duplicates = 0;
    if (accepted.length > 0) {
      const { rows, links } = await this.prepare(storeId, accepted, receivedAt, options.trust);
      const outcomes = await this.writer.submit(rows, links);
      this.identities.linked(links);
      for (const outcome of outcomes) if (outcome === 'stored') stored += 1; else duplicates += 1;
    }
    if (accepted.length === 0) this.writer.flushStats();
    return { received: messages.length, stored, duplicates, rejected };
  }

  /**
   * Order changes and refunds checked against the stored orders (`order-changes.ts`); those that
   * cannot apply are rejected, the others carry the whole order to write.
   */
  private async resolveOrders(storeId: string, accepted: Accepted[], reject: (index: number, source: string, path: string, reason: string) => void): Promise<Accepted[]> {
    const referenced = ordersReferenced(accepted);
    if (referenced.length === 0) return accepted;
    const resolutions = resolveOrderChanges(accepted, await this.deps().orders.stored(storeId, referenced));
    return accepted.filter((item, i) => {
      const resolution = resolutions[i]!;
      const problem = !resolution.ok ? resolution : item.change ? firstProblem(item.effects) : undefined;
      if (problem) reject(item.index, item.message.source, problem.path, problem.reason);
      return !problem;
    });
  }

  /** Writes the messages' effects on customers, orders and returns, then builds the event rows. */
  private async prepare(storeId: string, accepted: Accepted[], receivedAt: Date, trust: Trust): Promise<{ rows: EventRow[]; links: IdentityLink[] }> {
    const userIds = new Set<string>();
    for (const { message } of accepted) if (message.userId) userIds.add(message.userId);
    let customerIds = await this.identities.customerIds(storeId, userIds);

    // Identified customers are upserted with their traits; a userId never seen before becomes a
    // customer on first sight, so every event with a userId lands on a profile.
    const customers = new Map<string, CustomerInput>();
    for (const id of userIds) if (!customerIds.has(id)) customers.set(id, { external_id: id });
    // A browser may introduce a customer but never rewrite an existing one's email, name or phone:
    // any page can claim any userId.
    for (const { effects } of accepted) {
      for (const customer of effects.customers ?? []) {
        if (trust === 'browser' && customerIds.has(customer.external_id)) continue;
        customers.set(customer.external_id, { ...customers.get(customer.external_id), ...customer });
      }
    }
    const batch: CommerceBatch = {
      customers: [...customers.values()],
      orders: accepted.flatMap(({ effects }) => effects.orders ?? []),
      returns: accepted.flatMap(({ effects }) => effects.returns ?? []),
      fulfillments: accepted.flatMap(({ effects }) => effects.fulfillments ?? []),
      checkouts: accepted.flatMap(({ effects }) => effects.checkouts ?? []),
    };
    if (Object.values(batch).some((items) => items.length > 0)) {
      await this.deps().commerce.write(storeId, batch, { source: accepted[0]!.message.source });
      customerIds = await this.identities.customerIds(storeId, userIds);
    }

    const anonymous = accepted.filter(({ message }) => !message.userId && message.anonymousId).map(({ message }) => message.anonymousId!);
    const known = await this.identities.linkedCustomers(storeId, anonymous);
    const links: IdentityLink[] = [];
    const rows = accepted.map(({ message }): EventRow => {
      const customerId = message.userId ? customerIds.get(message.userId) ?? null : known.get(message.anonymousId ?? '') ?? null;
      if (customerId !== null && message.userId) {
        if (message.anonymousId) links.push({ storeId, anonymousId: message.anonymousId, customerId });
        if (message.type === 'alias' && message.previousId) links.push({ storeId, anonymousId: message.previousId, customerId });
      }
      return {
        storeId,
        messageId: message.messageId,
        type: message.type,
        name: message.name,
        customerId,
        anonymousId: message.anonymousId,
        sessionId: message.sessionId,
        url: message.url,
        properties: JSON.stringify(message.properties),
        source: message.source,
        occurredAt: message.occurredAt,
        receivedAt,
        context: Object.keys(message.context).length > 0 ? JSON.stringify(message.context) : null,
      };
    });
    return { rows, links };
  }

  /**
   * Read through the writer connection: counters are taken from memory and committed while the
   * writer holds it, so a status read never sees them twice or not at all.
   */
  status(storeId: string): Promise<IngestStatus> {
    return this.stats.status(this.storage.write, storeId);
  }

  /** Commits what is pending and stops the timers (before the store closes). */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.writer.close();
  }
}

function fallbackSource(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'api';
  const message = raw as Record<string, unknown>;
  const context = typeof message.context === 'object' && message.context !== null && !Array.isArray(message.context) ? (message.context as Record<string, unknown>) : {};
  return sourceOf(context, message);
}

/** The writer's own rules, applied to one message's effects so a bad order rejects only its event. */
function firstProblem(effects: CommerceBatch): { path: string; reason: string } | undefined {
  if (Object.keys(effects).length === 0) return undefined;
  try {
    normaliseBatch(effects);
    return undefined;
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'validation_failed') throw error;
    const detail = error.details[0] ?? { path: '', reason: error.message };
    const path = detail.path.startsWith('customers.') ? `traits.${detail.path.split('.').slice(2).join('.')}` : eventPathOf(detail.path);
    return { path, reason: detail.reason };
  }
}
