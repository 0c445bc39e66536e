import type { Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { CustomerTable } from './customers.table.js';

export type CustomerRow = Selectable<CustomerTable>;

/** Customers of the store by id, a thousand per query. */
export async function findCustomersByIds(db: Db, storeId: string, ids: readonly number[]): Promise<CustomerRow[]> {
  const rows: CustomerRow[] = [];
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 1000) {
    rows.push(...await db.selectFrom('customers').selectAll().where('store_id', '=', storeId).where('id', 'in', unique.slice(i, i + 1000)).execute());
  }
  return rows;
}

export function findCustomer(db: Db, storeId: string, ref: { id: number } | { externalId: string }): Promise<CustomerRow | undefined> {
  const query = db.selectFrom('customers').selectAll().where('store_id', '=', storeId);
  if ('id' in ref) return query.where('id', '=', ref.id).limit(1).executeTakeFirst();
  // The customer's own external id, else one it is also known by (docs/identity.md).
  const externalId = ref.externalId;
  return query.where((eb) => eb.or([
    eb('external_id', '=', externalId),
    eb('id', 'in', eb.selectFrom('customer_aliases').select('customer_id').where('store_id', '=', storeId).where('alias', '=', externalId)),
  ])).orderBy((eb) => eb('external_id', '=', externalId), 'desc').orderBy('id').limit(1).executeTakeFirst();
}
