/**
 * Brings a saved segment's members up to date and records every entry and exit with its time.
 * Runs on the writer in one transaction: the new member set is computed once into a temporary
 * table, then diffed set-based against the current members, so a refresh of a million members
 * is a handful of joins rather than a row loop, and a failure leaves members and history as they were.
 */
import { sql, type RawBuilder } from 'kysely';
import type { CompiledRule } from './segment.compiler.js';
import type { SegmentsDb } from './segments.table.js';

/** DuckDB answers a raw INSERT with one row holding the changed-row count. */
function affected(rows: unknown[]): number {
  return Number((rows[0] as { Count?: number } | undefined)?.Count ?? 0);
}

export interface RefreshOutcome {
  size: number;
  entered: number;
  exited: number;
}

/**
 * `replay` rebuilds past history (entries and exits dated at `now`, a time in the past): it records
 * no domain events, since nothing should act today on a change that happened long ago.
 */
export async function refreshMembers(db: SegmentsDb, storeId: string, segmentId: string, compiled: CompiledRule, now: Date, options: { replay?: boolean } = {}): Promise<RefreshOutcome> {
  return db.transaction().execute(async (tx) => {
    await sql`create or replace temp table segment_refresh_set as
      select distinct c.id as customer_id from ${compiled.from} where c.store_id = ${storeId} and ${compiled.where}`.execute(tx);
    const current = sql`(select m.customer_id from segment_members m where m.store_id = ${storeId} and m.segment_id = ${segmentId})`;
    // segment.entered / segment.exited, in this transaction, before the members change.
    const event = async (type: string, from: RawBuilder<unknown>) => options.replay ? undefined : sql`insert into domain_events (id, store_id, type, entity, entity_id, customer_id, data, occurred_at)
      select nextval('domain_events_id_seq'), ${storeId}, ${type}, 'segment', null, x.customer_id,
        json_object('segment_id', ${segmentId}, 'segment_name', (select name from segments where store_id = ${storeId} and id = ${segmentId}))::varchar, ${new Date()}
      from ${from} x order by x.customer_id`.execute(tx);
    await event('segment.entered', sql`(select n.customer_id from segment_refresh_set n where n.customer_id not in ${current})`);
    await event('segment.exited', sql`(select m.customer_id from segment_members m where m.store_id = ${storeId} and m.segment_id = ${segmentId}
        and m.customer_id not in (select customer_id from segment_refresh_set))`);
    const entered = await sql`insert into segment_history (id, store_id, segment_id, customer_id, change, changed_at)
      select nextval('segment_history_id_seq'), ${storeId}, ${segmentId}, n.customer_id, 'entered', ${now}
      from segment_refresh_set n where n.customer_id not in ${current} order by n.customer_id`.execute(tx);
    const exited = await sql`insert into segment_history (id, store_id, segment_id, customer_id, change, changed_at)
      select nextval('segment_history_id_seq'), ${storeId}, ${segmentId}, m.customer_id, 'exited', ${now}
      from segment_members m where m.store_id = ${storeId} and m.segment_id = ${segmentId}
        and m.customer_id not in (select customer_id from segment_refresh_set) order by m.customer_id`.execute(tx);
    await sql`delete from segment_members where store_id = ${storeId} and segment_id = ${segmentId}
      and customer_id not in (select customer_id from segment_refresh_set)`.execute(tx);
    await sql`insert into segment_members (store_id, segment_id, customer_id, entered_at)
      select ${storeId}, ${segmentId}, n.customer_id, ${now} from segment_refresh_set n
      where n.customer_id not in ${current}`.execute(tx);
    const size = await sql<{ n: number }>`select count(*) as n from segment_refresh_set`.execute(tx);
    await sql`drop table segment_refresh_set`.execute(tx);
    const count = size.rows[0]?.n ?? 0;
    await tx.updateTable('segments').set({ member_count: count, refreshed_at: now, updated_at: now })
      .where('store_id', '=', storeId).where('id', '=', segmentId).execute();
    return { size: count, entered: affected(entered.rows), exited: affected(exited.rows) };
  });
}

/** Forgets a segment's members and history (before its history is replayed), keeping the segment. */
export async function clearMembers(db: SegmentsDb, storeId: string, segmentId: string, createdAt: Date): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('segment_members').where('store_id', '=', storeId).where('segment_id', '=', segmentId).execute();
    await tx.deleteFrom('segment_history').where('store_id', '=', storeId).where('segment_id', '=', segmentId).execute();
    await tx.updateTable('segments').set({ member_count: 0, created_at: createdAt, refreshed_at: null }).where('store_id', '=', storeId).where('id', '=', segmentId).execute();
  });
}

/** Removes a segment with its members and history. */
export async function deleteSegmentData(db: SegmentsDb, storeId: string, segmentId: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('segment_members').where('store_id', '=', storeId).where('segment_id', '=', segmentId).execute();
    await tx.deleteFrom('segment_history').where('store_id', '=', storeId).where('segment_id', '=', segmentId).execute();
    await tx.deleteFrom('segments').where('store_id', '=', storeId).where('id', '=', segmentId).execute();
  });
}
