import { sql, type Kysely } from 'kysely';

/**
 * Ingestion bookkeeping. `ingest_message_ids` is the dedupe window for Segment `messageId`s
 * (pruned after 7+ days), keyed by the 128-bit MD5 of store id and message id (a small fixed-size
 * key keeps the index cheap; a collision is a 2^-128 event). Its primary key lets the writer insert
 * a commit group's keys with `ON CONFLICT DO NOTHING RETURNING` and learn, in the same
 * transaction, which events are new.
 * `webhook_deliveries` does the same for Shopify's `X-Shopify-Webhook-Id`. The stats tables hold
 * hourly counters per store and source for `hearth status` and `/api/v1/ingest/status`.
 * `events.context` keeps the message's context (page, campaign, user agent, library) as JSON.
 */
const statements = [
  `alter table events add column context varchar`,
  `create table ingest_message_ids (
    key uhugeint primary key,
    received_at timestamp not null
  )`,
  `create table webhook_deliveries (
    store_id varchar not null,
    webhook_id varchar not null,
    topic varchar not null,
    received_at timestamp not null,
    primary key (store_id, webhook_id)
  )`,
  `create table ingest_stats (
    store_id varchar not null,
    source varchar not null,
    hour timestamp not null,
    received bigint not null default 0,
    stored bigint not null default 0,
    rejected bigint not null default 0,
    deduplicated bigint not null default 0,
    primary key (store_id, source, hour)
  )`,
  `create table ingest_rejections (
    store_id varchar not null,
    source varchar not null,
    hour timestamp not null,
    reason varchar not null,
    n bigint not null default 0,
    primary key (store_id, source, hour, reason)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['ingest_rejections', 'ingest_stats', 'webhook_deliveries', 'ingest_message_ids']) {
    await sql.raw(`drop table if exists ${table}`).execute(db);
  }
  await sql.raw(`alter table events drop column if exists context`).execute(db);
}
