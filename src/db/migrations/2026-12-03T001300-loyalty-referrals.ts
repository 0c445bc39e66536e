import { sql, type Kysely } from 'kysely';

/**
 * Referrals and imported loyalty data (docs/loyalty.md, "Referrals", "Imports"). Append-only like
 * the ledger: a referral's state is its latest step, never an update.
 * - `loyalty_referral_codes`: each customer's referral codes — the one Hearth made, and those
 *   imported from Smile.io or LoyaltyLion so old links keep working.
 * - `loyalty_referral_facts`: what the store told about a referrer (normalised shipping address,
 *   payment fingerprint) for the self-referral checks.
 * - `loyalty_referrals`: one row per referral, from the click (or the sign-up without a click).
 * - `loyalty_referral_steps`: its steps (clicked, signed_up, ordered, rejected) with the friend's
 *   normalised details, the friend's offer and the reason of a rejection.
 * - `loyalty_referral_requests`: the first answer to each idempotency key of a referral call.
 */
const statements = [
  `create table loyalty_referral_codes (
    store_id varchar not null,
    code varchar not null,
    customer_id bigint not null,
    origin varchar not null,
    created_at timestamp not null,
    primary key (store_id, code)
  )`,
  `create index loyalty_referral_codes_customer on loyalty_referral_codes (store_id, customer_id)`,
  `create table loyalty_referral_facts (
    store_id varchar not null,
    customer_id bigint not null,
    kind varchar not null,
    value varchar not null,
    created_at timestamp not null,
    primary key (store_id, customer_id, kind, value)
  )`,
  `create table loyalty_referrals (
    store_id varchar not null,
    id varchar not null,
    code varchar not null,
    referrer_id bigint not null,
    anonymous_id varchar,
    clicked_at timestamp not null,
    created_at timestamp not null,
    primary key (store_id, id)
  )`,
  `create index loyalty_referrals_referrer on loyalty_referrals (store_id, referrer_id)`,
  `create table loyalty_referral_steps (
    store_id varchar not null,
    referral_id varchar not null,
    seq integer not null,
    state varchar not null,
    reason varchar,
    detail varchar,
    friend_email varchar,
    friend_customer_id bigint,
    friend_anonymous_id varchar,
    friend_address varchar,
    friend_payment varchar,
    offer varchar,
    order_id bigint,
    occurred_at timestamp not null,
    primary key (store_id, referral_id, seq)
  )`,
  `create table loyalty_referral_requests (
    store_id varchar not null,
    idempotency_key varchar not null,
    operation varchar not null,
    request_hash varchar not null,
    response varchar not null,
    created_at timestamp not null,
    primary key (store_id, idempotency_key)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['loyalty_referral_requests', 'loyalty_referral_steps', 'loyalty_referrals', 'loyalty_referral_facts', 'loyalty_referral_codes']) {
    await sql.raw(`drop table ${table}`).execute(db);
  }
}
