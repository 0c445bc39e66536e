import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Storage } from '../../src/db/database.js';
import { AccountsService } from '../../src/modules/accounts/accounts.service.js';
import { runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';
import { buildKnownStore, type KnownIds } from './known-store.js';

const cli = runCliInProcess;

const dir = tempDir('hearth-segments-cli-');
let ids: KnownIds;
const repeat = JSON.stringify({ kind: 'orders', metric: 'count', op: 'gte', value: 2 });

beforeAll(async () => {
  const storage = await Storage.open({ dataDir: dir.path, readers: 1, memoryLimit: '512MB', threads: 2 });
  await storage.migrate();
  const accounts = new AccountsService(storage.write, storage.read);
  const { id } = await accounts.createStore({ name: 'Known', slug: 'known' });
  ({ ids } = await buildKnownStore(storage, id, 'st_elsewhere'));
  await storage.close();
});
afterAll(() => dir.remove());

describe('hearth segments and hearth customer', () => {
  const common = ['--data-dir', dir.path];

  it('previews, creates, lists, pages and exports', async () => {
    const preview = await cli(['segments', 'preview', ...common, '--rule', repeat, '--json']);
    expect(preview.code).toBe(0);
    expect(JSON.parse(preview.out).count).toBe(2);

    const created = await cli(['segments', 'create', ...common, '--name', 'Repeat', '--rule', repeat, '--json']);
    const segment = JSON.parse(created.out);
    expect(segment.member_count).toBe(2);

    const list = await cli(['segments', 'list', ...common]);
    expect(list.out).toMatch(/Repeat\s+2\s+when data changes/);

    const members = await cli(['segments', 'members', segment.id, ...common, '--limit', '1', '--json']);
    const page = JSON.parse(members.out);
    expect(page.data.map((m: { customer_id: number }) => m.customer_id)).toEqual([ids.ann]);
    expect(page.next_cursor).toBeTruthy();

    const file = join(dir.path, 'repeat.csv');
    expect((await cli(['segments', 'export', segment.id, ...common, '--out', file])).code).toBe(0);
    const csv = readFileSync(file, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[1]).toMatch(/^\d+,c-ann,ann@example.com,Ann,Archer,US,/);
  });

  it('explains bad input in one line with exit code 2', async () => {
    const json = await cli(['segments', 'preview', ...common, '--rule', '{kind:']);
    expect(json.code).toBe(2);
    expect(json.err).toMatch(/--rule: not valid JSON/);
    const field = await cli(['segments', 'preview', ...common, '--rule', JSON.stringify({ kind: 'profile', field: 'shoe', op: 'eq', value: 'x' })]);
    expect(field.code).toBe(2);
    expect(field.err).toMatch(/rule\.field: unknown profile field "shoe"/);
    expect((await cli(['segments', 'members', 'seg_nope', ...common])).code).toBe(2);
  });

  it('shows a customer by id, email or external id', async () => {
    const byEmail = await cli(['customer', 'ANN@example.com', ...common, '--json']);
    expect(byEmail.code).toBe(0);
    const profile = JSON.parse(byEmail.out);
    expect(profile.identity.id).toBe(ids.ann);
    expect(profile.kpis.orders).toBe(3);
    const byExternal = JSON.parse((await cli(['customer', 'c-bob', ...common, '--json'])).out);
    expect(byExternal.identity.id).toBe(ids.bob);
    const text = await cli(['customer', String(ids.fay), ...common]);
    expect(text.out).toMatch(/Fay <fay@example.com>/);
    expect(text.out).toMatch(/2 orders, revenue \$90\.00/);
    const missing = await cli(['customer', 'nobody@example.com', ...common]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/Customer "nobody@example.com" not found/);
  });
});
