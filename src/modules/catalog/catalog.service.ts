import type { Db } from '../../db/database.js';
import { notFound } from '../../lib/errors.js';
import { decodeCursor, parseEntityRef, toPage, type Page } from '../orders/index.js';
import * as repo from './catalog.repository.js';
import type { ProductTable, VariantTable } from './catalog.table.js';

export type ProductView = Omit<ProductTable, 'store_id'> & { variants: Omit<VariantTable, 'store_id' | 'product_id'>[] };

export interface ProductListQuery {
  limit: number;
  cursor?: string | undefined;
  category?: string | undefined;
  updated_after?: Date | undefined;
  q?: string | undefined;
}

/** Reading the catalogue; writes go through the commerce writer (`services.commerce`). */
export class CatalogService {
  constructor(private readonly read: Db) {}

  async list(storeId: string, query: ProductListQuery): Promise<Page<ProductView>> {
    const key = decodeCursor(query.cursor, ['number']);
    const rows = await repo.listProducts(this.read, storeId, {
      category: query.category, updatedAfter: query.updated_after, q: query.q, beforeId: key?.[0] as number | undefined,
    }, query.limit + 1);
    const page = toPage(rows, query.limit, (row) => [row.id]);
    return { data: await this.withVariants(storeId, page.data), next_cursor: page.next_cursor };
  }

  async get(storeId: string, ref: string): Promise<ProductView> {
    const parsed = parseEntityRef(ref);
    const row = parsed ? await repo.findProduct(this.read, storeId, parsed) : undefined;
    if (!row) throw notFound(`Product "${ref}"`);
    const [product] = await this.withVariants(storeId, [row]);
    return product!;
  }

  private async withVariants(storeId: string, products: ProductTable[]): Promise<ProductView[]> {
    const variants = await repo.variantsOf(this.read, storeId, products.map((p) => p.id));
    const byProduct = new Map<number, ProductView['variants']>();
    for (const { store_id: _s, product_id: productId, ...variant } of variants) {
      const list = byProduct.get(productId) ?? [];
      list.push(variant);
      byProduct.set(productId, list);
    }
    return products.map(({ store_id: _s, ...product }) => ({ ...product, variants: byProduct.get(product.id) ?? [] }));
  }
}
