/** `hearth personas run` and `hearth personas`: the silhouette per k with the chosen k marked, and each persona in words. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Storage } from '../../src/db/database.js';
import { AccountsService } from '../../src/modules/accounts/accounts.service.js';
import { StoreBuilder } from '../helpers/segments-data.js';
import { runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';

const cli = runCliInProcess;

const dir = tempDir('hearth-personas-cli-');
const common = ['--data-dir', dir.path];

beforeAll(async () => {
  const storage = await Storage.open({ dataDir: dir.path, readers: 1, memoryLimit: '512MB', threads: 2 });
  await storage.migrate();
  const { id } = await new AccountsService(storage.write, storage.read).createStore({ name: 'Mugs', slug: 'mugs' });
  const b = new StoreBuilder(storage, id);
  await b.product('MUG', 'kitchen');
  await b.product('COAT', 'apparel');
  for (let i = 0; i < 40; i += 1) {
    const deal = i % 2 === 0;
    const customer = await b.customer({ external_id: `c${i}` });
    await b.order(customer, {
      external_id: `o${i}`, placed_at: new Date(Date.UTC(2026, i % 5, 1 + i)), total: deal ? 2_000 + i : 20_000 + i * 10,
      discount: deal ? 400 : 0, ...(deal && { discount_codes: ['SAVE20'] }), products: [deal ? 'MUG' : 'COAT'],
    });
  }
  await storage.close();
});
afterAll(() => dir.remove());

describe('hearth personas', () => {
  it('says there are none yet, then finds them and shows the silhouette of every k with the chosen one marked', async () => {
    const before = await cli(['personas', ...common]);
    expect(before.code).toBe(0);
    expect(before.out).toMatch(/No personas yet/);

    const json = JSON.parse((await cli(['personas', 'run', ...common, '--seed', '3', '--json'])).out);
    const shown = await cli(['personas', 'list', ...common]);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(`${json.k} personas among 40 buyers`);
    for (const s of json.silhouettes) {
      const mark = s.k === json.k ? '  ◀ chosen' : '';
      expect(shown.out).toMatch(new RegExp(`^\\s*${s.k}\\s+${s.silhouette.toFixed(3)}${mark}$`, 'm'));
    }
    expect(shown.out).toContain(json.reason);
    for (const persona of json.personas) {
      expect(shown.out).toContain(`${persona.name} — ${persona.size} customers, ${Math.round(persona.revenue_share * 100)}% of revenue`);
      for (const trait of persona.profile.filter((c: { distinguishing: boolean }) => c.distinguishing)) expect(shown.out).toContain(`· ${trait.text}`);
      expect(shown.out).toContain(`needs: ${persona.needs.join('; ')}`);
    }
  });

  it('finds a requested number of personas and still shows what every k scores', async () => {
    const json = JSON.parse((await cli(['personas', 'run', ...common, '--k', '4', '--seed', '3', '--json'])).out);
    expect(json.k).toBe(4);
    expect(json.personas.length).toBeLessThanOrEqual(4);
    expect(json.silhouettes.map((s: { k: number }) => s.k)).toEqual([2, 3, 4, 5, 6]);
    const best = json.silhouettes.reduce((a: { silhouette: number }, b: { silhouette: number }) => (b.silhouette > a.silhouette + 0.01 ? b : a));
    expect(json.reason).toContain(`k = 4 was requested (mean silhouette ${json.silhouettes[2].silhouette.toFixed(3)}; by silhouette alone k = ${best.k} would be chosen`);
  });

  it('refuses a k outside 2–10 as a usage error', async () => {
    const bad = await cli(['personas', 'run', ...common, '--k', '1']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--k: must be a whole number from 2 to 10, got "1"/);
  });
});
