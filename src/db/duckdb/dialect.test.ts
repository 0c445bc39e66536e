import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../../../test/helpers/store.js';

type TestStore = Awaited<ReturnType<typeof openTestStore>>;

describe('DuckDB dialect for Kysely', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(async () => store.dispose());

  it('applies migrations once and reports none pending', async () => {
    expect(await store.pendingMigrations()).toEqual([]);
    expect(await store.migrate()).toEqual([]);
  });

  it('round-trips numbers, text, timestamps, lists and nulls through parameters', async () => {
    const placedAt = new Date('2021-03-04T05:06:07.891Z');
    await store.write
      .insertInto('orders')
      .values({
        store_id: 's1', id: 7, external_id: 'A-1', customer_id: null, placed_at: placedAt, currency: 'EUR',
        subtotal: 1999, discount: 0, shipping: 495, tax: 0, total: 2494, discount_codes: ['WELCOME', 'VIP'],
        channel: 'web', status: 'paid', source: 'api', created_at: placedAt, updated_at: placedAt,
      })
      .execute();
    const row = await store.read.selectFrom('orders').selectAll().where('external_id', '=', 'A-1').executeTakeFirstOrThrow();
    expect(row.id).toBe(7);
    expect(row.total).toBe(2494);
    expect(row.customer_id).toBeNull();
    expect(row.placed_at).toEqual(placedAt);
    expect(row.discount_codes).toEqual(['WELCOME', 'VIP']);
  });

  it('reports affected rows for updates and deletes, and returns rows with RETURNING', async () => {
    const updated = await store.write.updateTable('orders').set({ status: 'refunded' }).where('store_id', '=', 's1').executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(1n);
    const returned = await store.write
      .updateTable('orders').set({ channel: 'pos' }).where('id', '=', 7).returning(['id', 'channel']).execute();
    expect(returned).toEqual([{ id: 7, channel: 'pos' }]);
    const deleted = await store.write.deleteFrom('orders').where('id', '=', 999).executeTakeFirst();
    expect(deleted.numDeletedRows).toBe(0n);
  });

  it('rolls a failed transaction back completely', async () => {
    const before = await store.read.selectFrom('orders').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    await expect(
      store.write.transaction().execute(async (tx) => {
        await tx.updateTable('orders').set({ total: 1 }).execute();
        await sql`select * from no_such_table`.execute(tx);
      }),
    ).rejects.toThrow(/no_such_table/);
    const row = await store.read.selectFrom('orders').select(['total']).where('id', '=', 7).executeTakeFirstOrThrow();
    expect(row.total).toBe(2494);
    const after = await store.read.selectFrom('orders').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('serialises concurrent writes on the single writer connection', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.write.transaction().execute(async (tx) => {
          await tx.insertInto('identities').values({ store_id: 's1', anonymous_id: `anon-${i}`, customer_id: i, created_at: new Date() }).execute();
        }),
      ),
    );
    const count = await store.read.selectFrom('identities').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    expect(count.n).toBe(20);
  });

  it('keeps statements prepared: the same text reads what the table holds now, after its rows and its columns change', async () => {
    const read = async (id: number) => (await sql<{ n: number; label: string | number | null }>`select count(*) as n, max(label) as label from prepared_probe where id >= ${id}`.execute(store.read)).rows;
    await sql`create table prepared_probe (id integer, label varchar)`.execute(store.write);
    await sql`insert into prepared_probe values (1, 'a'), (2, 'b')`.execute(store.write);
    expect(await read(1)).toEqual([{ n: 2, label: 'b' }]);
    await store.write.transaction().execute(async (tx) => {
      await sql`insert into prepared_probe values (${3}, ${'c'})`.execute(tx);
      expect(await read(1)).toEqual([{ n: 2, label: 'b' }]); // not yet committed
      expect((await sql<{ n: number }>`select count(*) as n from prepared_probe where id >= ${1}`.execute(tx)).rows).toEqual([{ n: 3 }]);
    });
    expect(await read(2)).toEqual([{ n: 2, label: 'c' }]);
    // The table replaced by one whose label is a number: the kept statement is planned again.
    await sql`create or replace table prepared_probe as select id::integer as id, id * 10 as label from range(5) t(id)`.execute(store.write);
    expect(await read(3)).toEqual([{ n: 2, label: 40 }]);
    // More texts than a connection keeps: each runs, and the first ones again once dropped.
    const sum = async (i: number) => (await sql<{ v: number }>`select ${i} + ${sql.lit(i)} as v`.execute(store.write)).rows[0]?.v;
    for (let i = 0; i < 250; i += 1) expect(await sum(i)).toBe(2 * i);
    for (let i = 0; i < 5; i += 1) expect(await sum(i)).toBe(2 * i);
    // A failed run leaves the kept statement usable.
    const divide = (by: string) => sql<{ v: number }>`select 1 / ${by}::integer as v`.execute(store.write);
    expect((await divide('2')).rows).toEqual([{ v: 0.5 }]);
    await expect(divide('x')).rejects.toThrow(/convert/i);
    expect((await divide('4')).rows).toEqual([{ v: 0.25 }]);
    await sql`drop table prepared_probe`.execute(store.write);
  });
});
