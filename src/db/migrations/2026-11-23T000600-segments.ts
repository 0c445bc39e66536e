import { sql, type Kysely } from 'kysely';

/**
 * Segments (a rule tree stored as JSON), their current members, the history of every entry and
 * exit, and personas found by clustering with their members. Membership tables carry no unique
 * index (they are rewritten set-based by the single writer during a refresh, like the fact tables).
 */
const statements = [
  `create sequence segment_history_id_seq start 1`,
  `create table segments (
    store_id varchar not null,
    id varchar primary key,
    name varchar not null,
    description varchar,
    rule varchar not null,
    builtin_key varchar,
    refresh_mode varchar not null,
    member_count bigint not null default 0,
    refreshed_at timestamp,
    created_at timestamp not null,
    updated_at timestamp not null
  )`,
  `create table segment_members (
    store_id varchar not null,
    segment_id varchar not null,
    customer_id bigint not null,
    entered_at timestamp not null
  )`,
  `create table segment_history (
    id bigint not null,
    store_id varchar not null,
    segment_id varchar not null,
    customer_id bigint not null,
    change varchar not null,
    changed_at timestamp not null
  )`,
  `create table personas (
    store_id varchar not null,
    id varchar primary key,
    run_id varchar not null,
    position integer not null,
    name varchar not null,
    description varchar not null,
    size bigint not null,
    revenue_share double not null,
    predicted_clv double,
    profile varchar not null,
    retention varchar not null,
    created_at timestamp not null
  )`,
  `create table persona_members (
    store_id varchar not null,
    persona_id varchar not null,
    customer_id bigint not null,
    assigned_at timestamp not null
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['persona_members', 'personas', 'segment_history', 'segment_members', 'segments']) {
    await sql.raw(`drop table if exists ${table}`).execute(db);
  }
  await sql.raw('drop sequence if exists segment_history_id_seq').execute(db);
}
