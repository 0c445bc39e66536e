import { sql, type Kysely } from 'kysely';

/**
 * Customer-base model fits with their backtests, and the per-customer predictions of the latest
 * fit (one row per customer, replaced at each refit; segments join on it).
 */
const statements = [
  `create table prediction_fits (
    store_id varchar not null,
    id varchar not null,
    status varchar not null,
    model varchar,
    time_unit varchar not null,
    as_of date not null,
    params varchar,
    spend_params varchar,
    log_likelihood double,
    customers bigint not null,
    converged boolean not null,
    report varchar not null,
    created_at timestamp not null,
    primary key (store_id, id)
  )`,
  `create table prediction_backtests (
    store_id varchar not null,
    id varchar not null,
    fit_id varchar,
    calibration_end date not null,
    holdout_end date not null,
    time_unit varchar not null,
    model varchar,
    report varchar not null,
    created_at timestamp not null,
    primary key (store_id, id)
  )`,
  `create table customer_predictions (
    store_id varchar not null,
    customer_id bigint not null,
    fit_id varchar not null,
    p_alive double not null,
    expected_orders_30d double not null,
    expected_orders_90d double not null,
    expected_orders_365d double not null,
    p_order_30d double not null,
    p_order_90d double not null,
    p_order_365d double not null,
    expected_order_value bigint,
    clv_12m bigint,
    next_order_on date,
    churn_risk varchar not null,
    scored_at timestamp not null
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['customer_predictions', 'prediction_backtests', 'prediction_fits']) await sql.raw(`drop table if exists ${table}`).execute(db);
}
