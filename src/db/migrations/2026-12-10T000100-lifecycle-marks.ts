import { sql, type Kysely } from 'kysely';

/**
 * What the lifecycle report reads instead of every customer's orders month by month
 * (src/modules/analytics/lifecycle.marks.ts):
 * - `lifecycle_marks`: signed day-level changes of how many customers stand in each pair of
 *   (stage at the end of the month before, stage on the day), and each day's order revenue by its
 *   pair, for the stages told from orders. Kept with the summaries; `lifecycle_state` records the
 *   inactivity threshold they were computed with.
 * - `journey_customers`: the first time each customer was seen in the store's events, kept with
 *   the journey rows, for the prospect stage. The journey rows are built whole again at the next
 *   report, so this table fills.
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
  `delete from journey_state`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['journey_customers', 'lifecycle_state', 'lifecycle_reactivations', 'lifecycle_marks']) await sql.raw(`drop table ${table}`).execute(db);
}
