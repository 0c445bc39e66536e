import { sql, type Kysely } from 'kysely';

/**
 * The web origins allowed to send tracked events with a store's write key (a JSON list such as
 * `["https://shop.example", "https://*.shop.example"]`); NULL allows any origin.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`alter table stores add column tracking_origins varchar`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`alter table stores drop column tracking_origins`).execute(db);
}
