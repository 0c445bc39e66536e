import { sql, type Kysely } from 'kysely';

/**
 * Summary tables behind the retention analytics. They are derived data: `refreshSummaries`
 * rebuilds them from orders and returns, and `onOrdersWritten` recomputes the rows of the
 * customers a write touched. Like the fact tables they carry no unique indexes (DuckDB's index
 * maintenance would dominate the set-based rebuild); the rebuild keeps one row per key.
 */
const statements = [
  // One row per order (and per return not attached to an order), with the customer's order
  // sequence and the neighbouring order days, so range KPIs count customers without DISTINCT.
  `create table order_facts (
    store_id varchar not null,
    order_id bigint,
    customer_id bigint,
    is_order boolean not null,
    day date not null,
    channel varchar,
    discounted boolean not null,
    gross bigint not null,
    returned bigint not null,
    revenue bigint not null,
    seq integer,
    first_day date,
    prev_day date,
    next_day date
  )`,
  `create table customer_summary (
    store_id varchar not null,
    customer_id bigint not null,
    first_day date not null,
    second_day date,
    last_day date not null,
    orders integer not null,
    gross bigint not null,
    returned bigint not null,
    revenue bigint not null,
    revenue_12m bigint not null,
    first_order_returned boolean not null,
    first_product_id bigint,
    first_category varchar,
    second_product_id bigint,
    channel varchar,
    first_discount boolean not null,
    country varchar
  )`,
  // One row per customer and period (week, month, quarter) with an order, with the customer's
  // cohort attributes copied in so cohort matrices are one scan.
  `create table customer_periods (
    store_id varchar not null,
    kind varchar not null,
    customer_id bigint not null,
    cohort_start date not null,
    period_start date not null,
    period_offset integer not null,
    next_period_start date,
    orders integer not null,
    revenue bigint not null,
    channel varchar,
    country varchar,
    first_product_id bigint,
    first_category varchar,
    first_discount boolean not null
  )`,
  `create table analytics_state (
    store_id varchar primary key,
    orders_count bigint not null,
    orders_updated_max timestamp,
    returns_count bigint not null,
    returns_created_max timestamp,
    timezone varchar not null,
    last_day date,
    derived_inactivity_days integer,
    refreshed_at timestamp not null
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['analytics_state', 'customer_periods', 'customer_summary', 'order_facts']) {
    await sql.raw(`drop table if exists ${table}`).execute(db);
  }
}
