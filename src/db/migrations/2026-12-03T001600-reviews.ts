/**
 * Reviews (docs/listen.md, "Reviews"): the reviews from tracked `Product Reviewed` events, the
 * collection API, the hosted page and imports, keyed by their source's id so a replay adds
 * nothing; each store's moderation and request settings; the review requests after delivery and
 * the products each customer was asked about (the once-per-12-months rule).
 */
import { sql, type Kysely } from 'kysely';

const statements = [
  `create table reviews (
    store_id varchar not null,
    id varchar not null,
    external_id varchar not null,
    source varchar not null,
    product_external_id varchar not null,
    product_title varchar,
    customer_id bigint,
    order_external_id varchar,
    author_name varchar not null,
    author_email varchar,
    rating integer not null,
    title varchar,
    body varchar not null,
    status varchar not null,
    flags varchar not null,
    verified boolean not null,
    reply varchar,
    replied_at timestamp,
    reviewed_at timestamp not null,
    created_at timestamp not null,
    updated_at timestamp not null,
    primary key (store_id, id)
  )`,
  `create unique index reviews_external on reviews (store_id, external_id)`,
  `create index reviews_product on reviews (store_id, product_external_id, status)`,
  `create table review_settings (
    store_id varchar not null primary key,
    auto_publish_min_rating integer,
    delivery_delay_days integer not null,
    fulfilled_delay_days integer not null,
    max_requests_per_30_days integer not null,
    reminder_days integer not null,
    max_reminders integer not null,
    updated_at timestamp not null
  )`,
  `create table review_requests (
    store_id varchar not null,
    id varchar not null,
    customer_id bigint not null,
    order_external_id varchar not null,
    products varchar not null,
    status varchar not null,
    reason varchar,
    due_at timestamp not null,
    sent_at timestamp,
    opened_at timestamp,
    reviewed_at timestamp,
    reminders integer not null,
    created_at timestamp not null,
    updated_at timestamp not null,
    primary key (store_id, id)
  )`,
  `create unique index review_requests_order on review_requests (store_id, order_external_id)`,
  `create index review_requests_customer on review_requests (store_id, customer_id)`,
  `create table review_asked_products (
    store_id varchar not null,
    customer_id bigint not null,
    product_external_id varchar not null,
    request_id varchar not null,
    asked_at timestamp not null,
    primary key (store_id, customer_id, product_external_id, request_id)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['review_asked_products', 'review_requests', 'review_settings', 'reviews']) await sql.raw(`drop table ${table}`).execute(db);
}
