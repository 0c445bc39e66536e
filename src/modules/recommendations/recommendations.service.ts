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
import { explain, recommend } from './models.js';
import { currentSettings, latestFit, loadFit, productCards, saveFit, saveSettings, type FitRow, type PinsAndBlocks, type ProductCard } from './recommendations.repository.js';
import { customerHistories, trainModels } from './training.query.js';

export const fitJobKind = 'recommendations.fit';
export const defaultFitIntervalMs = 86_400_000;
/** How long after an order changes the store's models are refitted. */
export const refitAfterChangesMs = 10 * 60_000;
/** How long the latest fit's id and the pins and blocks are taken as known without asking the database. */
const recentMs = 5_000;

export const evaluateOptionsSchema = z.strictObject({
  cutoff: z.iso.date({ error: 'expected a day YYYY-MM-DD' }),
  k: z.number().int().min(1).max(100).default(10),
});

export const recommendOptionsSchema = z.strictObject({
  model: z.enum(modelKinds).default('for_you'),
  k: z.number().int().min(1).max(50).default(10),
});

export const pinsAndBlocksSchema = z.strictObject({
  pinned: z.array(z.number().int().positive()).max(50).default([]),
  blocked: z.array(z.number().int().positive()).max(5000).default([]),
});

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
  private readonly recent = new Map<string, { at: number; fit: FitRow | undefined; settings: PinsAndBlocks }>();
  /** Product cards (title, price, image) read in the last few seconds, per store: the same few products are shown to most customers. */
  private readonly cards = new Map<string, Map<number, { at: number; card: ProductCard | undefined }>>();

  constructor(
    private readonly storage: Storage,
    private readonly jobs: JobQueue,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Trains every model on all orders so far and stores the fit serving reads. */
  async fit(storeId: string): Promise<FitReport> {
    const started = performance.now();
    const now = this.now();
    const model = await trainModels(this.storage, storeId, now.toISOString());
    const seconds = (performance.now() - started) / 1000;
    const fitId = await saveFit(this.storage, storeId, model, seconds, now);
    this.cache.delete(storeId);
    this.recent.delete(storeId);
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

  /** The offline evaluation of every model and the two baselines (docs/recommendations.md). */
  evaluate(storeId: string, options: unknown): Promise<EvaluationReport> {
    return evaluate(this.storage, storeId, parse(evaluateOptionsSchema, options, 'evaluation options'));
  }

  private async current(storeId: string): Promise<{ fit: FitRow | undefined; settings: PinsAndBlocks }> {
    const known = this.recent.get(storeId);
    if (known && performance.now() - known.at < recentMs) return known;
    const [fit, settings] = await Promise.all([latestFit(this.storage, storeId), currentSettings(this.storage, storeId)]);
    this.recent.set(storeId, { at: performance.now(), fit, settings });
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
   * A customer's top k of one model, with explanations, after the store's blocks and pins (pinned
   * products first, unless the customer already has them). Empty before the first fit.
   */
  async forCustomer(storeId: string, customerId: number, options: unknown = {}): Promise<ServedList> {
    const { model: kind, k } = parse(recommendOptionsSchema, options, 'recommendation options');
    const current = await this.model(storeId);
    if (!current) return { model: kind, k, fit_id: null, fitted_at: null, items: [] };
    const histories = await customerHistories(this.storage, storeId, this.now().toISOString(), [customerId]);
    const history: CustomerHistory = histories.get(customerId) ?? { customerId, orders: [] };
    const { settings } = current;
    const blocked = new Set(settings.blocked);
    const bought = new Set(history.orders.flatMap((o) => o.products));
    const pins: Recommendation[] = settings.pinned.filter((id) => !blocked.has(id) && !bought.has(id)).map((productId) => ({ productId, score: 1, reason: { kind: 'pinned' } }));
    const ranked = recommend(current.model, history, kind, k + blocked.size + pins.length, this.now()).filter((r) => !blocked.has(r.productId) && !settings.pinned.includes(r.productId));
    return this.served(storeId, kind, k, current.fit, [...pins, ...ranked]);
  }

  /** Products bought with this one (for a product page), with explanations. */
  async forProduct(storeId: string, productId: number, options: unknown = {}): Promise<ServedList> {
    const { k } = parse(recommendOptionsSchema, options, 'recommendation options');
    const current = await this.model(storeId);
    if (!current) return { model: 'bought_together', k, fit_id: null, fitted_at: null, items: [] };
    const blocked = new Set(current.settings.blocked);
    const title = current.model.products.get(productId)?.title ?? String(productId);
    const list: Recommendation[] = (current.model.together.get(productId) ?? []).filter((n) => !blocked.has(n.productId))
      .map((n) => ({ productId: n.productId, score: n.score, reason: { kind: 'bought_with', productId, title, customers: n.customers } }));
    return this.served(storeId, 'bought_together', k, current.fit, list);
  }

  private async served(storeId: string, kind: ModelKind, k: number, fit: FitRow, list: Recommendation[]): Promise<ServedList> {
    const cards = await this.productCards(storeId, list.slice(0, k * 2).map((r) => r.productId));
    const items = list.filter((r) => cards.has(r.productId)).slice(0, k).map((r): ServedItem => {
      const card = cards.get(r.productId)!;
      return {
        product_id: card.id, external_id: card.externalId, title: card.title, price: card.price, currency: card.currency, image_url: card.imageUrl,
        score: r.score, reason: r.reason.kind, explanation: explain(r.reason),
      };
    });
    return { model: kind, k, fit_id: fit.id, fitted_at: fit.createdAt, items };
  }

  /** The cards of these products, each read from the database at most once per `recentMs`. */
  private async productCards(storeId: string, ids: number[]): Promise<Map<number, ProductCard>> {
    const now = performance.now();
    let known = this.cards.get(storeId);
    if (!known) this.cards.set(storeId, (known = new Map()));
    const missing = ids.filter((id) => !(now - (known.get(id)?.at ?? -Infinity) < recentMs));
    if (missing.length) {
      const found = await productCards(this.storage, storeId, missing);
      // A store with a large catalogue keeps only the recent cards.
      if (known.size > 10_000) known.clear();
      for (const id of missing) known.set(id, { at: now, card: found.get(id) });
    }
    const out = new Map<number, ProductCard>();
    for (const id of ids) {
      const card = known.get(id)?.card;
      if (card) out.set(id, card);
    }
    return out;
  }

  settings(storeId: string): Promise<PinsAndBlocks> {
    return currentSettings(this.storage, storeId);
  }

  async saveSettings(storeId: string, body: unknown, by: string | null): Promise<PinsAndBlocks> {
    const saved = await saveSettings(this.storage, storeId, parse(pinsAndBlocksSchema, body, 'recommendation settings'), by, this.now());
    this.recent.delete(storeId);
    return saved;
  }
}

/** The job: a store's refit. */
export async function runFitJob(service: RecommendationsService, payload: unknown): Promise<unknown> {
  const { storeId } = z.object({ storeId: z.string().min(1) }).parse(payload);
  return service.fit(storeId);
}
