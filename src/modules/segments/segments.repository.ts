/**
 * Rows of segments, their members and history. Plain functions taking the db first; every query
 * is scoped by store.
 */
import { sql, type RawBuilder } from 'kysely';
import type { SegmentsDb, SegmentTable } from './segments.table.js';

export async function listSegmentRows(db: SegmentsDb, storeId: string): Promise<SegmentTable[]> {
  return db.selectFrom('segments').selectAll().where('store_id', '=', storeId).orderBy('created_at').orderBy('id').execute();
}

export async function findSegmentRow(db: SegmentsDb, storeId: string, id: string): Promise<SegmentTable | undefined> {
  return db.selectFrom('segments').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
}

export interface MemberRow {
  customer_id: number;
  external_id: string | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  country: string | null;
  entered_at: Date;
}

/** Members in customer id order after a cursor (the last id of the previous page). */
export async function memberPage(db: SegmentsDb, storeId: string, segmentId: string, after: number, limit: number): Promise<MemberRow[]> {
  return db.selectFrom('segment_members as m')
    .innerJoin('customers as c', (join) => join.onRef('c.id', '=', 'm.customer_id').on('c.store_id', '=', storeId))
    .select(['m.customer_id', 'c.external_id', 'c.email', 'c.first_name', 'c.last_name', 'c.country', 'm.entered_at'])
    .where('m.store_id', '=', storeId).where('m.segment_id', '=', segmentId).where('m.customer_id', '>', after)
    .orderBy('m.customer_id').limit(limit)
    .execute();
}

/** A member with the figures the dashboard's lists show, for the CSV export. */
export interface MemberFiguresRow extends MemberRow {
  orders: number;
  revenue: number;
  last_order_on: string | null;
  predicted_clv: number | null;
  p_alive: number | null;
  churn_risk: string | null;
}

/** Members after a customer id with their order figures (analytics summary) and predictions, both published tables. */
export async function memberFiguresPage(db: SegmentsDb, storeId: string, segmentId: string, after: number, limit: number): Promise<MemberFiguresRow[]> {
  const result = await sql<MemberFiguresRow>`
    select m.customer_id, c.external_id, c.email, c.first_name, c.last_name, c.country, m.entered_at,
      coalesce(cs.orders, 0) as orders, coalesce(cs.revenue, 0) as revenue, cast(cs.last_day as varchar) as last_order_on,
      cp.clv_12m as predicted_clv, cp.p_alive, cp.churn_risk
    from segment_members m
    join customers c on c.store_id = ${storeId} and c.id = m.customer_id
    left join customer_summary cs on cs.store_id = ${storeId} and cs.customer_id = m.customer_id
    left join customer_predictions cp on cp.store_id = ${storeId} and cp.customer_id = m.customer_id
    where m.store_id = ${storeId} and m.segment_id = ${segmentId} and m.customer_id > ${after}
    order by m.customer_id limit ${limit}`.execute(db);
  return result.rows;
}

export interface HistoryRow { id: number; customer_id: number; change: 'entered' | 'exited'; changed_at: Date }

/** Entries and exits after a history id, oldest first (what a flow trigger polls). */
export async function historyPage(db: SegmentsDb, storeId: string, segmentId: string, afterId: number, limit: number): Promise<HistoryRow[]> {
  return db.selectFrom('segment_history').select(['id', 'customer_id', 'change', 'changed_at'])
    .where('store_id', '=', storeId).where('segment_id', '=', segmentId).where('id', '>', afterId)
    .orderBy('id').limit(limit).execute();
}

/**
 * Size at the end of each day from the history: entries minus exits up to that day. The series
 * starts when the segment began — its creation, or its first recorded change when that is earlier
 * (members computed as of a past day) — or at `from` when that is later, and ends at `to` (the
 * store's days are UTC days here).
 */
export async function sizeByDay(db: SegmentsDb, storeId: string, segmentId: string, createdAt: Date, from: Date, to: Date): Promise<{ day: string; size: number }[]> {
  const result = await sql<{ day: string; size: number }>`
    with changes as (
      select cast(changed_at as date) as day, sum(case when change = 'entered' then 1 else -1 end) as delta
      from segment_history where store_id = ${storeId} and segment_id = ${segmentId} group by 1
    ), start as (
      select least(cast(${to} as date), greatest(cast(${from} as date),
        least(cast(${createdAt} as date), coalesce((select min(day) from changes), cast(${createdAt} as date))))) as day
    ), days as (
      select cast(d as date) as day from range((select day from start), cast(${to} as date) + interval 1 day, interval 1 day) t(d)
    )
    select days.day, cast(coalesce((select sum(delta) from changes where changes.day <= days.day), 0) as bigint) as size
    from days order by days.day`.execute(db);
  return result.rows;
}

export async function membershipsOfCustomer(db: SegmentsDb, storeId: string, customerId: number): Promise<{ segment_id: string; name: string; builtin_key: string | null; entered_at: Date }[]> {
  return db.selectFrom('segment_members as m')
    .innerJoin('segments as s', (join) => join.onRef('s.id', '=', 'm.segment_id').on('s.store_id', '=', storeId))
    .select(['m.segment_id', 's.name', 's.builtin_key', 'm.entered_at'])
    .where('m.store_id', '=', storeId).where('m.customer_id', '=', customerId)
    .orderBy('m.entered_at').execute();
}

/** Every entry and exit of one customer, for the profile timeline. */
export async function historyOfCustomer(db: SegmentsDb, storeId: string, customerId: number, limit = 200): Promise<{ segment_id: string; name: string; change: string; changed_at: Date }[]> {
  return db.selectFrom('segment_history as h')
    .innerJoin('segments as s', (join) => join.onRef('s.id', '=', 'h.segment_id').on('s.store_id', '=', storeId))
    .select(['h.segment_id', 's.name', 'h.change', 'h.changed_at'])
    .where('h.store_id', '=', storeId).where('h.customer_id', '=', customerId)
    .orderBy('h.id', 'desc').limit(limit).execute();
}

/** Which of the customers are in which of the segments (those that exist), as pairs. */
export async function membershipsAmong(db: SegmentsDb, storeId: string, segmentIds: readonly string[], customerIds: readonly number[]): Promise<{ customer_id: number; segment_id: string }[]> {
  if (!segmentIds.length || !customerIds.length) return [];
  return db.selectFrom('segment_members').select(['customer_id', 'segment_id'])
    .where('store_id', '=', storeId).where('segment_id', 'in', [...segmentIds]).where('customer_id', 'in', [...customerIds]).execute();
}

/** The ids among `ids` of segments that exist. */
export async function existingSegmentIds(db: SegmentsDb, storeId: string, ids: readonly string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db.selectFrom('segments').select('id').where('store_id', '=', storeId).where('id', 'in', [...ids]).execute();
  return new Set(rows.map((row) => row.id));
}

/** The ids of customers in any of the segments, as a subquery other modules can build on (campaign audiences). */
export function membersOfAny(storeId: string, segmentIds: readonly string[]): RawBuilder<{ customer_id: number }> {
  if (!segmentIds.length) return sql<{ customer_id: number }>`(select cast(null as bigint) as customer_id where false)`;
  return sql<{ customer_id: number }>`(select distinct m.customer_id from segment_members m
    where m.store_id = ${storeId} and list_contains(${[...segmentIds]}::varchar[], m.segment_id))`;
}
