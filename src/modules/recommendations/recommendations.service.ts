/**
 * The recommendations module's service: fit the models (now, or queued as a job), evaluate them
 * against the baselines, serve a customer's or a product's recommendations with their
 * explanations, and keep the store's pinned and blocked products.
 */
import { z } from 'zod';
import type { Storage } from '../../db/database.js';
import type { JobQueue } from '../../jobs/queue.js';
import { AppError, detailsFromZod } from '../../lib/errors.js';
import { evaluate, type EvaluationReport } from './evaluation.js';
import { modelKinds, type CustomerHistory, type ModelKind, type Reason, type Recommendation, type TrainedModel } from './model.types.js';
import { readHistoryIndex, type HistoryIndex } from './history-index.js';
import { explain, recommend, type Allowed } from './models.js';
import { groupPopularity, type GroupProduct } from './group-popularity.query.js';
import {
  currentSettings, latestFit, loadFit, productCards, productOffers, saveFit, saveSettings, type FitRow, type PinsAndBlocks, type ProductCard, type ProductOffer,
} from './recommendations.repository.js';
import { customerHistories, trainModels } from './training.query.js';

export const fitJobKind = 'recommendations.fit';
export const defaultFitIntervalMs = 86_400_000;
/** How long after an order changes the store's models are refitted. */
export const refitAfterChangesMs = 10 * 60_000;
/** How long the latest fit's id and the pins and blocks are taken as known without asking the database. */
const recentMs = 5_000;
/** How long after a failed read of the history index it is tried again. */
const indexRetryMs = 60_000;
/** A persona's or segment's name and its products, most popular first. */
interface GroupList { name: string; products: GroupProduct[] }

/** How many of a group's products are read: a few hundred cover any k after the filters. */
const GROUP_LIST_LENGTH = 500;

/** How long a segment's popularity list is served before it is read again (its members change between fits). */
const recentGroupMs = 10 * 60_000;

/** Customers changed since the index was read beyond which it is read again at once (a bulk import). */
const maxChangedCustomers = 50_000;

export const evaluateOptionsSchema = z.strictObject({
  cutoff: z.iso.date({ error: 'expected a day YYYY-MM-DD' }),
  k: z.number().int().min(1).max(100).default(10),
});

/** A price band's bounds must not cross: the issue names `min_price`. */
function bandInOrder(value: { min_price?: number | null | undefined; max_price?: number | null | undefined }, ctx: z.RefinementCtx): void {
  if (value.min_price != null && value.max_price != null && value.min_price > value.max_price) {
    ctx.addIssue({ code: 'custom', path: ['min_price'], message: `must not be more than max_price (${value.max_price})` });
  }
}

const price = z.number().min(0, 'must be 0 or more');

export const recommendOptionsSchema = z.strictObject({
  model: z.enum(modelKinds).default('for_you'),
  k: z.number().int().min(1).max(50).default(10),
  /** Price band of this request (minor units), within the store's. */
  min_price: price.optional(),
  max_price: price.optional(),
  /** A segment (id) whose popularity a customer without orders starts from, before their persona's: a campaign's. */
  segment: z.string().min(1).max(100).optional(),
}).superRefine(bandInOrder);

const bound = z.number().int('must be a whole amount in minor units').min(0, 'must be 0 or more').nullable().default(null);

export const pinsAndBlocksSchema = z.strictObject({
  pinned: z.array(z.number().int().positive()).max(50).default([]),
  blocked: z.array(z.number().int().positive()).max(5000).default([]),
  min_price: bound,
  max_price: bound,
}).superRefine(bandInOrder);

export interface FitReport {
  fit_id: number;
  trained_before: Date;
  customers: number;
  products: number;
  pairs: number;
  seconds: number;
}

export interface ServedItem {
  product_id: number;
  external_id: string;
  title: string;
  price: number | null;
  currency: string | null;
  image_url: string | null;
  score: number;
  reason: Reason['kind'];
  explanation: string;
}

export interface ServedList {
  model: ModelKind;
  k: number;
  fit_id: number | null;
  fitted_at: Date | null;
  items: ServedItem[];
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new AppError('validation_failed', `Invalid ${what}`, detailsFromZod(parsed.error.issues));
  return parsed.data;
}

export class RecommendationsService {
  /** The latest fit of each store, read once per fit. */
  private readonly cache = new Map<string, { fit: FitRow; model: Promise<TrainedModel> }>();
  /**
   * Which fit is the latest, and the pins and blocks, remembered for a few seconds: a campaign
   * renders thousands of recipients a second and each would otherwise ask again. A fit or a save
   * in this process forgets them at once.
   */
  private readonly recent = new Map<string, { at: number; fit: FitRow | undefined; settings: PinsAndBlocks; refreshing?: boolean }>();
  /** The first read of `recent` under way per store: the many requests that arrive before it ends share it. */
  private readonly firstReads = new Map<string, Promise<{ fit: FitRow | undefined; settings: PinsAndBlocks }>>();
  /** When this process last saved a fit or settings of each store. */
  private readonly forgotten = new Map<string, number>();
  /**
   * Every product's price, publication and stock per store, read again in the background after
   * `recentMs`, and at once after a write to the store's catalogue in this process.
   */
  private readonly offers = new Map<string, { at: number; offers: Promise<Map<number, ProductOffer>>; refreshing?: boolean }>();
  /** Product cards (title, price, image) read in the last few seconds, per store: the same few products are shown to most customers. */
  private readonly cards = new Map<string, Map<number, { at: number; card: ProductCard | undefined; refreshing?: boolean }>>();
  /**
   * Each store's customer histories in memory (`history-index.ts`), read after each fit, with the
   * customers whose orders changed since the read began: those are served from the database.
   */
  private readonly indexes = new Map<string, { fitId: number; index: HistoryIndex; changed: Set<number> }>();
  /** Index reads under way (or failed at `failedAt`), with the changes seen since each began. */
  private readonly reading = new Map<string, { fitId: number; changed: Set<number>; failedAt?: number }>();

  /**
   * Each store's popularity lists of its latest fit per persona and segment (read on first use); a
   * segment's members change between fits, so its list is read again after `recentGroupMs`.
   */
  private readonly groupLists = new Map<string, { fitId: number; lists: Map<string, { at: number; list: Promise<GroupList | undefined> }> }>();

  constructor(
    private readonly storage: Storage,
    private readonly jobs: JobQueue,
    private readonly now: () => Date = () => new Date(),
    /** The customer's persona (the latest run's), when they have one: the cold start without orders. */
    private readonly personaOf: (storeId: string, customerId: number) => Promise<{ id: string; name: string } | undefined> = () => Promise.resolve(undefined),
    /** A segment by id (undefined when there is none): the cold start a request names. */
    private readonly segmentOf: (storeId: string, segmentId: string) => Promise<{ id: string; name: string } | undefined> = () => Promise.resolve(undefined),
  ) {}

  /** Trains every model on all orders so far and stores the fit serving reads. */
  async fit(storeId: string): Promise<FitReport> {
    const started = performance.now();
    const now = this.now();
    const model = await trainModels(this.storage, storeId, now.toISOString());
    const seconds = (performance.now() - started) / 1000;
    const fitId = await saveFit(this.storage, storeId, model, seconds, now);
    this.cache.delete(storeId);
    this.forget(storeId);
    const pairs = [...model.together.values()].reduce((s, l) => s + l.length, 0);
    return { fit_id: fitId, trained_before: now, customers: model.customers, products: model.products.size, pairs, seconds };
  }

  /** Queues a refit (one queued per store at a time), now or at `runAt`; returns the job id. */
  queueFit(storeId: string, runAt?: Date): Promise<number> {
    return this.jobs.enqueue(fitJobKind, { storeId }, { storeId, dedupeKey: `${fitJobKind}:${storeId}`, ...(runAt && { runAt }) });
  }

  /**
   * After orders change, a refit is queued to run `refitAfterChangesMs` later; orders arriving
   * meanwhile fold into the same queued job (its key is unique while queued).
   */
  async ordersChanged(storeIds: string[]): Promise<void> {
    const runAt = new Date(this.now().getTime() + refitAfterChangesMs);
    for (const storeId of storeIds) await this.queueFit(storeId, runAt);
  }

  /**
   * These customers' orders changed (the domain events of a commit): until the next index is read,
   * their histories come from the database. Many at once (a bulk import) drop the index instead.
   */
  customersChanged(storeId: string, customerIds: readonly number[]): void {
    const served = this.indexes.get(storeId);
    for (const changed of [served?.changed, this.reading.get(storeId)?.changed]) {
      if (changed) for (const id of customerIds) changed.add(id);
    }
    if (served && served.changed.size > maxChangedCustomers) this.indexes.delete(storeId);
  }

  /** Whether this customer of the store has orders in its history index (so exists) — answered without a query. */
  hasOrders(storeId: string, customerId: number): boolean {
    return this.indexes.get(storeId)?.index.has(customerId) ?? false;
  }

  /** How many customers the store's history index holds, when one is in use (for tests and benchmarks). */
  historyIndex(storeId: string): { customers: number; orders: number; lines: number; changed: number } | undefined {
    const served = this.indexes.get(storeId);
    return served && { ...served.index.size, changed: served.changed.size };
  }

  /**
   * The customers' orders before now: from the store's history index when it is current for this
   * fit and the customer's orders have not changed since it was read, else from the database
   * (starting a read of the index in the background when it is missing or older than the fit).
   */
  private async histories(storeId: string, fitId: number, customerIds: readonly number[]): Promise<Map<number, CustomerHistory>> {
    const now = this.now();
    const served = this.indexes.get(storeId);
    if (!served || served.fitId !== fitId) this.readIndex(storeId, fitId);
    const out = new Map<number, CustomerHistory>();
    const unread: number[] = [];
    for (const id of customerIds) {
      if (served && !served.changed.has(id)) out.set(id, served.index.history(id, now));
      else unread.push(id);
    }
    // Those the index cannot answer are read together: one query for a campaign's slice, not one each.
    const read = unread.length ? await customerHistories(this.storage, storeId, now.toISOString(), unread) : undefined;
    for (const id of unread) out.set(id, read!.get(id) ?? { customerId: id, orders: [] });
    return out;
  }

  private readIndex(storeId: string, fitId: number): void {
    const under = this.reading.get(storeId);
    if (under && (under.failedAt === undefined || performance.now() - under.failedAt < indexRetryMs)) return;
    const pending: { fitId: number; changed: Set<number>; failedAt?: number } = { fitId, changed: new Set() };
    this.reading.set(storeId, pending);
    readHistoryIndex(this.storage, storeId).then((index) => {
      if (this.reading.get(storeId) !== pending) return;
      this.reading.delete(storeId);
      this.indexes.set(storeId, { fitId, index, changed: pending.changed });
    }, () => {
      // Served from the database meanwhile; tried again after `indexRetryMs`.
      pending.failedAt = performance.now();
    });
  }

  /** The offline evaluation of every model and the two baselines (docs/recommendations.md). */
  evaluate(storeId: string, options: unknown): Promise<EvaluationReport> {
    return evaluate(this.storage, storeId, parse(evaluateOptionsSchema, options, 'evaluation options'));
  }

  /**
   * The latest fit and the pins and blocks. Once known, they are answered at once; after
   * `recentMs` one read refreshes them in the background (a fit or a save in this process forgets
   * them at once), so a busy store's requests never wait on it.
   */
  private async current(storeId: string): Promise<{ fit: FitRow | undefined; settings: PinsAndBlocks }> {
    const known = this.recent.get(storeId);
    if (known && performance.now() - known.at >= recentMs && !known.refreshing) {
      known.refreshing = true;
      this.readCurrent(storeId).catch(() => { known.refreshing = false; });
    }
    if (known) return known;
    let first = this.firstReads.get(storeId);
    if (!first) {
      const read = this.readCurrent(storeId).finally(() => { if (this.firstReads.get(storeId) === read) this.firstReads.delete(storeId); });
      this.firstReads.set(storeId, (first = read));
    }
    return first;
  }

  private async readCurrent(storeId: string): Promise<{ fit: FitRow | undefined; settings: PinsAndBlocks }> {
    const at = performance.now();
    const [fit, settings] = await Promise.all([latestFit(this.storage, storeId), currentSettings(this.storage, storeId)]);
    // Kept unless a fit or a save in this process began meanwhile: what was read may predate it.
    if (!((this.forgotten.get(storeId) ?? -Infinity) >= at)) this.recent.set(storeId, { at, fit, settings });
    return { fit, settings };
  }

  private async model(storeId: string): Promise<{ fit: FitRow; model: TrainedModel; settings: PinsAndBlocks } | undefined> {
    const { fit, settings } = await this.current(storeId);
    if (!fit) return undefined;
    let cached = this.cache.get(storeId);
    if (!cached || cached.fit.id !== fit.id) {
      cached = { fit, model: loadFit(this.storage, storeId, fit) };
      this.cache.set(storeId, cached);
    }
    return { fit, model: await cached.model, settings };
  }

  /**
   * Products written to the store's catalogue (publication, stock or price may have changed): the
   * next recommendation reads them again.
   */
  catalogueChanged(storeId: string): void {
    this.offers.delete(storeId);
    this.cards.delete(storeId);
  }

  private async productOffers(storeId: string): Promise<Map<number, ProductOffer>> {
    const known = this.offers.get(storeId);
    if (known && performance.now() - known.at >= recentMs && !known.refreshing) {
      known.refreshing = true;
      const read = productOffers(this.storage, storeId);
      read.then(() => {
        if (this.offers.get(storeId) === known) this.offers.set(storeId, { at: performance.now(), offers: read });
      }, () => { known.refreshing = false; });
    }
    if (known) return known.offers;
    const entry = { at: performance.now(), offers: productOffers(this.storage, storeId) };
    this.offers.set(storeId, entry);
    entry.offers.catch(() => { if (this.offers.get(storeId) === entry) this.offers.delete(storeId); });
    return entry.offers;
  }

  /**
   * What may be recommended: published (now), in stock, priced within the store's band and the
   * request's (a product without a price is outside any band), and not blocked.
   */
  private async allowed(storeId: string, settings: PinsAndBlocks, options: { min_price?: number | undefined; max_price?: number | undefined }): Promise<Allowed> {
    const offers = await this.productOffers(storeId);
    const now = this.now().getTime();
    const blocked = new Set(settings.blocked);
    const min = Math.max(settings.min_price ?? -Infinity, options.min_price ?? -Infinity);
    const max = Math.min(settings.max_price ?? Infinity, options.max_price ?? Infinity);
    const banded = min > -Infinity || max < Infinity;
    return (productId) => {
      if (blocked.has(productId)) return false;
      const offer = offers.get(productId);
      if (!offer) return !banded;
      if (offer.published === false || (offer.publishedAt !== null && offer.publishedAt > now) || !offer.inStock) return false;
      return !banded || (offer.price !== null && offer.price >= min && offer.price <= max);
    };
  }

  /**
   * A customer's top k of one model, with explanations, after the store's filters (unpublished,
   * out of stock, outside the price band, blocked) and pins (pinned products first, unless the
   * customer already has them). Empty before the first fit.
   */
  async forCustomer(storeId: string, customerId: number, options: unknown = {}): Promise<ServedList> {
    const parsed = parse(recommendOptionsSchema, options, 'recommendation options');
    const served = await this.forMany(storeId, [{ customerId, segment: parsed.segment }], parsed);
    return served.get(customerId)!;
  }

  /**
   * Many customers' top k of one model (a campaign's slice of recipients), each as `forCustomer`
   * would serve it, each customer without orders starting from their own segment when given: the
   * fit, the filters, the histories the index cannot answer and the product cards are read once
   * for them all.
   */
  forCustomers(storeId: string, customers: readonly { customerId: number; segment?: string | undefined }[], options: unknown = {}): Promise<Map<number, ServedList>> {
    return this.forMany(storeId, customers, parse(recommendOptionsSchema, options, 'recommendation options'));
  }

  private async forMany(storeId: string, customers: readonly { customerId: number; segment?: string | undefined }[], parsed: z.infer<typeof recommendOptionsSchema>): Promise<Map<number, ServedList>> {
    const { model: kind, k } = parsed;
    const current = await this.model(storeId);
    if (!current) return new Map(customers.map((c) => [c.customerId, { model: kind, k, fit_id: null, fitted_at: null, items: [] }]));
    const ids = customers.map((c) => c.customerId);
    const [histories, allowed] = await Promise.all([this.histories(storeId, current.fit.id, ids), this.allowed(storeId, current.settings, parsed)]);
    const { settings } = current;
    const pinned = new Set(settings.pinned);
    const unpinned: Allowed = (id) => !pinned.has(id) && allowed(id);
    const now = this.now();
    const lists = await Promise.all(customers.map(async ({ customerId, segment }) => {
      const history = histories.get(customerId)!;
      const bought = new Set(history.orders.flatMap((o) => o.products));
      const pins: Recommendation[] = settings.pinned.filter((id) => allowed(id) && !bought.has(id)).map((productId) => ({ productId, score: 1, reason: { kind: 'pinned' } }));
      const cold = history.orders.length === 0 ? await this.groupPopular(storeId, current.fit, customerId, segment, k, unpinned) : [];
      const chosen = new Set(cold.map((r) => r.productId));
      const ranked = recommend(current.model, history, kind, k - cold.length, now, (id) => !chosen.has(id) && unpinned(id));
      return [...pins, ...cold, ...ranked];
    }));
    const cards = await this.productCards(storeId, [...new Set(lists.flatMap((list) => list.slice(0, k * 2).map((r) => r.productId)))]);
    return new Map(customers.map((c, i) => [c.customerId, this.served(kind, k, current.fit, lists[i]!, cards)]));
  }

  /**
   * A customer without orders: the products most popular in the segment the request names (404
   * naming `segment` when there is none), else among their persona's customers (recency-weighted
   * like the store's popularity), up to k that pass the filters; the store's popular products fill
   * the rest. Empty without either.
   */
  private async groupPopular(storeId: string, fit: FitRow, customerId: number, segmentId: string | undefined, k: number, allowed: Allowed): Promise<Recommendation[]> {
    if (k <= 0) return [];
    let group: GroupList | undefined;
    if (segmentId !== undefined) {
      group = await this.groupList(storeId, fit, `segment:${segmentId}`, async () => {
        const segment = await this.segmentOf(storeId, segmentId);
        return segment && { name: segment.name, products: await groupPopularity(this.storage, storeId, fit.trainedBefore.toISOString(), { segment: segment.id }, GROUP_LIST_LENGTH) };
      });
      if (!group) throw new AppError('not_found', `Segment ${segmentId} not found`, [{ path: 'segment', reason: 'no segment with this id in the store' }]);
    } else {
      const persona = await this.personaOf(storeId, customerId);
      if (!persona) return [];
      group = await this.groupList(storeId, fit, `persona:${persona.id}`, async () => ({
        name: persona.name, products: await groupPopularity(this.storage, storeId, fit.trainedBefore.toISOString(), { persona: persona.id }, GROUP_LIST_LENGTH),
      }));
    }
    const { name, products } = group!;
    const reason = (customers: number): Reason => (segmentId !== undefined ? { kind: 'segment_popular', segment: name, customers } : { kind: 'persona_popular', persona: name, customers });
    const top = products[0]?.weight || 1;
    return products.filter((p) => allowed(p.productId)).slice(0, k).map((p) => ({ productId: p.productId, score: p.weight / top, reason: reason(p.customers) }));
  }

  /**
   * A persona's or segment's name and popular products for the fit, read once per fit; a segment's
   * again after `recentGroupMs` (its members change between fits). Undefined: no such group.
   */
  private groupList(storeId: string, fit: FitRow, key: string, read: () => Promise<GroupList | undefined>): Promise<GroupList | undefined> {
    let known = this.groupLists.get(storeId);
    if (!known || known.fitId !== fit.id) this.groupLists.set(storeId, (known = { fitId: fit.id, lists: new Map() }));
    const now = Date.now();
    const held = known.lists.get(key);
    if (held && (key.startsWith('persona:') || now - held.at < recentGroupMs)) return held.list;
    // A persona run replaces the ids, so old lists are never read again.
    if (known.lists.size > 1000) known.lists.clear();
    const list = read();
    const lists = known.lists;
    lists.set(key, { at: now, list });
    list.catch(() => lists.delete(key));
    return list;
  }

  /** Products bought with this one (for a product page), with explanations, after the store's filters. */
  async forProduct(storeId: string, productId: number, options: unknown = {}): Promise<ServedList> {
    const parsed = parse(recommendOptionsSchema, options, 'recommendation options');
    const { k } = parsed;
    const current = await this.model(storeId);
    if (!current) return { model: 'bought_together', k, fit_id: null, fitted_at: null, items: [] };
    const allowed = await this.allowed(storeId, current.settings, parsed);
    const title = current.model.products.get(productId)?.title ?? String(productId);
    const list: Recommendation[] = (current.model.together.get(productId) ?? []).filter((n) => n.productId !== productId && allowed(n.productId))
      .map((n) => ({ productId: n.productId, score: n.score, reason: { kind: 'bought_with', productId, title, customers: n.customers } }));
    return this.served('bought_together', k, current.fit, list, await this.productCards(storeId, list.slice(0, k * 2).map((r) => r.productId)));
  }

  /** The first k of the list's first 2k that have a card, with their explanations. */
  private served(kind: ModelKind, k: number, fit: FitRow, list: Recommendation[], cards: ReadonlyMap<number, ProductCard>): ServedList {
    const items = list.slice(0, k * 2).filter((r) => cards.has(r.productId)).slice(0, k).map((r): ServedItem => {
      const card = cards.get(r.productId)!;
      return {
        product_id: card.id, external_id: card.externalId, title: card.title, price: card.price, currency: card.currency, image_url: card.imageUrl,
        score: r.score, reason: r.reason.kind, explanation: explain(r.reason),
      };
    });
    return { model: kind, k, fit_id: fit.id, fitted_at: fit.createdAt, items };
  }

  /**
   * The cards of these products. A card never read is read now; one read more than `recentMs` ago
   * is answered as known and read again in the background.
   */
  private async productCards(storeId: string, ids: number[]): Promise<Map<number, ProductCard>> {
    const now = performance.now();
    let known = this.cards.get(storeId);
    if (!known) this.cards.set(storeId, (known = new Map()));
    const missing = ids.filter((id) => !known.has(id));
    const stale = ids.filter((id) => {
      const entry = known.get(id);
      return entry && !entry.refreshing && now - entry.at >= recentMs;
    });
    if (stale.length) {
      for (const id of stale) known.get(id)!.refreshing = true;
      this.readCards(storeId, known, stale).catch(() => {
        for (const id of stale) if (known.get(id)) known.get(id)!.refreshing = false;
      });
    }
    if (missing.length) await this.readCards(storeId, known, missing);
    const out = new Map<number, ProductCard>();
    for (const id of ids) {
      const card = known.get(id)?.card;
      if (card) out.set(id, card);
    }
    return out;
  }

  private async readCards(storeId: string, known: Map<number, { at: number; card: ProductCard | undefined; refreshing?: boolean }>, ids: number[]): Promise<void> {
    const at = performance.now();
    const found = await productCards(this.storage, storeId, ids);
    // A store with a large catalogue keeps only the recent cards.
    if (known.size > 10_000) known.clear();
    for (const id of ids) known.set(id, { at, card: found.get(id) });
  }

  private forget(storeId: string): void {
    this.recent.delete(storeId);
    this.firstReads.delete(storeId);
    this.forgotten.set(storeId, performance.now());
  }

  settings(storeId: string): Promise<PinsAndBlocks> {
    return currentSettings(this.storage, storeId);
  }

  async saveSettings(storeId: string, body: unknown, by: string | null): Promise<PinsAndBlocks> {
    const saved = await saveSettings(this.storage, storeId, parse(pinsAndBlocksSchema, body, 'recommendation settings'), by, this.now());
    this.forget(storeId);
    return saved;
  }
}

/** The job: a store's refit. */
export async function runFitJob(service: RecommendationsService, payload: unknown): Promise<unknown> {
  const { storeId } = z.object({ storeId: z.string().min(1) }).parse(payload);
  return service.fit(storeId);
}
