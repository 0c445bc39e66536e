import { sql, type Kysely } from 'kysely';

/**
 * The browsing the journey reports read, kept ready (src/modules/analytics/journey.table.ts):
 * page and track events with their customer resolved through identity links, split into sessions,
 * their device told from the context, and each distinct page or event name as a small integer
 * label (`journey_labels`, with its URL path and page group), and the label and time of the event
 * before it in its session. `journey_state` records what of the
 * events and identity links the rows reflect, so a report brings them up to date first.
 */
const statements = [
  `create table journey_labels (
    store_id varchar not null,
    label integer not null,
    type varchar not null,
    name varchar,
    path varchar,
    page_group varchar,
    primary key (store_id, label)
  )`,
  `create table journey_events (
    store_id varchar not null,
    session ubigint not null,
    visitor ubigint not null,
    customer_id bigint,
    session_customer bigint,
    id bigint not null,
    ts timestamp not null,
    label integer not null,
    device varchar not null,
    prev_label integer,
    prev_ts timestamp
  )`,
  `create table journey_state (
    store_id varchar primary key,
    events bigint not null,
    received_at timestamp,
    identities bigint not null,
    linked_at timestamp,
    refreshed_at timestamp not null
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['journey_state', 'journey_events', 'journey_labels']) await sql.raw(`drop table ${table}`).execute(db);
}
