import { sql, type Kysely } from 'kysely';

/**
 * Which ready flow of the library a store installed as which flow: installing the same ready flow
 * again returns that flow instead of a second draft.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`create table flow_library_installs (
    store_id varchar not null,
    library_key varchar not null,
    flow_id varchar not null,
    installed_at timestamp not null,
    primary key (store_id, library_key)
  )`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table if exists flow_library_installs').execute(db);
}
