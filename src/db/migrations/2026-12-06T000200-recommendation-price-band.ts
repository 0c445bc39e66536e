import { sql, type Kysely } from 'kysely';

/**
 * The store's price band for recommendations (docs/recommendations.md, "Filters"): products
 * priced below `min_price` or above `max_price` (minor units; null: no bound) are not recommended.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table recommendation_settings add column min_price bigint').execute(db);
  await sql.raw('alter table recommendation_settings add column max_price bigint').execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table recommendation_settings drop column max_price').execute(db);
  await sql.raw('alter table recommendation_settings drop column min_price').execute(db);
}
