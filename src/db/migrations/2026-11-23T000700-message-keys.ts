import { sql, type Kysely } from 'kysely';

/**
 * The messageId dedupe window without a primary-key index: DuckDB rewrites a table's whole ART
 * index at every checkpoint (seconds for a few million keys, every few seconds under load), so
 * the writer now keeps the window's 53-bit fingerprints in memory (`message-window.ts`) and this
 * table only records them — with the exact 128-bit MD5 key, checked when a fingerprint is seen
 * again — so the window survives a restart. The old table's keys carry no fingerprint; the window
 * starts afresh with this migration.
 */
const statements = [
  `create table ingest_message_keys (
    key uhugeint not null,
    fp bigint not null,
    received_at timestamp not null
  )`,
  `drop table ingest_message_ids`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`create table ingest_message_ids (key uhugeint primary key, received_at timestamp not null)`).execute(db);
  await sql.raw(`drop table ingest_message_keys`).execute(db);
}
