import { sql, type Kysely } from 'kysely';

/**
 * Each experiment's outcome sums, kept so that reading a result adds up a few kept groups instead of
 * joining every assignment to every order (docs/measurement.md, "How results are kept").
 * - `experiment_outcome_sums`: per arm and eligibility time, the number of people and the sums the
 *   statistics need — of the covariates (x0, x1 and their products), then per window (7, 30, 90
 *   days) and metric (0 … 4: conversion, orders, net revenue, retention, unsubscribes) Σy, Σy²,
 *   Σy³, Σy⁴, Σx0·y and Σx1·y. Replaced whole for an experiment when its inputs changed.
 * - `experiment_outcome_states`: what the sums were made from (a fingerprint of the assignments,
 *   orders, returns and consent changes) and when.
 */
const windows = [7, 30, 90];
const metrics = [0, 1, 2, 3, 4];
const sumColumns = [
  'x0', 'x1', 'x00', 'x01', 'x11',
  ...windows.flatMap((d) => metrics.flatMap((i) => ['y', 'yy', 'yyy', 'yyyy', 'x0y', 'x1y'].map((s) => `${s}${i}_${d}`))),
];

const statements = [
  `create table experiment_outcome_sums (
    store_id varchar not null,
    experiment_id varchar not null,
    arm varchar not null,
    eligible_at timestamp not null,
    people bigint not null,
    ${sumColumns.map((c) => `${c} double not null`).join(',\n    ')}
  )`,
  `create table experiment_outcome_states (
    store_id varchar not null,
    experiment_id varchar not null,
    fingerprint varchar not null,
    computed_at timestamp not null,
    primary key (store_id, experiment_id)
  )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['experiment_outcome_states', 'experiment_outcome_sums']) await sql.raw(`drop table ${table}`).execute(db);
}
