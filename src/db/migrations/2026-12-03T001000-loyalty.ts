import { sql, type Kysely } from 'kysely';

/**
 * The loyalty programme (docs/loyalty.md). Every table is append-only: a balance, a state or a
 * tier is derived from the rows, never updated in place.
 * - `loyalty_settings`: the programme's rules, one row per saved version.
 * - `loyalty_entries`: the points ledger — one row per movement (earn, redeem, expire, adjust,
 *   reverse), with an idempotency key unique per store.
 * - `loyalty_allocations`: which awards a drawing row (a redemption, an expiry, a claw-back, a
 *   deduction) took its points from; a cancelled reward's points go back with negative rows.
 * - `loyalty_releases`: when an order's award, pending until delivery, becomes available.
 * - `loyalty_redemptions`: each reward redeemed, with its code and the first answer given.
 * - `loyalty_tier_changes`: each customer's tier history; the current tier is the latest row.
 * - `loyalty_reminders`: the "points expiring" notices already announced.
 */
const statements = [
  `create table loyalty_settings (
    store_id varchar not null,
    version integer not null,
    settings varchar not null,
    created_by varchar,
    created_at timestamp not null,
    primary key (store_id, version)
  )`,
  `create sequence loyalty_entries_id_seq start 1`,
  `create table loyalty_entries (
    store_id varchar not null,
    id bigint not null,
    customer_id bigint not null,
    kind varchar not null,
    points bigint not null,
    state varchar not null,
    available_at timestamp,
    expires_at timestamp,
    source varchar not null,
    order_id bigint,
    redemption_id varchar,
    reason varchar,
    actor varchar,
    idempotency_key varchar not null,
    created_at timestamp not null,
    primary key (store_id, id),
    unique (store_id, idempotency_key)
  )`,
  `create index loyalty_entries_customer on loyalty_entries (store_id, customer_id)`,
  `create table loyalty_allocations (
    store_id varchar not null,
    customer_id bigint not null,
    entry_id bigint not null,
    award_id bigint not null,
    points bigint not null,
    created_at timestamp not null
  )`,
  `create index loyalty_allocations_customer on loyalty_allocations (store_id, customer_id)`,
  `create table loyalty_releases (
    store_id varchar not null,
    award_id bigint not null,
    customer_id bigint not null,
    available_at timestamp not null,
    created_at timestamp not null,
    primary key (store_id, award_id)
  )`,
  `create table loyalty_redemptions (
    store_id varchar not null,
    id varchar not null,
    customer_id bigint not null,
    idempotency_key varchar not null,
    reward_id varchar not null,
    reward varchar not null,
    points bigint not null,
    code varchar not null,
    entry_id bigint not null,
    response varchar not null,
    created_at timestamp not null,
    primary key (store_id, id),
    unique (store_id, idempotency_key),
    unique (store_id, code)
  )`,
  `create table loyalty_tier_changes (
    store_id varchar not null,
    customer_id bigint not null,
    tier varchar,
    previous_tier varchar,
    figure bigint not null,
    reason varchar not null,
    changed_at timestamp not null
  )`,
  `create index loyalty_tier_changes_customer on loyalty_tier_changes (store_id, customer_id)`,
  `create table loyalty_reminders (
    store_id varchar not null,
    customer_id bigint not null,
    expires_on date not null,
    lead_days integer not null,
    points bigint not null,
    created_at timestamp not null,
    primary key (store_id, customer_id, expires_on, lead_days)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['loyalty_reminders', 'loyalty_tier_changes', 'loyalty_redemptions', 'loyalty_releases', 'loyalty_allocations', 'loyalty_entries', 'loyalty_settings']) {
    await sql.raw(`drop table ${table}`).execute(db);
  }
  await sql.raw('drop sequence loyalty_entries_id_seq').execute(db);
}
