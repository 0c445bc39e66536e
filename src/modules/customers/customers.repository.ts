import type { Expression, Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { CustomerTable } from './customers.table.js';

export type CustomerRow = Selectable<CustomerTable>;

export interface CustomerFilter {
  email?: string | undefined;
  country?: string | undefined;
  createdAfter?: Date | undefined;
  createdBefore?: Date | undefined;
  updatedAfter?: Date | undefined;
  /** Substring of email, name or external id, case-insensitive. */
  q?: string | undefined;
  /** Keyset: rows with id below this one (newest first). */
  beforeId?: number | undefined;
}

/** Newest first, by id; `limit` rows at most. */
export function listCustomers(db: Db, storeId: string, filter: CustomerFilter, limit: number): Promise<CustomerRow[]> {
  let query = db.selectFrom('customers').selectAll().where('store_id', '=', storeId);
  if (filter.email !== undefined) query = query.where('email', '=', filter.email.trim().toLowerCase());
  if (filter.country !== undefined) query = query.where('country', '=', filter.country);
  if (filter.createdAfter) query = query.where('created_at', '>=', filter.createdAfter);
  if (filter.createdBefore) query = query.where('created_at', '<', filter.createdBefore);
  if (filter.updatedAfter) query = query.where('updated_at', '>=', filter.updatedAfter);
  if (filter.q) {
    const needle = filter.q.toLowerCase();
    // strpos on lower-cased text: a substring search with no LIKE wildcards to escape.
    query = query.where((eb) => {
      const contains = (text: Expression<string | null>) => eb(eb.fn('strpos', [eb.fn('lower', [text]), eb.val(needle)]), '>', 0);
      return eb.or([
        ...(['email', 'first_name', 'last_name', 'external_id'] as const).map((column) => contains(eb.ref(column))),
        contains(eb.fn('concat_ws', [eb.val(' '), eb.ref('first_name'), eb.ref('last_name')])),
      ]);
    });
  }
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  return query.orderBy('id', 'desc').limit(limit).execute();
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
