import { sql, type Kysely } from 'kysely';

/**
 * Campaigns: a message to an audience (segments minus exclusions, consent applied) with a random
 * holdout that receives nothing. When a campaign starts, its audience is frozen in
 * `campaign_recipients`, one row per person with the group the hash gave them, so results always
 * compare the same people.
 */
const statements = [
  `create table campaigns (
    store_id varchar not null,
    id varchar not null,
    name varchar not null,
    channel varchar not null,
    template_id varchar,
    segment_ids varchar not null,
    exclude_segment_ids varchar not null,
    holdout_share double not null,
    ab_test varchar,
    attribution_days integer not null,
    status varchar not null,
    send_at timestamp,
    started_at timestamp,
    finished_at timestamp,
    paused_reason varchar,
    winner_variant integer,
    winner_reason varchar,
    created_at timestamp not null,
    updated_at timestamp not null,
    primary key (store_id, id)
  )`,
  `create table campaign_recipients (
    store_id varchar not null,
    campaign_id varchar not null,
    customer_id bigint not null,
    group_kind varchar not null,
    variant integer,
    assigned_at timestamp not null,
    primary key (store_id, campaign_id, customer_id)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table campaign_recipients').execute(db);
  await sql.raw('drop table campaigns').execute(db);
}
