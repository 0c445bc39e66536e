import { sql, type Kysely } from 'kysely';

/**
 * The messageId dedupe reads the tracked events themselves: each keeps the 53-bit fingerprint of
 * its (store, messageId) in `events.message_fp`, appended with the event. The in-memory window is
 * read back from that column after a restart, and a fingerprint seen again is checked against
 * the events' exact message ids, so the separate key table (an MD5 and a row per event) goes. The
 * fingerprints already recorded move over, matched through their exact keys.
 */
const statements = [
  `alter table events add column message_fp bigint`,
  `update events set message_fp = k.fp from ingest_message_keys k
    where events.message_id is not null and k.key = md5_number(events.store_id || chr(0) || events.message_id)`,
  `drop table ingest_message_keys`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`create table ingest_message_keys (key uhugeint not null, fp bigint not null, received_at timestamp not null)`).execute(db);
  await sql.raw(`insert into ingest_message_keys select md5_number(store_id || chr(0) || message_id), message_fp, received_at from events where message_fp is not null`).execute(db);
  await sql.raw(`alter table events drop column message_fp`).execute(db);
}
