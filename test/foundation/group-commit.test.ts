/**
 * Group commit over a real DuckDB writer: requests that arrive in the same turn of the event
 * loop, or while a group is written, go together into one group (one transaction each), a refusal
 * answers only its own request, and a group that fails as a whole is rolled back and written again one request at a time, so the
 * good requests land once and only the bad one fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { GroupCommit, type Outcome } from '../../src/lib/group-commit.js';
import { openTestStore } from '../helpers/store.js';

let db: Awaited<ReturnType<typeof openTestStore>>;

beforeAll(async () => {
  db = await openTestStore();
  await sql`create table group_rows (id integer primary key, label varchar)`.execute(db.write);
});
afterAll(async () => db.dispose());

type Item = { id: number; refuse?: boolean; poison?: boolean };

function committer(groups: number[][]) {
  const insert = async (tx: typeof db.write, item: Item) => {
    if (item.poison) await sql`insert into group_rows values (${item.id}, 'again')`.execute(tx);
    await sql`insert into group_rows values (${item.id}, 'row')`.execute(tx);
    return item.id;
  };
  return new GroupCommit<Item, number>(
    (items) => db.write.transaction().execute(async (tx) => {
      groups.push(items.map((i) => i.id));
      const outcomes: Outcome<number>[] = [];
      for (const item of items) {
        if (item.refuse) outcomes.push({ ok: false, error: new Error(`refused ${item.id}`) });
        else outcomes.push({ ok: true, value: await insert(tx, item) });
      }
      return outcomes;
    }),
    (item) => db.write.transaction().execute(async (tx) => {
      if (item.refuse) throw new Error(`refused ${item.id}`);
      return insert(tx, item);
    }),
  );
}

const ids = async () => (await sql<{ id: number }>`select id from group_rows order by id`.execute(db.read)).rows.map((r) => Number(r.id));

describe('group commit', () => {
  it('writes requests that arrive together in shared transactions; a refusal answers only its own', async () => {
    const groups: number[][] = [];
    const commit = committer(groups);
    const answers = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => commit.submit({ id: i + 1, refuse: i === 7 })));
    expect(answers.filter((a) => a.status === 'rejected').map((a) => String((a as PromiseRejectedResult).reason))).toEqual(['Error: refused 8']);
    expect(await ids()).toEqual(Array.from({ length: 40 }, (_, i) => i + 1).filter((id) => id !== 8));
    // Sent in the same turn of the event loop, the forty share one group.
    expect(groups).toEqual([Array.from({ length: 40 }, (_, i) => i + 1)]);
    // Those sent while a group is being written share the next (a group of one is written on its own).
    const later: number[][] = [];
    const next = committer(later);
    const first = next.submit({ id: 41 });
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([first, next.submit({ id: 42 }), next.submit({ id: 43 })]);
    expect(later).toEqual([[42, 43]]);
    expect((await ids()).slice(-3)).toEqual([41, 42, 43]);
  });

  it('rolls back a group that fails as a whole and writes its requests one by one', async () => {
    const groups: number[][] = [];
    const commit = committer(groups);
    // 103 would write its row twice: a primary-key violation that aborts the transaction.
    const answers = await Promise.allSettled([100, 101, 102, 103, 104, 105].map((id) => commit.submit({ id, poison: id === 103 })));
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((await ids()).filter((id) => id >= 100)).toEqual([100, 101, 102, 104, 105]);
    expect(groups.some((g) => g.includes(103))).toBe(true);
  });
});
