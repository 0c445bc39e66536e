import { sql, type Kysely } from 'kysely';

/**
 * Product recommendations (docs/recommendations.md).
 * - `recommendation_fits`: one row per fit of a store's models; serving reads the latest.
 * - `recommendation_products`: per fit, each product's buyers, recency-weighted buyers and reorder figures.
 * - `recommendation_neighbours`: per fit, each product's co-purchase neighbours (`together`) and the
 *   products bought next by customers whose first order had it (`next`), top N each.
 * - `recommendation_settings`: the store's pinned and blocked products, one row per saved version.
 */
const statements = [
  `create sequence recommendation_fits_id_seq start 1`,
  `create table recommendation_fits (
    store_id varchar not null,
    id bigint not null,
    trained_before timestamp not null,
    customers bigint not null,
    products bigint not null,
    pairs bigint not null,
    seconds double not null,
    created_at timestamp not null,
    primary key (store_id, id)
  )`,
  `create table recommendation_products (
    store_id varchar not null,
    fit_id bigint not null,
    product_id bigint not null,
    customers bigint not null,
    weight double not null,
    repeat_customers bigint not null,
    reorder_days double,
    reorder_rate double not null
  )`,
  `create index recommendation_products_fit on recommendation_products (store_id, fit_id)`,
  `create table recommendation_neighbours (
    store_id varchar not null,
    fit_id bigint not null,
    kind varchar not null,
    product_id bigint not null,
    other_id bigint not null,
    customers bigint not null,
    score double not null,
    confidence double not null
  )`,
  `create index recommendation_neighbours_fit on recommendation_neighbours (store_id, fit_id)`,
  `create table recommendation_settings (
    store_id varchar not null,
    version integer not null,
    pinned varchar not null,
    blocked varchar not null,
    created_by varchar,
    created_at timestamp not null,
    primary key (store_id, version)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['recommendation_settings', 'recommendation_neighbours', 'recommendation_products', 'recommendation_fits']) {
    await sql.raw(`drop table ${table}`).execute(db);
  }
  await sql.raw('drop sequence recommendation_fits_id_seq').execute(db);
}
