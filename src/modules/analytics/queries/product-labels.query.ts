/** External ids and titles of products, for labelling report rows keyed by internal id. */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';

export interface ProductLabel {
  id: number;
  externalId: string;
  title: string;
  category: string | null;
}

export async function productLabels(db: Db, storeId: string, ids: readonly number[]): Promise<Map<number, ProductLabel>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<ProductLabel>`
    select id, external_id as "externalId", title, category from products
    where store_id = ${storeId} and id in (select unnest(cast(${[...new Set(ids)]} as bigint[])))
  `.execute(db);
  return new Map(rows.map((row) => [row.id, row]));
}
