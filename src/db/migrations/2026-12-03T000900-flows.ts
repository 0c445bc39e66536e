import { sql, type Kysely } from 'kysely';

/**
 * Automated flows. A flow keeps its editable draft; publishing appends a version, and runs keep
 * the version they started on. A run is one customer's way through one version: its current step
 * and due time are the small state the engine updates; what happened at each step is appended to
 * `flow_run_steps`. The enrolment key (flow + customer + triggering event) is unique, so an event
 * delivered twice enrols once.
 */
const statements = [
  `create table flows (
    store_id varchar not null,
    id varchar not null,
    name varchar not null,
    status varchar not null,
    draft varchar not null,
    live_version integer,
    created_at timestamp not null,
    updated_at timestamp not null,
    primary key (store_id, id)
  )`,
  `create table flow_versions (
    store_id varchar not null,
    flow_id varchar not null,
    version integer not null,
    document varchar not null,
    published_at timestamp not null,
    primary key (store_id, flow_id, version)
  )`,
  `create sequence flow_runs_id_seq start 1`,
  `create table flow_runs (
    store_id varchar not null,
    id bigint not null,
    flow_id varchar not null,
    version integer not null,
    customer_id bigint not null,
    enrolment_key varchar not null,
    trigger_kind varchar not null,
    trigger_event_id bigint,
    trigger_entity_id bigint,
    holdout boolean not null,
    entered_at timestamp not null,
    status varchar not null,
    step_id varchar,
    step_since timestamp,
    due_at timestamp,
    exit_reason varchar,
    finished_at timestamp,
    updated_at timestamp not null,
    primary key (store_id, id),
    unique (store_id, enrolment_key)
  )`,
  `create sequence flow_run_steps_seq start 1`,
  `create table flow_run_steps (
    seq bigint not null,
    store_id varchar not null,
    run_id bigint not null,
    step_id varchar,
    outcome varchar not null,
    detail varchar,
    recorded_at timestamp not null
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['flow_run_steps', 'flow_runs', 'flow_versions', 'flows']) await sql.raw(`drop table ${table}`).execute(db);
  for (const sequence of ['flow_run_steps_seq', 'flow_runs_id_seq']) await sql.raw(`drop sequence ${sequence}`).execute(db);
}
