import { sql, type Kysely } from 'kysely';

/**
 * Email topics a store's customers choose on the preference page (Newsletter, Offers, …): the
 * store's topics, and each recipient's choices as append-only rows (the latest per address and
 * topic is the current one, the rest is the history shown on the profile). A campaign and each
 * message name their topic, so an opt-out stops only that topic's marketing email.
 */
const statements = [
  `create table message_topics (
    store_id varchar not null,
    id varchar not null,
    name varchar not null,
    description varchar,
    position integer not null,
    archived_at timestamp,
    created_at timestamp not null,
    updated_at timestamp not null,
    primary key (store_id, id)
  )`,
  `create sequence message_topic_choices_id_seq start 1`,
  `create table message_topic_choices (
    store_id varchar not null,
    id bigint not null,
    address varchar not null,
    customer_id bigint,
    topic_id varchar not null,
    subscribed boolean not null,
    source varchar not null,
    send_key varchar,
    changed_at timestamp not null
  )`,
  `alter table campaigns add column topic_id varchar`,
  `alter table message_sends add column topic_id varchar`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table message_sends drop column topic_id').execute(db);
  await sql.raw('alter table campaigns drop column topic_id').execute(db);
  await sql.raw('drop table message_topic_choices').execute(db);
  await sql.raw('drop sequence message_topic_choices_id_seq').execute(db);
  await sql.raw('drop table message_topics').execute(db);
}
