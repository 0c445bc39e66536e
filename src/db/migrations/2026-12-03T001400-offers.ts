import { sql, type Kysely } from 'kysely';

/**
 * Offers and unique discount codes (docs/offers.md).
 * - `offers`: one row per offer; its status is the one field that changes (a small maintained table).
 * - `offer_codes`: each offer's pool: generated from its pattern or imported from a CSV. A code is
 *   unique per store (stored upper-case, matched case-insensitively).
 * - `offer_assignments`: the arm (offered or holdout) of each eligible customer, drawn by a
 *   deterministic hash the first time they became eligible.
 * - `offer_issues`: the answer to each idempotency key (send key): the code handed out, or why none.
 * - `offer_redemptions`: each order that carried an issued code (the counted one is derived).
 * - `campaigns.offer_id`: the offer whose code each recipient's email carries (null: none).
 */
const statements = [
  `create table offers (
    store_id varchar not null,
    id varchar not null,
    name varchar not null,
    value_kind varchar not null,
    value bigint not null,
    minimum_spend bigint not null,
    expires_at timestamp,
    valid_days integer,
    source varchar not null,
    pattern varchar,
    pool_size integer not null,
    segment_id varchar,
    guardrail_max integer,
    guardrail_days integer,
    holdout_share double not null,
    seed varchar not null,
    status varchar not null,
    created_at timestamp not null,
    updated_at timestamp not null,
    primary key (store_id, id)
  )`,
  `create table offer_codes (
    store_id varchar not null,
    code varchar not null,
    offer_id varchar not null,
    seq bigint not null,
    origin varchar not null,
    created_at timestamp not null,
    primary key (store_id, code)
  )`,
  `create index offer_codes_offer on offer_codes (store_id, offer_id, seq)`,
  `create table offer_assignments (
    store_id varchar not null,
    offer_id varchar not null,
    customer_id bigint not null,
    arm varchar not null,
    eligible_at timestamp not null,
    primary key (store_id, offer_id, customer_id)
  )`,
  `create table offer_issues (
    store_id varchar not null,
    idempotency_key varchar not null,
    offer_id varchar not null,
    customer_id bigint not null,
    outcome varchar not null,
    code varchar,
    expires_at timestamp,
    issued_at timestamp not null,
    primary key (store_id, idempotency_key)
  )`,
  `create index offer_issues_offer on offer_issues (store_id, offer_id)`,
  `create index offer_issues_customer on offer_issues (store_id, customer_id)`,
  `create index offer_issues_code on offer_issues (store_id, code)`,
  `create table offer_redemptions (
    store_id varchar not null,
    code varchar not null,
    order_id bigint not null,
    offer_id varchar not null,
    customer_id bigint not null,
    order_customer_id bigint,
    placed_at timestamp not null,
    created_at timestamp not null,
    primary key (store_id, code, order_id)
  )`,
  `create index offer_redemptions_offer on offer_redemptions (store_id, offer_id)`,
  `alter table campaigns add column offer_id varchar`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table campaigns drop column offer_id').execute(db);
  for (const table of ['offer_redemptions', 'offer_issues', 'offer_assignments', 'offer_codes', 'offers']) await sql.raw(`drop table ${table}`).execute(db);
}
