/** Email topics and each recipient's choices (migration 2026-12-03T000800). */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';

export interface MessageTopicTable {
  store_id: string;
  /** A short key (`newsletter`, `offers`) that campaigns and messages name. */
  id: string;
  name: string;
  description: string | null;
  position: number;
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** One change of one recipient's choice for one topic; the latest row per address and topic is the current choice. */
export interface MessageTopicChoiceTable {
  store_id: string;
  id: number;
  /** Lower-cased: choices follow the address, as the suppression list does. */
  address: string;
  customer_id: number | null;
  topic_id: string;
  subscribed: boolean;
  /** `preferences` (the page behind a message's link), `api`… */
  source: string;
  /** The message whose link was used, when there was one. */
  send_key: string | null;
  changed_at: Date;
}

export type TopicTables = {
  message_topics: MessageTopicTable;
  message_topic_choices: MessageTopicChoiceTable;
};

export type TopicsDb = Kysely<Database & TopicTables>;

export function topicsDb(db: Kysely<Database>): TopicsDb {
  return db.withTables<TopicTables>();
}
