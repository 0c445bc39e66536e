import { sql, type Kysely } from 'kysely';

/**
 * Opens and clicks of sent messages, one append-only row each (a tracked redirect or the open
 * pixel was fetched); counts of unique openers and clickers are derived. And what mail providers
 * reported (bounces, complaints, unsubscribes, deliveries), one row per provider event, so a
 * webhook delivered twice is applied once and soft bounces can be counted.
 */
const statements = [
  `create sequence message_engagement_id_seq start 1`,
  `create table message_engagement (
    store_id varchar not null,
    id bigint not null,
    send_key varchar not null,
    customer_id bigint,
    kind varchar not null,
    url varchar,
    user_agent varchar,
    occurred_at timestamp not null
  )`,
  `create table message_delivery_events (
    store_id varchar not null,
    provider varchar not null,
    event_key varchar not null,
    kind varchar not null,
    address varchar not null,
    provider_message_id varchar,
    detail varchar,
    occurred_at timestamp not null,
    received_at timestamp not null,
    primary key (store_id, provider, event_key)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table message_delivery_events').execute(db);
  await sql.raw('drop table message_engagement').execute(db);
  await sql.raw('drop sequence message_engagement_id_seq').execute(db);
}
