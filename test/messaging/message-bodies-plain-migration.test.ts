/**
 * Migration 2026-12-14T000100-message-bodies-stored-plain keeps the deflated bodies as they are
 * at each checkpoint (no compression tried on bytes that do not compress): every body reads back
 * as it was, what is written afterwards is stored uncompressed even where DuckDB would otherwise
 * compress it, and going back restores the table DuckDB compresses as it likes.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Storage } from '../../src/db/database.js';
import { tempDir } from '../helpers/store.js';

let dir: ReturnType<typeof tempDir>;
let storage: Storage;
beforeAll(async () => {
  dir = tempDir('hearth-message-bodies-plain-');
  storage = await Storage.open({ dataDir: dir.path });
});
afterAll(async () => {
  await storage?.close();
  dir?.remove();
});

type Row = { store_id: string; send_id: number; html: Uint8Array; text: Uint8Array };
const all = async () => (await sql<Row>`select store_id, send_id, html, text from message_bodies order by send_id`.execute(storage.read)).rows;

/** Writes bodies that repeat (so DuckDB would compress them), checkpoints, and says how the html column's data is stored. */
async function writeAndStore(from: number): Promise<string[]> {
  await sql`insert into message_bodies select 's1', ${from} + i, ('body ' || (i % 10))::blob, ('text ' || (i % 3))::blob from range(5000) t(i)`.execute(storage.write);
  await storage.checkpoint();
  const { rows } = await sql<{ compression: string }>`select distinct compression from pragma_storage_info('message_bodies')
    where column_name = 'html' and segment_type <> 'VALIDITY' and compression <> 'Constant'`.execute(storage.read);
  return rows.map((r) => r.compression).sort();
}

describe('migration 2026-12-14T000100-message-bodies-stored-plain', () => {
  it('stores the bodies uncompressed from then on, every row kept, and goes back', async () => {
    expect((await storage.migrator().migrateTo('2026-12-13T000100-message-bodies-deflated')).error).toBeUndefined();
    const compressed = await writeAndStore(0);
    expect(compressed.length).toBeGreaterThan(0);
    expect(compressed).not.toEqual(['Uncompressed']);
    const before = await all();
    expect(before).toHaveLength(5000);

    expect((await storage.migrator().migrateTo('2026-12-14T000100-message-bodies-stored-plain')).error).toBeUndefined();
    expect(await all()).toEqual(before);
    expect(await writeAndStore(5000)).toEqual(['Uncompressed']);
    const after = await all();
    expect(after).toHaveLength(10_000);
    expect(Buffer.from(after[9999]!.html).toString()).toBe('body 9');

    expect((await storage.migrator().migrateDown()).error).toBeUndefined();
    expect(await all()).toEqual(after);
    await sql`delete from message_bodies`.execute(storage.write);
    expect(await writeAndStore(20_000)).toEqual(compressed);
  });
});
