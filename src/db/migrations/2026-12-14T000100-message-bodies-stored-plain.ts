import { sql, type Kysely } from 'kysely';

/**
 * The deflated bodies in `message_bodies` are stored as they are (`USING COMPRESSION
 * uncompressed`): deflated bytes do not compress further, yet at each checkpoint DuckDB tried
 * every method on the row group it rewrites. A checkpoint of the last row group of bodies (up to
 * 122,880 of about 4 KB) is the peak of a large campaign's memory; skipping the analysis lowers
 * that peak by about a quarter and the checkpoint's time by about 40 % (20,000 bodies at a time,
 * measured). DuckDB sets a column's compression only when the table is made, so the table is
 * made again, its rows in the order they were written.
 */
async function remake(db: Kysely<unknown>, storage: string): Promise<void> {
  await sql.raw(`create table message_bodies_remade (
    store_id varchar not null,
    send_id bigint not null,
    html blob not null${storage},
    text blob not null${storage}
  )`).execute(db);
  await sql`insert into message_bodies_remade select store_id, send_id, html, text from message_bodies order by rowid`.execute(db);
  await sql`drop table message_bodies`.execute(db);
  await sql`alter table message_bodies_remade rename to message_bodies`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await remake(db, ' using compression uncompressed');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await remake(db, '');
}
