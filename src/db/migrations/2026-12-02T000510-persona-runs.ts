import { sql, type Kysely } from 'kysely';

/**
 * A persona run keeps how k was chosen (the mean silhouette of every k tried and the reason in
 * words) so the dashboard, API and CLI can show it after the run; each persona gains the needs and
 * motivators derived from its traits (JSON lists).
 */
const statements = [
  `create table persona_runs (
    store_id varchar not null,
    id varchar primary key,
    k integer not null,
    reason varchar not null,
    silhouettes varchar not null,
    buyers bigint not null,
    created_at timestamp not null
  )`,
  `alter table personas add column needs varchar default '[]'`,
  `alter table personas add column motivators varchar default '[]'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('alter table personas drop column motivators').execute(db);
  await sql.raw('alter table personas drop column needs').execute(db);
  await sql.raw('drop table if exists persona_runs').execute(db);
}
