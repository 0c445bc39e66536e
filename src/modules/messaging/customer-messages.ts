/**
 * What the customer's profile shows of messaging: the latest messages sent to them (with their
 * state and whether they were opened or clicked), their email topics and the changes they made.
 * Reads only; a store that never listed its topics has none to show.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { currentStates } from './sends.repository.js';
import type { MessageChannel, MessagePurpose } from './message.types.js';
import type { SendState } from './sends.table.js';
import { normaliseAddress } from './suppressions.repository.js';
import { choicesOfCustomer, currentChoices, listTopics } from './topics.repository.js';
import { topicsDb } from './topics.table.js';

export interface CustomerMessage {
  /** The message's id in the ledger (`GET /api/v1/messages/{id}`, the Outbox). */
  id: number;
  subject: string;
  channel: MessageChannel;
  purpose: MessagePurpose;
  /** The batch source that queued it (`campaign:<id>`), or null for a single message. */
  source: string | null;
  topic_id: string | null;
  state: SendState;
  reason: string | null;
  opened: boolean;
  clicked: boolean;
  created_at: Date;
  /** When it reached its current state. */
  updated_at: Date;
}

/** The customer's latest messages, newest first. */
export async function customerMessages(db: Db, storeId: string, customerId: number, limit: number): Promise<CustomerMessage[]> {
  const sends = await db.selectFrom('message_sends').select(['id', 'send_key', 'subject', 'channel', 'purpose', 'source', 'topic_id', 'created_at'])
    .where('store_id', '=', storeId).where('customer_id', '=', customerId).orderBy('id', 'desc').limit(limit).execute();
  if (sends.length === 0) return [];
  const states = await currentStates(db, storeId, sends.map((s) => Number(s.id)));
  const { rows } = await sql<{ send_key: string; kind: string }>`select distinct send_key, kind from message_engagement
    where store_id = ${storeId} and send_key in (${sql.join(sends.map((s) => s.send_key))})`.execute(db);
  const engaged = new Set(rows.map((r) => `${r.kind}:${r.send_key}`));
  return sends.map((s) => {
    const state = states.get(Number(s.id));
    return {
      id: Number(s.id), subject: s.subject, channel: s.channel, purpose: s.purpose, source: s.source, topic_id: s.topic_id,
      state: state?.state ?? 'queued', reason: state?.reason ?? null,
      opened: engaged.has(`open:${s.send_key}`), clicked: engaged.has(`click:${s.send_key}`),
      created_at: s.created_at, updated_at: state?.at ?? s.created_at,
    };
  });
}

/** The store's topics with the address's choice for each (subscribed unless dropped). */
export async function customerTopics(db: Db, storeId: string, address: string | null): Promise<{ id: string; name: string; subscribed: boolean }[]> {
  const topics = await listTopics(topicsDb(db), storeId);
  if (topics.length === 0) return [];
  const chosen = address ? (await currentChoices(topicsDb(db), storeId, [normaliseAddress(address)])).get(normaliseAddress(address)) : undefined;
  return topics.map((t) => ({ id: t.id, name: t.name, subscribed: chosen?.get(t.id) ?? true }));
}

/** The customer's topic changes, newest first. */
export async function customerTopicChanges(db: Db, storeId: string, customerId: number, limit: number) {
  return (await choicesOfCustomer(topicsDb(db), storeId, customerId, limit)).map((c) => ({
    topic: c.topic_id, name: c.topic_name ?? c.topic_id, subscribed: c.subscribed, source: c.source, at: c.changed_at,
  }));
}
