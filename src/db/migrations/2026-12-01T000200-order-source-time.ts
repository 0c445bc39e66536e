import { sql, type Kysely } from 'kysely';

/**
 * When the source last changed the order (Shopify's `updated_at`). Webhooks are not delivered in
 * order: an update older than the one stored is not applied, so it cannot revert a newer state
 * (an `orders/updated` that arrives after `orders/cancelled`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table orders add column source_updated_at timestamp').execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table orders drop column source_updated_at').execute(db);
}
