/**
 * Migration 2026-12-12T000100-message-bodies moves each message's rendered HTML and text out of
 * the ledger into `message_bodies`: the ledger rows survive without them, the send key stays
 * unique per store, each message keeps its own bodies, and going back puts them where they were.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Storage } from '../../src/db/database.js';
import { tempDir } from '../helpers/store.js';

let dir: ReturnType<typeof tempDir>;
let storage: Storage;
beforeAll(async () => {
  dir = tempDir('hearth-message-bodies-');
  storage = await Storage.open({ dataDir: dir.path });
});
afterAll(async () => {
  await storage?.close();
  dir?.remove();
});

const message = (storeId: string, key: string, html: string, text: string) => sql`
  insert into message_sends (store_id, id, send_key, channel, purpose, customer_id, to_address, from_address, subject, preheader, html, text, headers, created_at, topic_id)
  values (${storeId}, nextval('message_sends_id_seq'), ${key}, 'email', 'marketing', 7, 'ana@example.com', 'shop@example.com', ${`Subject ${key}`}, '',
    ${html}, ${text}, '{}', now()::timestamp, null)`;

const ledger = async () => (await sql`select * from message_sends order by id`.execute(storage.read)).rows as Record<string, unknown>[];

describe('migration 2026-12-12T000100-message-bodies', () => {
  it('moves the bodies out of the ledger and back', async () => {
    expect((await storage.migrator().migrateTo('2026-12-11T000100-journey-sessions')).error).toBeUndefined();
    await message('s1', 'campaign:1:7', '<p>Hello Ana</p>', 'Hello Ana').execute(storage.write);
    await message('s1', 'campaign:2:7', '<p>Your code: BACK-1</p>', 'Your code: BACK-1').execute(storage.write);
    await message('s2', 'campaign:1:7', '<p>Another store</p>', 'Another store').execute(storage.write);
    const before = await ledger();

    expect((await storage.migrator().migrateTo('2026-12-12T000100-message-bodies')).error).toBeUndefined();
    const after = await ledger();
    expect(after).toEqual(before.map(({ html: _html, text: _text, ...rest }) => rest));
    const ids = before.map((row) => Number(row.id));
    const bodies = (storeId: string) => sql<{ send_id: number; html: string; text: string }>`
      select send_id, html, text from message_bodies where store_id = ${storeId} order by send_id`.execute(storage.read).then((r) => r.rows);
    expect(await bodies('s1')).toEqual([
      { send_id: ids[0], html: '<p>Hello Ana</p>', text: 'Hello Ana' },
      { send_id: ids[1], html: '<p>Your code: BACK-1</p>', text: 'Your code: BACK-1' },
    ]);
    expect(await bodies('s2')).toEqual([{ send_id: ids[2], html: '<p>Another store</p>', text: 'Another store' }]);
    await expect(sql`insert into message_sends (store_id, id, send_key, channel, purpose, to_address, from_address, subject, preheader, headers, created_at)
      values ('s1', nextval('message_sends_id_seq'), 'campaign:1:7', 'email', 'marketing', 'a@example.com', 'b@example.com', '', '', '{}', now()::timestamp)`.execute(storage.write))
      .rejects.toThrow(/duplicate key|constraint/i);

    expect((await storage.migrator().migrateDown()).error).toBeUndefined();
    const restored = await ledger();
    expect(restored.map((row) => Object.keys(row).sort())).toEqual(before.map((row) => Object.keys(row).sort()));
    expect(restored).toEqual(before);
    expect((await storage.migrator().migrateUp()).error).toBeUndefined();
    expect(await bodies('s2')).toEqual([{ send_id: ids[2], html: '<p>Another store</p>', text: 'Another store' }]);
  });
});
