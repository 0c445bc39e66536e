import { sql, type Kysely } from 'kysely';

/**
 * What the lifecycle and exits reports read instead of every customer's orders month by month, and
 * of every delivery and review event:
 * - `lifecycle_marks` (src/modules/analytics/lifecycle.marks.ts): signed day-level changes of how
 *   many customers stand in each pair of (stage at the end of the month before, stage on the day),
 *   and each day's order revenue by its pair, for the stages told from orders. Kept with the summaries; `lifecycle_state` records the
 *   inactivity threshold they were computed with.
 * - `journey_customers`: the first time each customer was seen in the store's events, kept with
 *   the journey rows, for the prospect stage; and the journey rows keep a review event's rating.
 *   The journey rows are built whole again at the next report, so both fill.
 * - `delivery_facts` (src/modules/analytics/delivery.table.ts): each delivered fulfilment of a
 *   customer's order with the days from order to delivery; `delivery_state` records what of the
 *   fulfilments and orders they reflect, and the store's 90th percentile of those days.
 * - `customer_summary.last_at`: the time of the customer's last order.
 */
const statements = [
  `create table lifecycle_marks (
    store_id varchar not null,
    day date not null,
    previous varchar,
    stage varchar not null,
    customers bigint not null,
    revenue bigint not null
  )`,
  `create table lifecycle_reactivations (
    store_id varchar not null,
    order_id bigint not null,
    customer_id bigint not null,
    day date not null,
    placed_at timestamp not null,
    total bigint not null,
    discount_codes varchar[]
  )`,
  `create table lifecycle_state (
    store_id varchar primary key,
    inactivity_days integer not null
  )`,
  `create table journey_customers (
    store_id varchar not null,
    customer_id bigint not null,
    first_at timestamp not null
  )`,
  `create table delivery_facts (
    store_id varchar not null,
    fulfillment_id bigint not null,
    order_id bigint not null,
    customer_id bigint not null,
    delivered_at timestamp not null,
    days double not null
  )`,
  `create table delivery_state (
    store_id varchar primary key,
    fulfillments bigint not null,
    fulfillments_updated_at timestamp,
    orders bigint not null,
    orders_updated_at timestamp,
    p90_days double,
    refreshed_at timestamp not null
  )`,
  // The last order's time, for the customers whose last order falls in a range; the summaries are
  // built again at the next report.
  `alter table customer_summary add column last_at timestamp`,
  `delete from analytics_state`,
  // The rating of a review event, for the touchpoints before a lapse (a 1–2 star review).
  `alter table journey_events add column rating double`,
  `delete from journey_state`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['delivery_state', 'delivery_facts', 'journey_customers', 'lifecycle_state', 'lifecycle_reactivations', 'lifecycle_marks']) await sql.raw(`drop table ${table}`).execute(db);
  await sql.raw('alter table journey_events drop column rating').execute(db);
  await sql.raw('alter table customer_summary drop column last_at').execute(db);
}
