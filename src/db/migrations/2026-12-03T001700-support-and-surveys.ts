import { sql, type Kysely } from 'kysely';

/**
 * Customer service and surveys (docs/listen.md).
 * - `support_tickets`: one row per conversation, keyed by its source and the source's ticket id
 *   (a helpdesk's id, the API's external id, the contact form's key), so a replayed webhook or a
 *   retried request changes nothing; a later state of the same ticket updates it in place (a
 *   small maintained table).
 * - `support_requesters`: who a helpdesk's requester id is (Zendesk sends user events with the
 *   email and external id, ticket events with the requester id only).
 * - `support_settings`: the store's helpdesk signing secret, topic keyword rules and escalation threshold.
 * - `order_status_views`: the signed order-status page shown, one row per order and day.
 * - `survey_answers`: NPS and CSAT answers, one per survey link (its key).
 */
const statements = [
  `create table support_tickets (
    store_id varchar not null,
    id varchar not null,
    source varchar not null,
    source_ticket_id varchar not null,
    customer_id bigint,
    requester_ref varchar,
    requester_email varchar,
    status varchar not null,
    channel varchar not null,
    topic varchar,
    subject varchar,
    body varchar,
    order_id bigint,
    opened_at timestamp not null,
    first_response_at timestamp,
    resolved_at timestamp,
    satisfaction_score integer,
    satisfied boolean,
    escalated varchar,
    source_updated_at timestamp,
    created_at timestamp not null,
    updated_at timestamp not null,
    primary key (store_id, source, source_ticket_id)
  )`,
  `create index support_tickets_id on support_tickets (store_id, id)`,
  `create index support_tickets_customer on support_tickets (store_id, customer_id)`,
  `create table support_requesters (
    store_id varchar not null,
    source varchar not null,
    requester_ref varchar not null,
    email varchar,
    external_id varchar,
    updated_at timestamp not null,
    primary key (store_id, source, requester_ref)
  )`,
  `create table support_settings (
    store_id varchar not null primary key,
    zendesk_signing_secret varchar,
    topic_rules varchar,
    high_value_clv bigint,
    updated_at timestamp not null
  )`,
  `create table order_status_views (
    store_id varchar not null,
    order_id bigint not null,
    day date not null,
    customer_id bigint,
    viewed_at timestamp not null,
    primary key (store_id, order_id, day)
  )`,
  `create table survey_answers (
    store_id varchar not null,
    id varchar not null,
    link_key varchar not null,
    kind varchar not null,
    customer_id bigint not null,
    score integer not null,
    comment varchar,
    follow_up varchar,
    sentiment double,
    answered_at timestamp not null,
    updated_at timestamp not null,
    primary key (store_id, link_key)
  )`,
  `create index survey_answers_customer on survey_answers (store_id, customer_id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['survey_answers', 'order_status_views', 'support_settings', 'support_requesters', 'support_tickets']) await sql.raw(`drop table ${table}`).execute(db);
}
