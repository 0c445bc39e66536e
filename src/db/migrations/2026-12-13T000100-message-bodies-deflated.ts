import { sql, type Kysely } from 'kysely';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * The rendered bodies in `message_bodies` are kept deflated (raw DEFLATE, RFC 1951, level 1) in
 * BLOB columns. DuckDB stored each body of 20–30 KB uncompressed (533 MiB for 20,000 win-back
 * emails), and moved all of it through its WAL, buffer pool and checkpoints; deflated, a body is
 * about 4 KB. DuckDB has no DEFLATE function, so the rows are rewritten here, a page of rows at a
 * time, in the order they were written.
 */
const PAGE = 1000;

type Convert = (value: Uint8Array | string) => Uint8Array | string;

async function rewrite(db: Kysely<unknown>, type: 'blob' | 'varchar', convert: Convert): Promise<void> {
  await sql.raw(`create table message_bodies_rewritten (
    store_id varchar not null,
    send_id bigint not null,
    html ${type} not null,
    text ${type} not null
  )`).execute(db);
  const { rows: [last] } = await sql<{ n: number | bigint | null }>`select max(rowid) as n from message_bodies`.execute(db);
  const end = Number(last?.n ?? -1);
  for (let start = 0; start <= end; start += PAGE) {
    const { rows } = await sql<{ store_id: string; send_id: number; html: Uint8Array | string; text: Uint8Array | string }>`
      select store_id, send_id, html, text from message_bodies where rowid >= ${start} and rowid < ${start + PAGE} order by rowid`.execute(db);
    if (rows.length === 0) continue;
    await sql`insert into message_bodies_rewritten select unnest(${rows.map((r) => r.store_id)}::varchar[]), unnest(${rows.map((r) => r.send_id)}::bigint[]),
      unnest(${rows.map((r) => convert(r.html))}::${sql.raw(type)}[]), unnest(${rows.map((r) => convert(r.text))}::${sql.raw(type)}[])`.execute(db);
  }
  await sql`drop table message_bodies`.execute(db);
  await sql`alter table message_bodies_rewritten rename to message_bodies`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await rewrite(db, 'blob', (body) => deflateRawSync(body, { level: constants.Z_BEST_SPEED }));
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await rewrite(db, 'varchar', (body) => inflateRawSync(body).toString('utf8'));
}
