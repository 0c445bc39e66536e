/** Topics and the recipients' choices: plain functions over the module's view of the connection. */
import { sql } from 'kysely';
import type { MessageTopicChoiceTable, MessageTopicTable, TopicsDb } from './topics.table.js';

export async function listTopics(db: TopicsDb, storeId: string, options: { archived?: boolean } = {}): Promise<MessageTopicTable[]> {
  let query = db.selectFrom('message_topics').selectAll().where('store_id', '=', storeId);
  if (!options.archived) query = query.where('archived_at', 'is', null);
  return query.orderBy('position').orderBy('id').execute();
}

export async function findTopic(db: TopicsDb, storeId: string, id: string): Promise<MessageTopicTable | undefined> {
  return db.selectFrom('message_topics').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
}

export async function countTopics(db: TopicsDb, storeId: string): Promise<number> {
  const row = await db.selectFrom('message_topics').select((eb) => eb.fn.countAll<number>().as('n')).where('store_id', '=', storeId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Inserts topics whose id is new; an existing id is left as it is. */
export async function insertTopics(db: TopicsDb, topics: readonly MessageTopicTable[]): Promise<void> {
  if (topics.length === 0) return;
  await db.insertInto('message_topics').values([...topics]).onConflict((oc) => oc.columns(['store_id', 'id']).doNothing()).execute();
}

export async function updateTopic(db: TopicsDb, storeId: string, id: string, changes: Partial<Pick<MessageTopicTable, 'name' | 'description' | 'position' | 'archived_at' | 'updated_at'>>): Promise<void> {
  await db.updateTable('message_topics').set(changes).where('store_id', '=', storeId).where('id', '=', id).execute();
}

/** Each address's current choice per topic (the latest row): `address → topic → subscribed`. */
export async function currentChoices(db: TopicsDb, storeId: string, addresses: readonly string[]): Promise<Map<string, Map<string, boolean>>> {
  const out = new Map<string, Map<string, boolean>>();
  const unique = [...new Set(addresses)];
  for (let i = 0; i < unique.length; i += 1000) {
    const { rows } = await sql<{ address: string; topic_id: string; subscribed: boolean }>`
      select address, topic_id, arg_max(subscribed, id) as subscribed from message_topic_choices
      where store_id = ${storeId} and address in (${sql.join(unique.slice(i, i + 1000))})
      group by address, topic_id`.execute(db);
    for (const row of rows) {
      const topics = out.get(row.address) ?? new Map<string, boolean>();
      topics.set(row.topic_id, Boolean(row.subscribed));
      out.set(row.address, topics);
    }
  }
  return out;
}

export async function appendChoices(db: TopicsDb, choices: readonly Omit<MessageTopicChoiceTable, 'id'>[]): Promise<void> {
  if (choices.length === 0) return;
  await db.insertInto('message_topic_choices')
    .values(choices.map((choice) => ({ ...choice, id: sql<number>`nextval('message_topic_choices_id_seq')` })))
    .execute();
}

/** A customer's choices, newest first (their history, for the profile). */
export async function choicesOfCustomer(db: TopicsDb, storeId: string, customerId: number, limit: number): Promise<(MessageTopicChoiceTable & { topic_name: string | null })[]> {
  return db.selectFrom('message_topic_choices as c')
    .leftJoin('message_topics as t', (join) => join.onRef('t.store_id', '=', 'c.store_id').onRef('t.id', '=', 'c.topic_id'))
    .selectAll('c').select('t.name as topic_name')
    .where('c.store_id', '=', storeId).where('c.customer_id', '=', customerId)
    .orderBy('c.id', 'desc').limit(limit).execute();
}
