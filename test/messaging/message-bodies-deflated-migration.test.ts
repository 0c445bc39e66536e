/**
 * Migration 2026-12-13T000100-message-bodies-deflated keeps each message's rendered bodies
 * deflated: every body reads back as it was written (accents, emoji, empty text, a 30 KB email),
 * more than one page of rows is rewritten, the stored bytes are a fraction of the text, and going
 * back restores the text columns exactly.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Storage } from '../../src/db/database.js';
import { bodiesByIds } from '../../src/modules/messaging/sends.repository.js';
import { tempDir } from '../helpers/store.js';

let dir: ReturnType<typeof tempDir>;
let storage: Storage;
beforeAll(async () => {
  dir = tempDir('hearth-message-bodies-deflated-');
  storage = await Storage.open({ dataDir: dir.path });
});
afterAll(async () => {
  await storage?.close();
  dir?.remove();
});

const email = `<!doctype html><html><body>${Array.from({ length: 300 }, (_, i) => `<tr><td style="padding:10px 25px"><a href="https://shop.example/p/${i}">Product ${i}</a></td></tr>`).join('\n')}</body></html>`;
const special = { html: '<p>Bonjour Zoë — 20 % de remise 🎁</p>', text: '' };

type Row = { store_id: string; send_id: number; html: string; text: string };
const all = async () => (await sql<Row>`select store_id, send_id, html, text from message_bodies order by send_id`.execute(storage.read)).rows;

describe('migration 2026-12-13T000100-message-bodies-deflated', () => {
  it('deflates every body and inflates it back', async () => {
    expect((await storage.migrator().migrateTo('2026-12-12T000100-message-bodies')).error).toBeUndefined();
    // 2,500 small bodies (three pages of the rewrite), then a whole email and one with accents and no text.
    await sql`insert into message_bodies select 's1', i, '<p>Hello ' || i || repeat('!', i % 7) || '</p>', 'Hello ' || i from range(2500) t(i)`.execute(storage.write);
    await sql`insert into message_bodies values ('s2', 2500, ${email}, 'Products'), ('s2', 2501, ${special.html}, ${special.text})`.execute(storage.write);
    const before = await all();
    expect(before).toHaveLength(2502);

    expect((await storage.migrator().migrateTo('2026-12-13T000100-message-bodies-deflated')).error).toBeUndefined();
    const types = (await sql<{ column_name: string; data_type: string }>`select column_name, data_type from information_schema.columns
      where table_name = 'message_bodies' order by ordinal_position`.execute(storage.read)).rows;
    expect(types).toEqual([
      { column_name: 'store_id', data_type: 'VARCHAR' }, { column_name: 'send_id', data_type: 'BIGINT' },
      { column_name: 'html', data_type: 'BLOB' }, { column_name: 'text', data_type: 'BLOB' },
    ]);
    const s1 = await bodiesByIds(storage.read, 's1', [0, 1234, 2499]);
    expect([...s1.values()]).toEqual([0, 1234, 2499].map((i) => ({ html: `<p>Hello ${i}${'!'.repeat(i % 7)}</p>`, text: `Hello ${i}` })));
    const s2 = await bodiesByIds(storage.read, 's2', [2500, 2501]);
    expect(s2.get(2500)).toEqual({ html: email, text: 'Products' });
    expect(s2.get(2501)).toEqual(special);
    // Another store's ids read nothing.
    expect((await bodiesByIds(storage.read, 's1', [2500])).size).toBe(0);
    const stored = (await sql<{ n: number }>`select octet_length(html) as n from message_bodies where send_id = 2500`.execute(storage.read)).rows[0]!;
    expect(Buffer.byteLength(email)).toBeGreaterThan(20_000);
    expect(Number(stored.n)).toBeLessThan(Buffer.byteLength(email) / 5);

    expect((await storage.migrator().migrateDown()).error).toBeUndefined();
    expect(await all()).toEqual(before);
    expect((await storage.migrator().migrateUp()).error).toBeUndefined();
    expect((await bodiesByIds(storage.read, 's2', [2501])).get(2501)).toEqual(special);
  });
});
