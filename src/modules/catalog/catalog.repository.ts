import type { Db } from '../../db/database.js';
import type { ProductTable, VariantTable } from './catalog.table.js';

export interface ProductFilter {
  category?: string | undefined;
  updatedAfter?: Date | undefined;
  /** Substring of title or external id, case-insensitive. */
  q?: string | undefined;
  beforeId?: number | undefined;
}

export function listProducts(db: Db, storeId: string, filter: ProductFilter, limit: number): Promise<ProductTable[]> {
  let query = db.selectFrom('products').selectAll().where('store_id', '=', storeId);
  if (filter.category !== undefined) query = query.where('category', '=', filter.category);
  if (filter.updatedAfter) query = query.where('updated_at', '>=', filter.updatedAfter);
  if (filter.q) {
    const needle = filter.q.toLowerCase();
    query = query.where((eb) => eb.or((['title', 'external_id'] as const).map((column) =>
      eb(eb.fn('strpos', [eb.fn('lower', [eb.ref(column)]), eb.val(needle)]), '>', 0))));
  }
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

export function variantsOf(db: Db, storeId: string, productIds: number[]): Promise<VariantTable[]> {
  if (productIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('variants').selectAll().where('store_id', '=', storeId).where('product_id', 'in', productIds).orderBy('id').execute();
}

export function findProduct(db: Db, storeId: string, ref: { id: number } | { externalId: string }): Promise<ProductTable | undefined> {
  let query = db.selectFrom('products').selectAll().where('store_id', '=', storeId);
  query = 'id' in ref ? query.where('id', '=', ref.id) : query.where('external_id', '=', ref.externalId);
  return query.orderBy('id').limit(1).executeTakeFirst();
}
