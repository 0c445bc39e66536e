/** The store-wide suppression list: addresses never mailed, with the reason. */
import type { Db, Tx } from '../../db/database.js';
import type { MessageSuppressionTable, SuppressionReason } from './sends.table.js';

export const normaliseAddress = (address: string): string => address.trim().toLowerCase();

/** Adds or replaces an address's entry. */
export async function upsertSuppression(db: Db | Tx, row: MessageSuppressionTable): Promise<void> {
  await db.insertInto('message_suppressions').values({ ...row, address: normaliseAddress(row.address) })
    .onConflict((oc) => oc.columns(['store_id', 'address']).doUpdateSet((eb) => ({
      reason: eb.ref('excluded.reason'), source: eb.ref('excluded.source'), note: eb.ref('excluded.note'),
      expires_at: eb.ref('excluded.expires_at'), created_at: eb.ref('excluded.created_at'),
    })))
    .execute();
}

export async function deleteSuppression(db: Db, storeId: string, address: string): Promise<boolean> {
  const result = await db.deleteFrom('message_suppressions').where('store_id', '=', storeId).where('address', '=', normaliseAddress(address)).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The entries in force (not expired) for the given addresses. */
export async function activeSuppressions(db: Db, storeId: string, addresses: readonly string[], now = new Date()): Promise<Map<string, SuppressionReason>> {
  const found = new Map<string, SuppressionReason>();
  const wanted = [...new Set(addresses.map(normaliseAddress).filter(Boolean))];
  for (let i = 0; i < wanted.length; i += 1000) {
    const rows = await db.selectFrom('message_suppressions').select(['address', 'reason'])
      .where('store_id', '=', storeId).where('address', 'in', wanted.slice(i, i + 1000))
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .execute();
    for (const row of rows) found.set(row.address, row.reason);
  }
  return found;
}

export async function listSuppressions(db: Db, storeId: string, filter: { reason?: SuppressionReason; address?: string; limit: number; offset: number }) {
  let query = db.selectFrom('message_suppressions').selectAll().where('store_id', '=', storeId).orderBy('created_at', 'desc').orderBy('address').limit(filter.limit).offset(filter.offset);
  if (filter.reason) query = query.where('reason', '=', filter.reason);
  if (filter.address) query = query.where('address', '=', normaliseAddress(filter.address));
  return query.execute();
}

export async function getSuppression(db: Db, storeId: string, address: string) {
  return db.selectFrom('message_suppressions').selectAll().where('store_id', '=', storeId).where('address', '=', normaliseAddress(address)).executeTakeFirst();
}
