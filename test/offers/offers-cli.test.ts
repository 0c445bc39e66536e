/** `hearth offers` on a data directory: create, import, issue (same key, same code), list and show; usage errors exit 2 naming the argument. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Storage } from '../../src/db/database.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createServices } from '../../src/services.js';
import { runCliInProcess as cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';

const dir = tempDir('hearth-offers-cli-');
const common = ['--data-dir', dir.path];

beforeAll(async () => {
  const storage = await Storage.open({ dataDir: dir.path, readers: 1, memoryLimit: '512MB', threads: 2 });
  await storage.migrate();
  const services = createServices(loadConfig({ HEARTH_DATA_DIR: dir.path, HEARTH_LOG_LEVEL: 'silent' }), storage, silentLogger);
  const { id } = await services.accounts.createStore({ name: 'Pets', slug: 'pets', currency: 'EUR' });
  await services.commerce.write(id, { customers: [{ external_id: 'maria', email: 'maria@example.com' }, { external_id: 'tom' }] });
  await services.shutdown();
  await storage.close();
});
afterAll(() => dir.remove());

describe('hearth offers', () => {
  it('creates an offer, issues the same code for the same key, lists and shows it', async () => {
    const created = await cli(['offers', 'create', ...common, '--name', 'Welcome back', '--kind', 'fixed', '--value', '500', '--valid-days', '14', '--pattern', 'WB-????-????', '--pool-size', '5', '--holdout', '0', '--json']);
    expect(created.err).toBe('');
    const offer = JSON.parse(created.out);
    expect(offer).toMatchObject({ name: 'Welcome back', value: 500, pool: { codes: 5, available: 5 }, holdout_share: 0 });

    const first = await cli(['offers', 'issue', offer.id, 'maria', '--key', 'campaign-1:maria', ...common]);
    expect(first.code).toBe(0);
    const code = /^(WB-\S{4}-\S{4}) \(customer \d+, valid until /.exec(first.out)?.[1];
    expect(code).toBeDefined();
    const again = JSON.parse((await cli(['offers', 'issue', offer.id, 'ext:maria', '--key', 'campaign-1:maria', '--json', ...common])).out);
    expect(again).toMatchObject({ code, outcome: 'issued' });

    const list = await cli(['offers', 'list', ...common]);
    expect(list.out).toMatch(/Welcome back\s+€5\.00 off\s+active\s+5\s+4/);
    const shown = await cli(['offers', 'show', offer.id, ...common]);
    expect(shown.out).toContain('Issued 1, held out 0, redeemed 0 (0.0 %).');
  });

  it('imports codes from a file', async () => {
    const offer = JSON.parse((await cli(['offers', 'create', ...common, '--name', 'Imported', '--kind', 'percent', '--value', '15', '--valid-days', '30', '--import', '--holdout', '0', '--json'])).out);
    const file = join(dir.path, 'codes.csv');
    writeFileSync(file, 'Code,Usage Count\nSPRING-1,0\nSPRING-2,0\n');
    const imported = await cli(['offers', 'import', offer.id, file, ...common]);
    expect(imported.out).toBe('Imported 2 codes (0 already there); 2 of 2 not handed out.\n');
    const issued = await cli(['offers', 'issue', offer.id, 'tom', '--key', 'k-tom', ...common]);
    expect(issued.out).toMatch(/^SPRING-1 /);
    writeFileSync(file, 'Code\nok-code\nbad code!\n');
    const bad = await cli(['offers', 'import', offer.id, file, ...common]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('line 3');
  });

  it('names the bad argument and exits 2', async () => {
    const cases: [string[], string][] = [
      [['offers', 'create', '--kind', 'fixed', '--value', '5'], '--name'],
      [['offers', 'create', '--name', 'x', '--kind', 'cheap'], '--kind'],
      [['offers', 'create', '--name', 'x', '--kind', 'fixed', '--value', 'lots'], '--value'],
      [['offers', 'create', '--name', 'x', '--kind', 'fixed', '--value', '5', '--valid-days', '3', '--holdout', '2'], '--holdout'],
      [['offers', 'create', '--name', 'x', '--kind', 'fixed', '--value', '5', '--valid-days', '3', '--pattern', 'AB'], 'pattern'],
      [['offers', 'issue', 'ofr_x', 'maria'], '--key'],
      [['offers', 'import', 'ofr_x', join(dir.path, 'missing.csv')], '<file>'],
      [['offers', 'create', '--name', 'x', '--kind', 'fixed', '--value', '5', '--valid-days', '3', '--pattern', 'SH-??????', '--shopify-discount', '42'], 'shopify_discount_id'],
      [['offers', 'push'], 'offer'],
    ];
    for (const [args, named] of cases) {
      const result = await cli([...args, ...common]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.err, args.join(' ')).toContain(named);
    }
    expect((await cli(['offers', 'show', 'ofr_missing', ...common])).err).toContain('not found');
    // An offer whose codes do not go to Shopify has nothing to push.
    const plain = JSON.parse((await cli(['offers', 'create', ...common, '--name', 'Plain', '--kind', 'percent', '--value', '5', '--valid-days', '3', '--pattern', 'PL-??????', '--json'])).out);
    const pushed = await cli(['offers', 'push', plain.id, ...common]);
    expect(pushed.code).not.toBe(0);
    expect(pushed.err).toContain('do not go to Shopify');
  });
});
