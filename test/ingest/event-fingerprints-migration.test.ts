/**
 * Upgrading a data directory from the key-table dedupe (migration 2026-11-23T000700) to
 * fingerprints on the events (2026-11-23T000900): message ids received before the upgrade are
 * still recognised when retried after it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Storage } from '../../src/db/database.js';
import { silentLogger } from '../../src/lib/logger.js';
import { GroupCommitWriter, type EventRow } from '../../src/modules/ingest/group-commit.writer.js';
import { IngestStats } from '../../src/modules/ingest/ingest.stats.js';
import { fingerprint } from '../../src/modules/ingest/message-window.js';

let dir: string;
let storage: Storage;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hearth-fp-migration-'));
  storage = await Storage.open({ dataDir: dir });
});
afterAll(async () => {
  await storage?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const row = (storeId: string, messageId: string): EventRow => ({
  storeId, messageId, type: 'track', name: 'Tested', customerId: null, anonymousId: 'a-1', sessionId: null, url: null,
  properties: '{}', source: 'api', occurredAt: new Date(), receivedAt: new Date(), context: null,
});

describe('migration 2026-11-23T000900-event-fingerprints', () => {
  it('moves the recorded fingerprints onto their events, so earlier message ids stay deduplicated', async () => {
    const migrated = await storage.migrator().migrateTo('2026-11-23T000800-tracking-origins');
    expect(migrated.error).toBeUndefined();
    // Two events as the previous writer stored them (event row + exact key with fingerprint), and
    // one imported event without a message id.
    for (const [storeId, messageId] of [['s1', 'before-1'], ['s2', 'before-2']] as const) {
      await sql`insert into events (store_id, id, message_id, type, properties, source, occurred_at, received_at)
        values (${storeId}, nextval('events_id_seq'), ${messageId}, 'track', '{}', 'api', now()::timestamp, now()::timestamp)`.execute(storage.write);
      await sql`insert into ingest_message_keys values (md5_number(${storeId} || chr(0) || ${messageId}), ${fingerprint(storeId, messageId)}, now()::timestamp)`.execute(storage.write);
    }
    await sql`insert into events (store_id, id, type, properties, source, occurred_at, received_at)
      values ('s1', nextval('events_id_seq'), 'page', '{}', 'import', now()::timestamp, now()::timestamp)`.execute(storage.write);

    expect((await storage.migrate())[0]).toBe('2026-11-23T000900-event-fingerprints');
    const { rows } = await sql<{ store_id: string; message_id: string | null; message_fp: number | null }>`
      select store_id, message_id, message_fp from events order by id`.execute(storage.read);
    expect(rows.map((r) => [r.store_id, r.message_id, r.message_fp === null ? null : Number(r.message_fp)])).toEqual([
      ['s1', 'before-1', fingerprint('s1', 'before-1')],
      ['s2', 'before-2', fingerprint('s2', 'before-2')],
      ['s1', null, null],
    ]);
    const tables = await sql<{ n: number }>`select count(*) as n from information_schema.tables where table_name = 'ingest_message_keys'`.execute(storage.read);
    expect(Number(tables.rows[0]!.n)).toBe(0);

    const writer = new GroupCommitWriter(storage, new IngestStats(), silentLogger);
    // Same message id in another store is a different message.
    expect(await writer.submit([row('s1', 'before-1'), row('s2', 'before-2'), row('s2', 'before-1')])).toEqual(['duplicate', 'duplicate', 'stored']);
    await writer.close();
  });
});
