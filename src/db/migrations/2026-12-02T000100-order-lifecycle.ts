import { sql, type Kysely } from 'kysely';

/**
 * The order lifecycle Hearth acts on: fulfilments (shipped, delivered, carrier and tracking) and
 * checkouts (carts a customer started, with their items and recovery URL). Both are matched by the
 * store's external ids. A fulfilment keeps its order's external id, so one that arrives before its
 * order is attached when the order does; `checkout_orders` remembers which checkout or cart ids an
 * order named, so a checkout that arrives after its order is stored as completed.
 */
const statements = [
  `create sequence fulfillments_id_seq start 1`,
  `create sequence checkouts_id_seq start 1`,
  `create table fulfillments (
    store_id varchar not null,
    id bigint not null,
    external_id varchar not null,
    order_id bigint,
    order_external_id varchar not null,
    status varchar not null,
    shipment_status varchar,
    carrier varchar,
    tracking_number varchar,
    tracking_url varchar,
    shipped_at timestamp,
    delivered_at timestamp,
    lines varchar not null default '[]',
    source_updated_at timestamp,
    created_at timestamp not null,
    updated_at timestamp not null
  )`,
  `create table checkouts (
    store_id varchar not null,
    id bigint not null,
    external_id varchar not null,
    cart_id varchar,
    customer_id bigint,
    anonymous_id varchar,
    email varchar,
    currency varchar,
    value bigint,
    items varchar not null default '[]',
    recovery_url varchar,
    source varchar not null,
    started_at timestamp not null,
    updated_at timestamp not null,
    completed_at timestamp,
    order_id bigint,
    deleted_at timestamp,
    created_at timestamp not null
  )`,
  `create table checkout_orders (
    store_id varchar not null,
    ref varchar not null,
    order_id bigint not null,
    placed_at timestamp not null
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of ['drop table checkout_orders', 'drop table checkouts', 'drop table fulfillments',
    'drop sequence checkouts_id_seq', 'drop sequence fulfillments_id_seq']) {
    await sql.raw(statement).execute(db);
  }
}
