/**
 * Stored fits of the recommendation models: saving a trained model, reading the latest back into
 * the same shape, and the store's pins and blocks (append-only versions).
 */
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import type { Neighbour, ProductStats, TrainedModel } from './model.types.js';
import type { RecommendationTables } from './recommendations.table.js';

const tables = (storage: Storage) => ({ read: storage.read.withTables<RecommendationTables>(), write: storage.write.withTables<RecommendationTables>() });

/** Rows per insert statement when saving a fit. */
const chunk = 2000;

export interface FitRow {
  id: number;
  trainedBefore: Date;
  customers: number;
  products: number;
  pairs: number;
  seconds: number;
  createdAt: Date;
}

/** Saves a trained model as a new fit in one transaction and returns its id. */
export async function saveFit(storage: Storage, storeId: string, model: TrainedModel, seconds: number, now: Date): Promise<number> {
  const together = [...model.together].flatMap(([productId, list]) => list.map((n) => ({ kind: 'together' as const, productId, n })));
  const next = [...model.next].flatMap(([productId, list]) => list.map((n) => ({ kind: 'next' as const, productId, n })));
  const coviews = [...model.coviews].flatMap(([productId, list]) => list.map((n) => ({ kind: 'coview' as const, productId, n })));
  return tables(storage).write.transaction().execute(async (tx) => {
    const { rows } = await sql<{ id: number }>`select nextval('recommendation_fits_id_seq') as id`.execute(tx);
    const fitId = Number(rows[0]!.id);
    await tx.insertInto('recommendation_fits').values({
      store_id: storeId, id: fitId, trained_before: model.trainedBefore, customers: model.customers, products: model.products.size,
      pairs: together.length, seconds, created_at: now,
    }).execute();
    const products = [...model.products.values()];
    for (let i = 0; i < products.length; i += chunk) {
      await tx.insertInto('recommendation_products').values(products.slice(i, i + chunk).map((p) => ({
        store_id: storeId, fit_id: fitId, product_id: p.productId, customers: p.customers, weight: p.weight,
        repeat_customers: p.repeatCustomers, reorder_days: p.reorderDays, reorder_rate: p.reorderRate,
      }))).execute();
    }
    const links = [...together, ...next, ...coviews];
    for (let i = 0; i < links.length; i += chunk) {
      await tx.insertInto('recommendation_neighbours').values(links.slice(i, i + chunk).map(({ kind, productId, n }) => ({
        store_id: storeId, fit_id: fitId, kind, product_id: productId, other_id: n.productId, customers: n.customers, score: n.score, confidence: n.confidence,
      }))).execute();
    }
    return fitId;
  });
}

export async function latestFit(storage: Storage, storeId: string): Promise<FitRow | undefined> {
  const row = await tables(storage).read.selectFrom('recommendation_fits').selectAll().where('store_id', '=', storeId)
    .orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row && {
    id: Number(row.id), trainedBefore: new Date(row.trained_before), customers: Number(row.customers), products: Number(row.products),
    pairs: Number(row.pairs), seconds: Number(row.seconds), createdAt: new Date(row.created_at),
  };
}

/** A stored fit read back into the model the recommenders use. */
export async function loadFit(storage: Storage, storeId: string, fit: FitRow): Promise<TrainedModel> {
  const db = tables(storage).read;
  const [productRows, links] = await Promise.all([
    db.selectFrom('recommendation_products as r').innerJoin('products as p', (j) => j.onRef('p.store_id', '=', 'r.store_id').onRef('p.id', '=', 'r.product_id'))
      .select(['r.product_id', 'r.customers', 'r.weight', 'r.repeat_customers', 'r.reorder_days', 'r.reorder_rate', 'p.title', 'p.external_id'])
      .where('r.store_id', '=', storeId).where('r.fit_id', '=', fit.id).execute(),
    db.selectFrom('recommendation_neighbours').select(['kind', 'product_id', 'other_id', 'customers', 'score', 'confidence'])
      .where('store_id', '=', storeId).where('fit_id', '=', fit.id).execute(),
  ]);
  const products = new Map<number, ProductStats>();
  for (const r of productRows) {
    products.set(Number(r.product_id), {
      productId: Number(r.product_id), title: r.title || r.external_id, customers: Number(r.customers), weight: Number(r.weight),
      repeatCustomers: Number(r.repeat_customers), reorderDays: r.reorder_days === null ? null : Number(r.reorder_days), reorderRate: Number(r.reorder_rate),
    });
  }
  const together = new Map<number, Neighbour[]>();
  const next = new Map<number, Neighbour[]>();
  const coviews = new Map<number, Neighbour[]>();
  for (const l of links) {
    const into = l.kind === 'together' ? together : l.kind === 'next' ? next : coviews;
    const list = into.get(Number(l.product_id)) ?? [];
    list.push({ productId: Number(l.other_id), customers: Number(l.customers), score: Number(l.score), confidence: Number(l.confidence) });
    into.set(Number(l.product_id), list);
  }
  for (const map of [together, next, coviews]) for (const list of map.values()) list.sort((a, b) => b.score - a.score || a.productId - b.productId);
  const popular = [...products.values()].sort((a, b) => b.weight - a.weight || b.customers - a.customers || a.productId - b.productId).map((p) => p.productId);
  return { trainedBefore: fit.trainedBefore, customers: fit.customers, products, together, next, coviews, popular };
}

/** The store's recommendation settings: pinned and blocked products and its price band (minor units; null: no bound). */
export interface PinsAndBlocks {
  pinned: number[];
  blocked: number[];
  min_price: number | null;
  max_price: number | null;
  version: number;
}

export async function currentSettings(storage: Storage, storeId: string): Promise<PinsAndBlocks> {
  const row = await tables(storage).read.selectFrom('recommendation_settings').selectAll().where('store_id', '=', storeId)
    .orderBy('version', 'desc').limit(1).executeTakeFirst();
  if (!row) return { pinned: [], blocked: [], min_price: null, max_price: null, version: 0 };
  return {
    pinned: JSON.parse(row.pinned) as number[], blocked: JSON.parse(row.blocked) as number[],
    min_price: row.min_price === null ? null : Number(row.min_price), max_price: row.max_price === null ? null : Number(row.max_price), version: Number(row.version),
  };
}

export async function saveSettings(storage: Storage, storeId: string, settings: Omit<PinsAndBlocks, 'version'>, by: string | null, now: Date): Promise<PinsAndBlocks> {
  return tables(storage).write.transaction().execute(async (tx) => {
    const last = await tx.selectFrom('recommendation_settings').select((eb) => eb.fn.max('version').as('version')).where('store_id', '=', storeId).executeTakeFirst();
    const version = Number(last?.version ?? 0) + 1;
    await tx.insertInto('recommendation_settings').values({
      store_id: storeId, version, pinned: JSON.stringify(settings.pinned), blocked: JSON.stringify(settings.blocked),
      min_price: settings.min_price, max_price: settings.max_price, created_by: by, created_at: now,
    }).execute();
    return { ...settings, version };
  });
}

/** What decides whether a product may be recommended: its price, publication and stock. */
export interface ProductOffer {
  price: number | null;
  /** False only when the store said so; null (not said) counts as published. */
  published: boolean | null;
  /** Epoch milliseconds; a time still to come means not yet published. */
  publishedAt: number | null;
  /**
   * False when the product's own stock is counted and not above zero, or when it has variants and
   * every one of them is counted and not above zero. Stock not counted (null) counts as available.
   */
  inStock: boolean;
}

/** Every product of the store with its price, publication and stock. */
export async function productOffers(storage: Storage, storeId: string): Promise<Map<number, ProductOffer>> {
  const { rows } = await sql<{ id: number; price: number | null; published: boolean | null; published_at: Date | null; inventory_quantity: number | null; variants: number; stocked: number }>`
    select p.id, p.price, p.published, p.published_at, p.inventory_quantity,
      count(v.id) as variants, count(v.id) filter (where v.inventory_quantity is null or v.inventory_quantity > 0) as stocked
    from products p left join variants v on v.store_id = p.store_id and v.product_id = p.id
    where p.store_id = ${storeId}
    group by p.id, p.price, p.published, p.published_at, p.inventory_quantity
  `.execute(storage.read);
  return new Map(rows.map((r) => [Number(r.id), {
    price: r.price === null ? null : Number(r.price),
    published: r.published,
    publishedAt: r.published_at === null ? null : new Date(r.published_at).getTime(),
    inStock: (r.inventory_quantity === null || Number(r.inventory_quantity) > 0) && (Number(r.variants) === 0 || Number(r.stocked) > 0),
  }]));
}

export interface ProductCard {
  id: number;
  externalId: string;
  title: string;
  price: number | null;
  currency: string | null;
  imageUrl: string | null;
}

export async function productCards(storage: Storage, storeId: string, ids: number[]): Promise<Map<number, ProductCard>> {
  if (ids.length === 0) return new Map();
  const rows = await storage.read.selectFrom('products').select(['id', 'external_id', 'title', 'price', 'currency', 'image_url'])
    .where('store_id', '=', storeId).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [Number(r.id), {
    id: Number(r.id), externalId: r.external_id, title: r.title || r.external_id, price: r.price === null ? null : Number(r.price), currency: r.currency, imageUrl: r.image_url,
  }]));
}
