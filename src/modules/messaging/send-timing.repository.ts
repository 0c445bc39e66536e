/** What the timing rules read from the ledger and the customers: not-before times, time zones, recent marketing. */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { MessageChannel } from './message.types.js';

/** The not-before time of each given message's latest state (only those that have one; `arg_max_null` keeps a latest null). */
export async function notBeforeOf(db: Db, storeId: string, ids: readonly number[]): Promise<Map<number, Date>> {
  const found = new Map<number, Date>();
  for (let i = 0; i < ids.length; i += 1000) {
    const { rows } = await sql<{ send_id: number; not_before: Date | null }>`
      select send_id, arg_max_null(not_before, seq) as not_before from message_send_states
      where store_id = ${storeId} and send_id in (${sql.join(ids.slice(i, i + 1000))}) group by send_id`.execute(db);
    for (const row of rows) if (row.not_before) found.set(Number(row.send_id), row.not_before);
  }
  return found;
}

/** Each given customer's own time zone, where one is set. */
export async function customerZones(db: Db, storeId: string, customerIds: readonly number[]): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  const unique = [...new Set(customerIds)];
  for (let i = 0; i < unique.length; i += 1000) {
    const rows = await db.selectFrom('customers').select(['id', 'timezone'])
      .where('store_id', '=', storeId).where('id', 'in', unique.slice(i, i + 1000)).where('timezone', 'is not', null).execute();
    for (const row of rows) if (row.timezone) found.set(Number(row.id), row.timezone);
  }
  return found;
}

/** Marketing messages each given customer was sent (or may have been: uncertain) since `since`. */
export async function marketedCounts(db: Db, storeId: string, customerIds: readonly number[], since: Date, channel: MessageChannel = 'email'): Promise<Map<number, number>> {
  const found = new Map<number, number>();
  for (let i = 0; i < customerIds.length; i += 1000) {
    const rows = await db.selectFrom('message_send_states as st')
      .innerJoin('message_sends as s', (join) => join.onRef('s.id', '=', 'st.send_id').onRef('s.store_id', '=', 'st.store_id'))
      .select(['s.customer_id', (eb) => eb.fn.count<number>('s.id').distinct().as('n')])
      .where('st.store_id', '=', storeId).where('st.state', 'in', ['sent', 'uncertain']).where('st.changed_at', '>=', since)
      .where('s.purpose', '=', 'marketing').where('s.channel', '=', channel).where('s.customer_id', 'in', customerIds.slice(i, i + 1000))
      .groupBy('s.customer_id')
      .execute();
    for (const row of rows) if (row.customer_id !== null) found.set(Number(row.customer_id), Number(row.n));
  }
  return found;
}

/**
 * When a source's messages are planned to go out: each message at its latest not-before time, or
 * when it was queued; the first and the last of those.
 */
export async function sourceSpread(db: Db, storeId: string, source: string): Promise<{ first_at: Date | null; last_at: Date | null }> {
  const { rows } = await sql<{ first_at: Date | null; last_at: Date | null }>`
    with planned as (
      select coalesce(max(st.not_before), min(s.created_at)) as planned_at from message_sends s
      join message_send_states st on st.store_id = s.store_id and st.send_id = s.id
      where s.store_id = ${storeId} and s.source = ${source} group by s.id
    )
    select min(planned_at) as first_at, max(planned_at) as last_at from planned`.execute(db);
  return rows[0] ?? { first_at: null, last_at: null };
}
