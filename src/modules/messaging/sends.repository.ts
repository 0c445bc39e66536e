/**
 * The send ledger: messages written once, and their append-only state log. A message's state is
 * its latest log row (the highest `seq`); state changes are appended in groups, one insert each.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/database.js';
import { unnested, type ColumnTypes } from '../../db/unnested.js';
import { unpackBodies, type Bodies, type PackedBodies } from './message-bodies.js';
import type { MessageChannel } from './message.types.js';
import type { MessageSendTable, SendHeading, SendState, SendWithBodies } from './sends.table.js';

/** A message to write: its ledger row and its bodies. */
export type NewSend = Omit<SendWithBodies, 'id'>;

/** A message to write with its bodies deflated (`packBodies`), as the ledger keeps them. */
export type PackedSend = Omit<MessageSendTable, 'id'> & PackedBodies;

export interface StateChange {
  storeId: string;
  sendId: number;
  state: SendState;
  reason?: string | null;
  detail?: string | null;
  providerMessageId?: string | null;
  attempt: number;
  /** A queued message is not sent before this instant. */
  notBefore?: Date | null;
}

export interface CurrentState {
  send_id: number;
  state: SendState;
  reason: string | null;
  detail: string | null;
  provider_message_id: string | null;
  attempt: number;
  at: Date;
  not_before: Date | null;
}

const SEND_COLUMNS = {
  store_id: 'varchar', send_key: 'varchar', channel: 'varchar', purpose: 'varchar', source: 'varchar', customer_id: 'bigint', to_address: 'varchar',
  from_address: 'varchar', subject: 'varchar', preheader: 'varchar', headers: 'varchar', template_id: 'varchar',
  template_version: 'integer', topic_id: 'varchar', created_at: 'timestamp',
} as const satisfies ColumnTypes<keyof Omit<MessageSendTable, 'id'>>;

const BODY_COLUMNS = { store_id: 'varchar', send_id: 'bigint', html: 'blob', text: 'blob' } as const;

const STATE_COLUMNS = {
  store_id: 'varchar', send_id: 'bigint', state: 'varchar', reason: 'varchar', detail: 'varchar', provider_message_id: 'varchar', attempt: 'integer',
  changed_at: 'timestamp', not_before: 'timestamp',
} as const;

/** Messages in one statement. */
const INSERT_SLICE = 500;

/**
 * Inserts the messages whose send key is new, their ledger rows and then their bodies; returns the
 * ids of those inserted, by send key. The rows go in as one list per column (`unnested`): a VALUES
 * list of 500 messages × 17 parameters took DuckDB longer to plan than to write.
 */
export async function insertSends(tx: Tx, sends: readonly PackedSend[]): Promise<Map<string, number>> {
  const inserted = new Map<string, number>();
  const names = Object.keys(SEND_COLUMNS) as (keyof typeof SEND_COLUMNS)[];
  for (let i = 0; i < sends.length; i += INSERT_SLICE) {
    const slice = sends.slice(i, i + INSERT_SLICE);
    const { rows } = await sql<{ id: number | bigint; send_key: string }>`insert into message_sends (id, ${sql.join(names.map((n) => sql.ref(n)))})
      select nextval('message_sends_id_seq'), * from ${unnested(SEND_COLUMNS, slice)} v
      on conflict (store_id, send_key) do nothing
      returning id, send_key`.execute(tx);
    const ids = new Map(rows.map((row) => [row.send_key, Number(row.id)]));
    for (const [key, id] of ids) inserted.set(key, id);
    // One body per inserted row: a key given twice in the slice is written once.
    const bodies = slice.flatMap((send) => {
      const id = ids.get(send.send_key);
      ids.delete(send.send_key);
      return id === undefined ? [] : [{ store_id: send.store_id, send_id: id, html: send.html, text: send.text }];
    });
    if (bodies.length > 0) await sql`insert into message_bodies (store_id, send_id, html, text) select * from ${unnested(BODY_COLUMNS, bodies)} v`.execute(tx);
  }
  return inserted;
}

export async function appendStates(db: Db | Tx, changes: readonly StateChange[], at = new Date()): Promise<void> {
  const names = Object.keys(STATE_COLUMNS) as (keyof typeof STATE_COLUMNS)[];
  for (let i = 0; i < changes.length; i += 1000) {
    await sql`insert into message_send_states (seq, ${sql.join(names.map((n) => sql.ref(n)))})
      select nextval('message_send_states_seq'), * from ${unnested(STATE_COLUMNS, changes.slice(i, i + 1000).map((change) => ({
        store_id: change.storeId, send_id: change.sendId, state: change.state, reason: change.reason ?? null, detail: change.detail?.slice(0, 1000) ?? null,
        provider_message_id: change.providerMessageId ?? null, attempt: change.attempt, changed_at: at, not_before: change.notBefore ?? null,
      })))} v`.execute(db);
  }
}

/** The latest state of each message of the store (or of the given messages). Ids are unique across stores. */
function latest(db: Db, storeId: string | undefined, ids?: readonly number[]) {
  let last = db.selectFrom('message_send_states').select(['send_id', (eb) => eb.fn.max('seq').as('seq')]).groupBy('send_id');
  if (storeId) last = last.where('store_id', '=', storeId);
  if (ids) last = last.where('send_id', 'in', ids);
  return db.selectFrom('message_send_states as st')
    .innerJoin(last.as('last'), (join) => join.onRef('last.seq', '=', 'st.seq'))
    .select(['st.send_id', 'st.state', 'st.reason', 'st.detail', 'st.provider_message_id', 'st.attempt', 'st.changed_at as at', 'st.not_before']);
}

export async function currentStates(db: Db, storeId: string, ids: readonly number[]): Promise<Map<number, CurrentState>> {
  const states = new Map<number, CurrentState>();
  if (ids.length === 0) return states;
  for (const row of await latest(db, storeId, ids).execute()) states.set(Number(row.send_id), { ...row, send_id: Number(row.send_id) });
  return states;
}

const HEADING_COLUMNS = [
  'store_id', 'id', 'send_key', 'channel', 'purpose', 'source', 'customer_id', 'to_address', 'from_address', 'subject', 'preheader',
  'headers', 'template_id', 'template_version', 'topic_id', 'created_at',
] as const satisfies readonly (keyof SendHeading)[];

/** The messages by id, without their bodies (`bodiesByIds` reads those just before sending). */
export async function sendsByIds(db: Db, storeId: string, ids: readonly number[]): Promise<SendHeading[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('message_sends').select(HEADING_COLUMNS).where('store_id', '=', storeId).where('id', 'in', ids).orderBy('id').execute();
  return rows.map((row) => ({ ...row, id: Number(row.id), customer_id: row.customer_id === null ? null : Number(row.customer_id) }));
}

/**
 * The HTML and text bodies of the messages, by id, inflated. The body table has no index: the
 * range of the ids lets DuckDB skip the row groups outside it (ids grow with time), which it does
 * not do for a scattered list of ids alone (125 ids among 30,000 messages: 195 ms without the
 * range, 20 ms with it).
 */
export async function bodiesByIds(db: Db, storeId: string, ids: readonly number[]): Promise<Map<number, Bodies>> {
  return new Map([...await packedBodiesByIds(db, storeId, ids)].map(([id, packed]) => [id, unpackBodies(packed)]));
}

/** The bodies of the messages, by id, deflated as stored (what the send lanes hand to a deliverer). */
export async function packedBodiesByIds(db: Db, storeId: string, ids: readonly number[]): Promise<Map<number, PackedBodies>> {
  if (ids.length === 0) return new Map();
  const [low, high] = [Math.min(...ids), Math.max(...ids)];
  const rows = await db.selectFrom('message_bodies').select(['send_id', 'html', 'text'])
    .where('store_id', '=', storeId).where('send_id', '>=', low).where('send_id', '<=', high).where('send_id', 'in', ids).execute();
  return new Map(rows.map((row) => [Number(row.send_id), { html: row.html, text: row.text }]));
}

export async function idsBySendKey(db: Db, storeId: string, keys: readonly string[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (let i = 0; i < keys.length; i += 1000) {
    const rows = await db.selectFrom('message_sends').select(['id', 'send_key']).where('store_id', '=', storeId).where('send_key', 'in', keys.slice(i, i + 1000)).execute();
    for (const row of rows) found.set(row.send_key, Number(row.id));
  }
  return found;
}

/** Messages of every store in a given state now (after a restart: those left `sending`, or `queued`). */
export async function sendsInState(db: Db, state: SendState): Promise<{ store_id: string; send_id: number; attempt: number; source: string | null }[]> {
  const rows = await db.selectFrom(latest(db, undefined).as('cur'))
    .innerJoin('message_sends as s', 's.id', 'cur.send_id')
    .select(['s.store_id', 'cur.send_id', 'cur.attempt', 's.source'])
    .where('cur.state', '=', state)
    .orderBy('cur.send_id')
    .execute();
  return rows.map((row) => ({ ...row, send_id: Number(row.send_id) }));
}

/** Customers of the store who were sent a marketing message (on the channel, when given) since `since`. */
export async function recentlyMarketed(db: Db, storeId: string, customerIds: readonly number[], since: Date, channel?: MessageChannel): Promise<Set<number>> {
  const found = new Set<number>();
  if (customerIds.length === 0) return found;
  const rows = await db.selectFrom('message_send_states as st')
    .innerJoin('message_sends as s', (join) => join.onRef('s.id', '=', 'st.send_id').onRef('s.store_id', '=', 'st.store_id'))
    .select('s.customer_id').distinct()
    .where('st.store_id', '=', storeId).where('st.state', 'in', ['sent', 'uncertain']).where('st.changed_at', '>=', since)
    .where('s.purpose', '=', 'marketing').where('s.customer_id', 'in', customerIds)
    .$if(channel !== undefined, (q) => q.where('s.channel', '=', channel!))
    .execute();
  for (const row of rows) if (row.customer_id !== null) found.add(Number(row.customer_id));
  return found;
}

export interface SendFilter {
  state?: SendState;
  purpose?: string;
  source?: string;
  customerId?: number;
  to?: string;
  /** Only messages with an id below this (the next page). */
  beforeId?: number;
  limit: number;
}

export type SendWithState = MessageSendTable & Omit<CurrentState, 'send_id'>;

/** The store's messages with their current state, newest first. */
export async function listSends(db: Db, storeId: string, filter: SendFilter): Promise<SendWithState[]> {
  let query = db.selectFrom('message_sends as s')
    .innerJoin(latest(db, storeId).as('cur'), 'cur.send_id', 's.id')
    .selectAll('s')
    .select(['cur.state', 'cur.reason', 'cur.detail', 'cur.provider_message_id', 'cur.attempt', 'cur.at', 'cur.not_before'])
    .where('s.store_id', '=', storeId)
    .orderBy('s.id', 'desc')
    .limit(filter.limit);
  if (filter.state) query = query.where('cur.state', '=', filter.state);
  if (filter.purpose) query = query.where('s.purpose', '=', filter.purpose as 'marketing');
  if (filter.source) query = query.where('s.source', '=', filter.source);
  if (filter.customerId !== undefined) query = query.where('s.customer_id', '=', filter.customerId);
  if (filter.to) query = query.where('s.to_address', '=', filter.to.toLowerCase());
  if (filter.beforeId !== undefined) query = query.where('s.id', '<', filter.beforeId);
  const rows = await query.execute();
  return rows.map((row) => ({ ...row, id: Number(row.id), customer_id: row.customer_id === null ? null : Number(row.customer_id) }));
}

export async function stateHistory(db: Db, storeId: string, sendId: number) {
  return db.selectFrom('message_send_states').select(['state', 'reason', 'detail', 'provider_message_id', 'attempt', 'changed_at as at'])
    .where('store_id', '=', storeId).where('send_id', '=', sendId).orderBy('seq').execute();
}

export async function stateCounts(db: Db, storeId: string): Promise<Record<SendState, number>> {
  const rows = await db.selectFrom(latest(db, storeId).as('cur')).select(['cur.state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('cur.state').execute();
  const counts: Record<SendState, number> = { queued: 0, sending: 0, sent: 0, failed: 0, suppressed: 0, uncertain: 0 };
  for (const row of rows) counts[row.state] = Number(row.n);
  return counts;
}
