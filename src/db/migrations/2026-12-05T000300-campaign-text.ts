import { sql, type Kysely } from 'kysely';

/**
 * Campaigns by SMS and webhook (docs/campaigns.md, "Channels"): `campaigns.message_text` is the
 * Liquid text such a campaign sends instead of a template (null for email campaigns). The
 * `channel` column already exists.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table campaigns add column message_text varchar').execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table campaigns drop column message_text').execute(db);
}
