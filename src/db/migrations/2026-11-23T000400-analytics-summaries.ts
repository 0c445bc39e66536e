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
    is_last boolean not null,
    orders integer not null,
    revenue bigint not null,
    channel varchar,
    country varchar,
    first_product_id bigint,
    first_category varchar,
    first_discount boolean not null
  )`,
  // Additive day-level aggregates of order_facts and customer_summary, so unfiltered range KPIs
  // read thousands of rows instead of millions. Incremental updates append signed deltas (queries
  // sum them); the rebuild and a periodic compaction collapse them to one row per key.
  `create table daily_totals (
    store_id varchar not null,
    day date not null,
    orders bigint not null,
    guest_orders bigint not null,
    customer_orders bigint not null,
    revenue bigint not null,
    customer_revenue bigint not null,
    gross bigint not null,
    returned_on_orders bigint not null,
    unattached_returns bigint not null,
    orders_with_returns bigint not null,
    new_customers bigint not null
  )`,
  // Customers' orders by (day, day of the same customer's next order): counts customers of any
  // range without DISTINCT, retention, churn and the gaps between orders.
  `create table daily_next (
    store_id varchar not null,
    day date not null,
    next_day date,
    orders bigint not null,
    repeat_orders bigint not null
  )`,
  `create table daily_new (
    store_id varchar not null,
    first_day date not null,
    days_to_second integer,
    first_order_returned boolean not null,
    customers bigint not null
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
    daily_rows_compacted bigint not null,
    refreshed_at timestamp not null
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['analytics_state', 'daily_new', 'daily_next', 'daily_totals', 'customer_periods', 'customer_summary', 'order_facts']) {
    await sql.raw(`drop table if exists ${table}`).execute(db);
  }
}
