/** Pauses of batch sources (campaigns): append-only; a source is paused when its latest row says so. */
import type { Db } from '../../db/database.js';

export async function recordPause(db: Db, storeId: string, source: string, action: 'paused' | 'resumed', reason: string | null): Promise<void> {
  await db.insertInto('message_source_pauses').values({ store_id: storeId, source, action, reason, changed_at: new Date() }).execute();
}

/** The sources paused now, with the reason and time of the pause. */
export async function pausedSources(db: Db, storeId: string): Promise<Map<string, { reason: string | null; at: Date }>> {
  const rows = await db.selectFrom('message_source_pauses').select(['source', 'action', 'reason', 'changed_at as at'])
    .where('store_id', '=', storeId).orderBy('changed_at').execute();
  const latest = new Map<string, { action: string; reason: string | null; at: Date }>();
  for (const row of rows) latest.set(row.source, row);
  return new Map([...latest].filter(([, row]) => row.action === 'paused').map(([source, row]) => [source, { reason: row.reason, at: row.at }]));
}
