import { sql, type Kysely } from 'kysely';

/**
 * Whether a product is for sale (docs/api.md, "Products"): `published` (null: not said, taken as
 * published), `published_at` (a time still to come: not yet published) and the units in stock of
 * the product and of each variant (null: not counted, taken as available). Recommendations leave
 * out what is unpublished or sold out. DuckDB adds columns as nullable only, which these are.
 */
const statements = [
  'alter table products add column published boolean',
  'alter table products add column published_at timestamp',
  'alter table products add column inventory_quantity bigint',
  'alter table variants add column inventory_quantity bigint',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table variants drop column inventory_quantity').execute(db);
  for (const column of ['inventory_quantity', 'published_at', 'published']) await sql.raw(`alter table products drop column ${column}`).execute(db);
}
