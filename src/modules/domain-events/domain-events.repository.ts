/**
 * Writing and reading the outbox. Events are recorded by the writer of the change, in its
 * transaction: Kysely writers call `recordEvents` with their transaction; writers on the raw
 * connection (the commerce merge, the ingest appender) use the SQL in `domain-events.sql.ts`.
 */
import { sql } from 'kysely';
import { unnested } from '../../db/unnested.js';
import type { Db, Tx } from '../../db/database.js';
import { entityOf, type DomainEvent, type DomainEventType, type NewDomainEvent } from './domain-events.catalogue.js';

const EVENT_COLUMNS = { store_id: 'varchar', type: 'varchar', entity: 'varchar', entity_id: 'bigint', customer_id: 'bigint', data: 'varchar' } as const;

/**
 * Appends the events (ids from the outbox sequence, in the given order). One list per column
 * (`unnested`), so a batch of hundreds costs one short statement to plan; the ids are drawn as
 * the lists are read, in order.
 */
export async function recordEvents(db: Db | Tx, events: readonly NewDomainEvent[], now = new Date()): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((event) => ({
    store_id: event.storeId, type: event.type, entity: entityOf(event.type), entity_id: event.entityId, customer_id: event.customerId, data: JSON.stringify(event.data),
  }));
  await sql`insert into domain_events (id, store_id, type, entity, entity_id, customer_id, data, occurred_at)
    select nextval('domain_events_id_seq'), v.store_id, v.type, v.entity, v.entity_id, v.customer_id, v.data, ${now} from ${unnested(EVENT_COLUMNS, rows)} v`.execute(db);
}

/** Events with after < id ≤ upto, of the given types (all when undefined), in id order; with `customersOnly`, those naming a customer. */
export async function readEvents(db: Db, after: number, upto: number, types?: readonly DomainEventType[], customersOnly = false): Promise<DomainEvent[]> {
  let query = db.selectFrom('domain_events').selectAll().where('id', '>', after).where('id', '<=', upto);
  if (types) query = query.where('type', 'in', types);
  if (customersOnly) query = query.where('customer_id', 'is not', null);
  const rows = await query.orderBy('id').execute();
  return rows.map((row) => ({
    id: Number(row.id),
    storeId: row.store_id,
    type: row.type as DomainEventType,
    entity: row.entity,
    entityId: row.entity_id === null ? null : Number(row.entity_id),
    customerId: row.customer_id === null ? null : Number(row.customer_id),
    data: JSON.parse(row.data) as DomainEvent['data'],
    occurredAt: row.occurred_at,
  }));
}

/** What changed per store in a span of events: the types seen and the customers the `customerTypes` name. */
export interface StoreChanges {
  storeId: string;
  types: DomainEventType[];
  events: number;
  customerIds: number[];
  /** With `customerFields`: those of them that the span's customer.updated events changed. */
  fields: string[];
  /** The oldest commit time among the span's events of the store (for lag). */
  oldest: Date;
}

/**
 * The span's events folded per store in SQL, for subscribers whose work is per store whatever the
 * number of events (a bulk import's million orders cost one aggregate, not a million objects).
 */
export async function readStoreChanges(db: Db, after: number, upto: number, types: readonly DomainEventType[] | undefined,
  customerTypes: readonly DomainEventType[], customerFields?: readonly string[]): Promise<StoreChanges[]> {
  const typeFilter = types ? sql`and type in (${sql.join(types)})` : sql``;
  // A customer.updated names the fields it changed (`changed`, docs/events.md).
  const fieldFilter = customerFields
    ? sql`and (type <> 'customer.updated' or list_has_any(cast(json_extract(data, '$.changed') as varchar[]), [${sql.join(customerFields.map((field) => sql`${field}`))}]))`
    : sql``;
  const fields = customerFields
    ? sql`list_distinct(flatten(coalesce(list(list_intersect(cast(json_extract(data, '$.changed') as varchar[]), [${sql.join(customerFields.map((field) => sql`${field}`))}]))
        filter (where type = 'customer.updated'), [])))`
    : sql`[]::varchar[]`;
  const customers = customerTypes.length > 0
    ? sql`list(distinct customer_id) filter (where customer_id is not null and type in (${sql.join(customerTypes)}))`
    : sql`[]::bigint[]`;
  const { rows } = await sql<{ store_id: string; types: string[]; events: number; customer_ids: number[] | null; fields: string[] | null; oldest: Date }>`
    select store_id, list(distinct type) as types, count(*) as events, ${customers} as customer_ids, ${fields} as fields, min(occurred_at) as oldest
    from domain_events where id > ${after} and id <= ${upto} ${typeFilter} ${fieldFilter}
    group by store_id order by store_id`.execute(db);
  return rows.map((row) => ({
    storeId: row.store_id, types: [...row.types].sort() as DomainEventType[], events: Number(row.events),
    customerIds: (row.customer_ids ?? []).map(Number).sort((a, b) => a - b), fields: [...(row.fields ?? [])].sort(), oldest: row.oldest,
  }));
}

/** The newest event id above `after` (`after` itself when none is): the row groups below it are skipped. */
export async function newestEventAfter(db: Db, after: number): Promise<number> {
  const { rows } = await sql<{ id: number | null }>`select max(id) as id from domain_events where id > ${after}`.execute(db);
  return Math.max(after, Number(rows[0]?.id ?? 0));
}

/** The id of the newest event (0 when there is none). */
export async function lastEventId(db: Db): Promise<number> {
  const { rows } = await sql<{ id: number | null }>`select max(id) as id from domain_events`.execute(db);
  return Number(rows[0]?.id ?? 0);
}

export async function subscriptionPosition(db: Db, name: string): Promise<number | undefined> {
  const row = await db.selectFrom('event_subscriptions').select('position').where('name', '=', name).executeTakeFirst();
  return row ? Number(row.position) : undefined;
}

export async function saveSubscriptionPosition(db: Db, name: string, position: number): Promise<void> {
  await db.insertInto('event_subscriptions').values({ name, position, updated_at: new Date() })
    .onConflict((oc) => oc.column('name').doUpdateSet({ position, updated_at: new Date() })).execute();
}

/** Forgets events every subscriber has handled and that are older than `before`; returns how many. */
export async function pruneEvents(db: Db, handledUpTo: number, before: Date): Promise<number> {
  const result = await db.deleteFrom('domain_events').where('id', '<=', handledUpTo).where('occurred_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}
