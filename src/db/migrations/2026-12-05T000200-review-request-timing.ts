import { sql, type Kysely } from 'kysely';

/**
 * Review requests for orders sent abroad, and one request per product (docs/listen.md, "Review
 * requests"): `review_settings` learns the store's home countries, the delays for an order whose
 * customer lives elsewhere (null: the same as at home) and whether an order's products are asked
 * about together or one request each (so an order's requests are no longer unique to it).
 */
const statements = [
  `alter table review_settings add column home_countries varchar default '[]'`,
  'alter table review_settings add column international_delay_days integer',
  'alter table review_settings add column international_fulfilled_delay_days integer',
  `alter table review_settings add column request_mode varchar default 'order'`,
  // An order may now have a request per product: its requests are found by order, no longer one each.
  'drop index review_requests_order',
  'create index review_requests_by_order on review_requests (store_id, order_external_id)',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop index review_requests_by_order').execute(db);
  await sql.raw('create unique index review_requests_order on review_requests (store_id, order_external_id)').execute(db);
  for (const column of ['request_mode', 'international_fulfilled_delay_days', 'international_delay_days', 'home_countries']) {
    await sql.raw(`alter table review_settings drop column ${column}`).execute(db);
  }
}
