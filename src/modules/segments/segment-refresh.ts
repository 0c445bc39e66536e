/**
 * Brings a saved segment's members up to date and records every entry and exit with its time.
 * Runs on the writer in one transaction: the difference between the rule's customers and the
 * current members is computed once into a temporary table, set-based, so a refresh of a million
 * members is a handful of joins rather than a row loop, and a failure leaves members and history
 * as they were. When nothing changed (most refreshes after a single change), only the difference,
 * the count and the segment's refresh time are written: four statements instead of ten.
 */
import { sql } from 'kysely';
import { notFound } from '../../lib/errors.js';
import type { CompiledRule } from './segment.compiler.js';
import type { SegmentsDb } from './segments.table.js';

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
    await sql`create or replace temp table segment_refresh_diff as
      with fresh as (select distinct c.id as customer_id from ${compiled.from} where c.store_id = ${storeId} and ${compiled.where}),
        current as (select m.customer_id from segment_members m where m.store_id = ${storeId} and m.segment_id = ${segmentId})
      select customer_id, true as entered from fresh where customer_id not in (select customer_id from current)
      union all
      select customer_id, false as entered from current where customer_id not in (select customer_id from fresh)`.execute(tx);
    const counted = await sql<{ entered: number | bigint; exited: number | bigint; current: number | bigint }>`
      select count(*) filter (where entered) as entered, count(*) filter (where not entered) as exited,
        (select count(*) from segment_members where store_id = ${storeId} and segment_id = ${segmentId}) as current
      from segment_refresh_diff`.execute(tx);
    const entered = Number(counted.rows[0]?.entered ?? 0);
    const exited = Number(counted.rows[0]?.exited ?? 0);
    const size = Number(counted.rows[0]?.current ?? 0) + entered - exited;
    if (entered + exited > 0) {
      // segment.entered / segment.exited, in this transaction, before the members change; entries
      // first, then exits, each in customer order (as their history).
      if (!options.replay) {
        await sql`insert into domain_events (id, store_id, type, entity, entity_id, customer_id, data, occurred_at)
          select nextval('domain_events_id_seq'), ${storeId}, case when d.entered then 'segment.entered' else 'segment.exited' end, 'segment', null, d.customer_id,
            json_object('segment_id', ${segmentId}, 'segment_name', (select name from segments where store_id = ${storeId} and id = ${segmentId}))::varchar, ${new Date()}
          from segment_refresh_diff d order by d.entered desc, d.customer_id`.execute(tx);
      }
      await sql`insert into segment_history (id, store_id, segment_id, customer_id, change, changed_at)
        select nextval('segment_history_id_seq'), ${storeId}, ${segmentId}, d.customer_id, case when d.entered then 'entered' else 'exited' end, ${now}
        from segment_refresh_diff d order by d.entered desc, d.customer_id`.execute(tx);
      if (exited > 0) {
        await sql`delete from segment_members where store_id = ${storeId} and segment_id = ${segmentId}
          and customer_id in (select customer_id from segment_refresh_diff where not entered)`.execute(tx);
      }
      if (entered > 0) {
        await sql`insert into segment_members (store_id, segment_id, customer_id, entered_at)
          select ${storeId}, ${segmentId}, d.customer_id, ${now} from segment_refresh_diff d where d.entered`.execute(tx);
      }
    }
    await sql`drop table segment_refresh_diff`.execute(tx);
    const updated = await tx.updateTable('segments').set({ member_count: size, refreshed_at: now, updated_at: now })
      .where('store_id', '=', storeId).where('id', '=', segmentId).executeTakeFirst();
    // Deleted since its rule was read: nothing of this refresh is kept.
    if (updated.numUpdatedRows === 0n) throw notFound(`Segment ${segmentId}`);
    return { size, entered, exited };
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
