import { sql, type Kysely } from 'kysely';

/**
 * Pushing an offer's generated codes to Shopify (docs/offers.md, "Codes in Shopify").
 * - `shopify_connections`: the store's shop domain and Admin API access token (never shown again).
 * - `offer_shopify`: the Shopify code discount an offer's codes are added to.
 * - `offer_code_pushes`: each code sent to Shopify: the bulk creation it went in (null while the
 *   request is out), then when Shopify confirmed it or why it refused it. A code is handed out
 *   only once confirmed.
 */
const statements = [
  `create table shopify_connections (
    store_id varchar primary key,
    shop varchar not null,
    access_token varchar not null,
    connected_at timestamp not null
  )`,
  `create table offer_shopify (
    store_id varchar not null,
    offer_id varchar not null,
    discount_id varchar not null,
    linked_at timestamp not null,
    primary key (store_id, offer_id)
  )`,
  `create table offer_code_pushes (
    store_id varchar not null,
    code varchar not null,
    offer_id varchar not null,
    batch_id varchar,
    sent_at timestamp not null,
    pushed_at timestamp,
    error varchar,
    primary key (store_id, code)
  )`,
  `create index offer_code_pushes_offer on offer_code_pushes (store_id, offer_id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['offer_code_pushes', 'offer_shopify', 'shopify_connections']) await sql.raw(`drop table ${table}`).execute(db);
}
