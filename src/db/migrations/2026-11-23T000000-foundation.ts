import { sql, type Kysely } from 'kysely';

/**
 * The foundation schema. Every domain row carries store_id. Money is integer minor units with a
 * currency code; times are UTC TIMESTAMPs. Large fact tables (orders, lines, events) carry no
 * unique indexes: DuckDB's index maintenance would dominate bulk loads, and uniqueness by
 * external id is kept by the single writer with set-based upserts instead.
 */
const statements = [
  `create sequence customers_id_seq start 1`,
  `create sequence products_id_seq start 1`,
  `create sequence variants_id_seq start 1`,
  `create sequence orders_id_seq start 1`,
  `create sequence returns_id_seq start 1`,
  `create sequence events_id_seq start 1`,
  `create sequence jobs_id_seq start 1`,

  `create table stores (
    id varchar primary key,
    slug varchar not null unique,
    name varchar not null,
    timezone varchar not null,
    currency varchar not null,
    shopify_secret varchar,
    inactivity_days integer,
    created_at timestamp not null
  )`,
  `create table users (
    id varchar primary key,
    email varchar not null unique,
    name varchar,
    password_hash varchar not null,
    must_change_password boolean not null default false,
    created_at timestamp not null
  )`,
  `create table memberships (
    store_id varchar not null,
    user_id varchar not null,
    role varchar not null,
    created_at timestamp not null,
    primary key (store_id, user_id)
  )`,
  `create table sessions (
    id varchar primary key,
    user_id varchar not null,
    csrf_token varchar not null,
    created_at timestamp not null,
    expires_at timestamp not null
  )`,
  `create table api_keys (
    id varchar primary key,
    store_id varchar not null,
    kind varchar not null,
    name varchar not null,
    prefix varchar not null,
    key_hash varchar not null unique,
    created_at timestamp not null,
    last_used_at timestamp,
    revoked_at timestamp
  )`,

  `create table customers (
    store_id varchar not null,
    id bigint not null,
    external_id varchar,
    email varchar,
    first_name varchar,
    last_name varchar,
    phone varchar,
    country varchar,
    city varchar,
    accepts_marketing boolean not null default false,
    tags varchar[] not null default [],
    attributes varchar not null default '{}',
    created_at timestamp not null,
    updated_at timestamp not null
  )`,
  `create table products (
    store_id varchar not null,
    id bigint not null,
    external_id varchar not null,
    title varchar not null,
    category varchar,
    price bigint,
    currency varchar,
    image_url varchar,
    created_at timestamp not null,
    updated_at timestamp not null
  )`,
  `create table variants (
    store_id varchar not null,
    id bigint not null,
    product_id bigint not null,
    external_id varchar not null,
    sku varchar,
    title varchar,
    price bigint,
    created_at timestamp not null
  )`,
  `create table orders (
    store_id varchar not null,
    id bigint not null,
    external_id varchar not null,
    customer_id bigint,
    placed_at timestamp not null,
    currency varchar not null,
    subtotal bigint not null,
    discount bigint not null default 0,
    shipping bigint not null default 0,
    tax bigint not null default 0,
    total bigint not null,
    discount_codes varchar[] not null default [],
    channel varchar,
    status varchar not null default 'paid',
    source varchar not null default 'api',
    created_at timestamp not null,
    updated_at timestamp not null
  )`,
  `create table order_lines (
    store_id varchar not null,
    order_id bigint not null,
    line_no integer not null,
    product_id bigint,
    variant_id bigint,
    sku varchar,
    title varchar,
    quantity integer not null,
    unit_price bigint not null,
    total bigint not null
  )`,
  `create table returns (
    store_id varchar not null,
    id bigint not null,
    external_id varchar not null,
    order_id bigint,
    customer_id bigint,
    returned_at timestamp not null,
    currency varchar not null,
    amount bigint not null,
    reason varchar,
    created_at timestamp not null
  )`,
  `create table return_lines (
    store_id varchar not null,
    return_id bigint not null,
    line_no integer not null,
    product_id bigint,
    sku varchar,
    quantity integer not null,
    amount bigint not null
  )`,
  `create table events (
    store_id varchar not null,
    id bigint not null,
    message_id varchar,
    type varchar not null,
    name varchar,
    customer_id bigint,
    anonymous_id varchar,
    session_id varchar,
    url varchar,
    properties varchar not null default '{}',
    source varchar not null default 'api',
    occurred_at timestamp not null,
    received_at timestamp not null
  )`,
  `create table identities (
    store_id varchar not null,
    anonymous_id varchar not null,
    customer_id bigint not null,
    created_at timestamp not null,
    primary key (store_id, anonymous_id)
  )`,
  `create table jobs (
    id bigint primary key,
    store_id varchar,
    kind varchar not null,
    payload varchar not null default '{}',
    state varchar not null,
    attempts integer not null default 0,
    max_attempts integer not null default 5,
    run_at timestamp not null,
    lease_until timestamp,
    progress double,
    result varchar,
    last_error varchar,
    dedupe_key varchar,
    created_at timestamp not null,
    updated_at timestamp not null,
    finished_at timestamp
  )`,
  `create table import_runs (
    id varchar primary key,
    store_id varchar not null,
    format varchar not null,
    file_name varchar not null,
    file_sha256 varchar not null,
    state varchar not null,
    rows_read bigint not null default 0,
    rows_rejected bigint not null default 0,
    summary varchar,
    started_at timestamp not null,
    finished_at timestamp
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const tables = ['import_runs', 'jobs', 'identities', 'events', 'return_lines', 'returns', 'order_lines', 'orders',
    'variants', 'products', 'customers', 'api_keys', 'sessions', 'memberships', 'users', 'stores'];
  for (const table of tables) await sql.raw(`drop table if exists ${table}`).execute(db);
  for (const seq of ['jobs', 'events', 'returns', 'orders', 'variants', 'products', 'customers']) {
    await sql.raw(`drop sequence if exists ${seq}_id_seq`).execute(db);
  }
}
