import { sql, type Kysely } from 'kysely';

/**
 * What messages show of a store: its web address, logo, postal address (the legal footer of
 * marketing mail) and brand colours (JSON `{"primary", "background", "text"}`). All optional.
 */
const columns = ['website_url', 'logo_url', 'postal_address', 'brand_colors'];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of columns) await sql.raw(`alter table stores add column ${column} varchar`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of columns) await sql.raw(`alter table stores drop column ${column}`).execute(db);
}
