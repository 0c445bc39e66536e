import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { EventType } from './events.table.js';

export interface TimelineEvent {
  id: number;
  type: EventType;
  name: string | null;
  anonymous_id: string | null;
  session_id: string | null;
  url: string | null;
  properties: Record<string, unknown>;
  source: string;
  occurred_at: Date;
}

/**
 * A customer's events, newest first: those carrying the customer's id and those of anonymous ids
 * linked to the customer (the link may be newer than the events).
 */
export async function timeline(db: Db, storeId: string, customerId: number, options: { limit: number; before?: Date | undefined }): Promise<TimelineEvent[]> {
  const rows = await db.selectFrom('events as e')
    .select(['e.id', 'e.type', 'e.name', 'e.anonymous_id', 'e.session_id', 'e.url', 'e.properties', 'e.source', 'e.occurred_at'])
    .where('e.store_id', '=', storeId)
    .where((eb) => eb.or([
      eb('e.customer_id', '=', customerId),
      eb.and([
        eb('e.customer_id', 'is', null),
        eb('e.anonymous_id', 'in', eb.selectFrom('identities').select('anonymous_id').where('store_id', '=', storeId).where('customer_id', '=', customerId)),
      ]),
    ]))
    .$if(options.before !== undefined, (q) => q.where('e.occurred_at', '<', options.before!))
    .orderBy('e.occurred_at', 'desc').orderBy('e.id', 'desc')
    .limit(options.limit)
    .execute();
  return rows.map((row) => ({ ...row, properties: JSON.parse(row.properties) as Record<string, unknown> }));
}

/** Internal customer ids for the store's external ids (those that exist). */
export async function customerIdsByExternalId(db: Db, storeId: string, externalIds: string[]): Promise<Map<string, number>> {
  if (externalIds.length === 0) return new Map();
  const [own, aliases] = await Promise.all([
    db.selectFrom('customers').select(['external_id', 'id']).where('store_id', '=', storeId).where('external_id', 'in', externalIds).execute(),
    // Ids a customer is also known by (docs/identity.md).
    db.selectFrom('customer_aliases').select(['alias', 'customer_id']).where('store_id', '=', storeId).where('alias', 'in', externalIds).execute(),
  ]);
  const found = new Map(aliases.map((row) => [row.alias, row.customer_id]));
  for (const row of own) found.set(row.external_id!, row.id);
  return found;
}

/** The customers that anonymous ids are linked to (those that are linked). */
export async function customerIdsByAnonymousId(db: Db, storeId: string, anonymousIds: string[]): Promise<Map<string, number>> {
  if (anonymousIds.length === 0) return new Map();
  const rows = await db.selectFrom('identities').select(['anonymous_id', 'customer_id'])
    .where('store_id', '=', storeId).where('anonymous_id', 'in', anonymousIds).execute();
  return new Map(rows.map((row) => [row.anonymous_id, row.customer_id]));
}

export async function countEvents(db: Db, storeId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*) as n from events where store_id = ${storeId}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
