/**
 * Lists as query parameters: the driver types a list by its first item, so a list starting with
 * NULL used to bind every other item as NULL. And `unnested`, which inserts many rows with one
 * list per column, gives back exactly the rows it was given, NULLs and timestamps included.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unnested } from '../../src/db/unnested.js';
import { openTestStore } from '../helpers/store.js';

let store: Awaited<ReturnType<typeof openTestStore>>;
beforeAll(async () => { store = await openTestStore(); });
afterAll(async () => { await store?.dispose(); });

describe('list parameters', () => {
  it('keep the items after a leading NULL, for text, numbers and timestamps', async () => {
    const at = new Date('2026-03-04T05:06:07Z');
    const { rows } = await sql<{ t: string | null; n: number | null; at: Date | null }>`
      select unnest(${[null, 'b', null, 'd']}::varchar[]) as t, unnest(${[null, 2, 3, null]}::bigint[]) as n, unnest(${[null, null, at, null]}::timestamp[]) as at`.execute(store.read);
    expect(rows).toEqual([
      { t: null, n: null, at: null }, { t: 'b', n: 2, at: null }, { t: null, n: 3, at }, { t: 'd', n: null, at: null },
    ]);
  });

  it('insert rows through unnested as given', async () => {
    await sql`create table listed (id bigint, name varchar, seen timestamp)`.execute(store.write);
    const given = [{ id: 1, name: null, seen: null }, { id: 2, name: 'two', seen: new Date('2026-01-02T00:00:00Z') }, { id: 3, name: "it's", seen: null }];
    await sql`insert into listed select * from ${unnested({ id: 'bigint', name: 'varchar', seen: 'timestamp' }, given)} v`.execute(store.write);
    const { rows } = await sql`select * from listed order by id`.execute(store.read);
    expect(rows).toEqual(given);
  });
});
