import { sql, type Kysely } from 'kysely';

/**
 * The outbox of domain events: every committed change others may act on is appended here in the
 * same transaction as the change (`src/modules/domain-events`), and each subscriber keeps its own
 * position in it. Ids come from one sequence drawn inside the writing transaction; since all
 * writes go through the one writer connection, ids grow in commit order.
 */
const statements = [
  `create sequence domain_events_id_seq start 1`,
  `create table domain_events (
    id bigint not null,
    store_id varchar not null,
    type varchar not null,
    entity varchar not null,
    entity_id bigint,
    customer_id bigint,
    data varchar not null,
    occurred_at timestamp not null
  )`,
  `create table event_subscriptions (
    name varchar primary key,
    position bigint not null,
    updated_at timestamp not null
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of ['drop table event_subscriptions', 'drop table domain_events', 'drop sequence domain_events_id_seq']) {
    await sql.raw(statement).execute(db);
  }
}
