import { sql, type Kysely } from 'kysely';

/**
 * Message templates and their versions. A version is never updated: each save appends one, and a
 * sent message records the version it used. The template row keeps its name, purpose and newest
 * version number (updated in place, a rare write).
 */
const statements = [
  `create table message_templates (
    store_id varchar not null,
    id varchar primary key,
    name varchar not null,
    channel varchar not null,
    purpose varchar not null,
    starter_key varchar,
    current_version integer not null,
    archived_at timestamp,
    created_at timestamp not null,
    updated_at timestamp not null
  )`,
  `create table message_template_versions (
    store_id varchar not null,
    template_id varchar not null,
    version integer not null,
    subject varchar not null,
    preheader varchar not null,
    body varchar not null,
    created_by varchar,
    created_at timestamp not null,
    primary key (template_id, version)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table message_template_versions').execute(db);
  await sql.raw('drop table message_templates').execute(db);
}
