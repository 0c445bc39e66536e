import { sql, type Kysely } from 'kysely';

/**
 * Measurement: one experiment record per campaign, A/B test, flow, flow split step, offer and
 * global-holdout period, and each customer's arm in it, recorded once at their first eligibility
 * (the primary key keeps the first). The store's global holdout (share and since when) is a sending
 * setting: the send-time checks read it with the rest of `message_settings`.
 */
const statements = [
  `create table experiments (
    store_id varchar not null,
    id varchar not null,
    kind varchar not null,
    source_id varchar not null,
    name varchar not null,
    arms varchar not null,
    control_arm varchar not null,
    holdout_share double not null,
    seed varchar not null,
    started_at timestamp not null,
    ended_at timestamp,
    created_at timestamp not null,
    primary key (store_id, id),
    unique (store_id, kind, source_id)
  )`,
  `create table experiment_assignments (
    store_id varchar not null,
    experiment_id varchar not null,
    customer_id bigint not null,
    arm varchar not null,
    eligible_at timestamp not null,
    primary key (store_id, experiment_id, customer_id)
  )`,
  `alter table message_settings add column global_holdout_share double`,
  `alter table message_settings add column global_holdout_since timestamp`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table message_settings drop column global_holdout_since').execute(db);
  await sql.raw('alter table message_settings drop column global_holdout_share').execute(db);
  for (const table of ['experiment_assignments', 'experiments']) await sql.raw(`drop table ${table}`).execute(db);
}
