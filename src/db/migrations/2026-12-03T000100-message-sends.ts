import { sql, type Kysely } from 'kysely';

/**
 * Sending messages (docs/messaging.md):
 * - `message_sends`: one row per message, written once when it is queued (recipient, purpose, the
 *   rendered content, the unique send key). Never updated.
 * - `message_send_states`: the append-only state log of each message (queued, sending, sent,
 *   failed, suppressed, uncertain); a message's state is its latest row.
 * - `message_suppressions`: addresses the store never mails (unsubscribed, bounced, complained,
 *   invalid, manual; a pause until a day).
 * - `message_settings`: the store's sender, its own SMTP server, DKIM key, caps and policy.
 * - `message_source_pauses`: when a batch source (a campaign) was paused, and why.
 * - `caught_messages`: what the built-in SMTP catcher received when no SMTP server is configured.
 */
const statements = [
  `create sequence message_sends_id_seq start 1`,
  `create table message_sends (
    store_id varchar not null,
    id bigint not null,
    send_key varchar not null,
    channel varchar not null,
    purpose varchar not null,
    source varchar,
    customer_id bigint,
    to_address varchar not null,
    from_address varchar not null,
    subject varchar not null,
    preheader varchar not null,
    html varchar not null,
    text varchar not null,
    headers varchar not null,
    template_id varchar,
    template_version integer,
    created_at timestamp not null,
    primary key (store_id, id),
    unique (store_id, send_key)
  )`,
  `create sequence message_send_states_seq start 1`,
  `create table message_send_states (
    seq bigint not null,
    store_id varchar not null,
    send_id bigint not null,
    state varchar not null,
    reason varchar,
    detail varchar,
    provider_message_id varchar,
    attempt integer not null,
    changed_at timestamp not null
  )`,
  `create table message_suppressions (
    store_id varchar not null,
    address varchar not null,
    reason varchar not null,
    source varchar not null,
    note varchar,
    expires_at timestamp,
    created_at timestamp not null,
    primary key (store_id, address)
  )`,
  `create table message_settings (
    store_id varchar primary key,
    from_address varchar,
    from_name varchar,
    reply_to varchar,
    smtp_url varchar,
    dkim_domain varchar,
    dkim_selector varchar,
    dkim_private_key varchar,
    rate_per_second integer,
    frequency_cap_hours integer,
    transactional_policy varchar,
    pause_after_errors integer,
    sendgrid_verification_key varchar,
    mailgun_signing_key varchar,
    signing_key varchar not null,
    updated_at timestamp not null
  )`,
  `create table message_source_pauses (
    store_id varchar not null,
    source varchar not null,
    action varchar not null,
    reason varchar,
    changed_at timestamp not null
  )`,
  `create sequence caught_messages_id_seq start 1`,
  `create table caught_messages (
    id bigint not null primary key,
    store_id varchar,
    send_id bigint,
    envelope_from varchar,
    envelope_to varchar not null,
    raw varchar not null,
    received_at timestamp not null
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['caught_messages', 'message_source_pauses', 'message_settings', 'message_suppressions', 'message_send_states', 'message_sends']) {
    await sql.raw(`drop table ${table}`).execute(db);
  }
  for (const sequence of ['caught_messages_id_seq', 'message_send_states_seq', 'message_sends_id_seq']) await sql.raw(`drop sequence ${sequence}`).execute(db);
}
