/**
 * Row counts per entity and per store, and the job queue's state: what `hearth status` and
 * `GET /api/v1/status` show an operator.
 */
import { listStores } from '../accounts/index.js';
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { JobQueue } from '../../jobs/queue.js';

const entities = ['customers', 'products', 'variants', 'orders', 'order_lines', 'returns', 'return_lines', 'fulfillments', 'checkouts', 'events', 'identities'] as const;
export type Entity = (typeof entities)[number];

export interface StoreStatus {
  id: string;
  slug: string;
  name: string;
  counts: Record<Entity, number>;
  guestOrders: number;
}

export interface Status {
  stores: StoreStatus[];
  jobs: Awaited<ReturnType<JobQueue['counts']>>;
}

export async function storeStatus(db: Db, jobs: JobQueue, storeId?: string): Promise<Status> {
  const stores = (await listStores(db)).filter((store) => storeId === undefined || store.id === storeId).map(({ id, slug, name }) => ({ id, slug, name }));
  const byStore = new Map<string, StoreStatus>(stores.map((s) => [s.id, { ...s, counts: Object.fromEntries(entities.map((e) => [e, 0])) as Record<Entity, number>, guestOrders: 0 }]));
  // Table names come from the fixed list above, never from input.
  const union = entities.map((entity) => `select '${entity}' as entity, store_id, count(*) as n from ${entity} group by store_id`).join(' union all ');
  const { rows } = await sql<{ entity: Entity; store_id: string; n: number }>`${sql.raw(union)}`.execute(db);
  for (const row of rows) {
    const status = byStore.get(row.store_id);
    if (status) status.counts[row.entity] = Number(row.n);
  }
  const guests = await db.selectFrom('orders').select(['store_id', (eb) => eb.fn.countAll<number>().as('n')]).where('customer_id', 'is', null).groupBy('store_id').execute();
  for (const row of guests) {
    const status = byStore.get(row.store_id);
    if (status) status.guestOrders = Number(row.n);
  }
  return { stores: [...byStore.values()], jobs: await jobs.counts(storeId) };
}
