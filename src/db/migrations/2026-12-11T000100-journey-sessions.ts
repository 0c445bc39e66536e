import { sql, type Kysely } from 'kysely';

/**
 * `journey_sessions` (src/modules/analytics/journey.table.ts): one row per session of the journey
 * rows, kept with them — its customer, start, whether it has an order, its last page and its
 * distinct pages, and the starts of its customer's next five sessions — so the exit pages and the
 * pages seen before a lapse read sessions instead of grouping and ranking millions of events. The
 * journey rows are built whole again at the next report, so it fills.
 */
const statements = [
  `create table journey_sessions (
    store_id varchar not null,
    session ubigint not null,
    customer_id bigint,
    started timestamp not null,
    bought boolean not null,
    exit_label integer,
    pages integer[] not null,
    next_starts timestamp[]
  )`,
  `delete from journey_state`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table journey_sessions').execute(db);
}
