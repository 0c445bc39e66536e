import { sql, type Kysely } from 'kysely';

/**
 * Opens and clicks of sent messages, one append-only row each (a tracked redirect or the open
 * pixel was fetched). Counts of unique openers and clickers are derived.
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
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table message_engagement').execute(db);
  await sql.raw('drop sequence message_engagement_id_seq').execute(db);
}
