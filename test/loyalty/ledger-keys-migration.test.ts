/**
 * Migration 2026-12-08T000100-loyalty-entries-keys rebuilds the ledger without its (store, id)
 * primary key: the rows survive as they were, the idempotency key stays unique per store, and the
 * customer index is back. Storage.bulk, which the backfill runs in, holds DuckDB's checkpoints off
 * and checkpoints once at the end.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Storage } from '../../src/db/database.js';

let dir: string;
let storage: Storage;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hearth-ledger-keys-'));
  storage = await Storage.open({ dataDir: dir });
});
afterAll(async () => {
  await storage?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const entry = (storeId: string, customerId: number, key: string, points: number) => sql`
  insert into loyalty_entries (store_id, id, customer_id, kind, points, state, source, idempotency_key, reason, created_at)
  values (${storeId}, nextval('loyalty_entries_id_seq'), ${customerId}, 'adjust', ${points}, 'available', 'admin', ${key}, 'migrated', now()::timestamp)`;

const threshold = async () => (await sql<{ v: string }>`select current_setting('checkpoint_threshold') as v`.execute(storage.read)).rows[0]!.v;

describe('migration 2026-12-08T000100-loyalty-entries-keys', () => {
  it('keeps every ledger row and the per-store uniqueness of the idempotency key', async () => {
    expect((await storage.migrator().migrateTo('2026-12-07T000100-loyalty-customer-index')).error).toBeUndefined();
    await entry('s1', 1, 'adjust:a', 10).execute(storage.write);
    await entry('s1', 2, 'adjust:b', 20).execute(storage.write);
    await entry('s2', 3, 'adjust:a', 30).execute(storage.write);
    const before = (await sql`select * from loyalty_entries order by id`.execute(storage.read)).rows;

    expect(await storage.migrate()).toContain('2026-12-08T000100-loyalty-entries-keys');
    expect((await sql`select * from loyalty_entries order by id`.execute(storage.read)).rows).toEqual(before);
    await expect(entry('s1', 9, 'adjust:a', 1).execute(storage.write)).rejects.toThrow(/duplicate key|constraint/i);
    await entry('s3', 9, 'adjust:a', 1).execute(storage.write);
    const { rows: indexes } = await sql<{ index_name: string; expressions: string }>`select index_name, expressions from duckdb_indexes() where table_name = 'loyalty_entries'`.execute(storage.read);
    expect(indexes.map((i) => [i.index_name, String(i.expressions)])).toEqual([['loyalty_entries_customer', '[customer_id]']]);
    const { rows: keys } = await sql<{ constraint_type: string }>`select constraint_type from information_schema.table_constraints where table_name = 'loyalty_entries'`.execute(storage.read);
    expect(keys.map((k) => k.constraint_type)).not.toContain('PRIMARY KEY');
  });

  it('holds checkpoints off during a bulk write and checkpoints once after it', async () => {
    const configured = await threshold();
    const seen = await storage.bulk(async () => {
      for (let i = 0; i < 3; i += 1) await entry('s4', 100 + i, `bulk:${i}`, 1).execute(storage.write);
      return threshold();
    });
    expect(seen).not.toBe(configured);
    expect(await threshold()).toBe(configured);
    const wal = join(dir, 'hearth.duckdb.wal');
    const walSize = (() => { try { return statSync(wal).size; } catch { return 0; } })();
    expect(walSize).toBe(0);
    // A failing bulk write still restores the setting.
    await expect(storage.bulk(() => Promise.reject(new Error('stopped')))).rejects.toThrow('stopped');
    expect(await threshold()).toBe(configured);
  });
});
