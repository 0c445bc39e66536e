/** `hearth loyalty show` and `hearth loyalty members` on a data directory. */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Storage } from '../../src/db/database.js';
import { silentLogger } from '../../src/lib/logger.js';
import { defaultLoyaltySettings } from '../../src/modules/loyalty/index.js';
import { createServices } from '../../src/services.js';
import { runCliInProcess as cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';

const dir = tempDir('hearth-loyalty-cli-');
const common = ['--data-dir', dir.path];

beforeAll(async () => {
  const storage = await Storage.open({ dataDir: dir.path, readers: 1, memoryLimit: '512MB', threads: 2 });
  await storage.migrate();
  const services = createServices(loadConfig({ HEARTH_DATA_DIR: dir.path, HEARTH_LOG_LEVEL: 'silent' }), storage, silentLogger);
  const { id } = await services.accounts.createStore({ name: 'Pets', slug: 'pets', currency: 'EUR' });
  await services.loyalty.saveSettings(id, { ...defaultLoyaltySettings, enabled: true, point_value: 1, tiers: { basis: 'points_earned', levels: [{ name: 'Gold', threshold: 500, multiplier: 2 }] } }, 'test');
  await services.commerce.write(id, { customers: [{ external_id: 'maria', email: 'maria@example.com' }, { external_id: 'tom' }] });
  const maria = (await services.customers.get(id, 'ext:maria')).id;
  await services.loyalty.adjust(id, maria, { points: 120, reason: 'Welcome to the club', key: 'k1', actor: 'user:owner' });
  await services.shutdown();
  await storage.close();
});
afterAll(() => dir.remove());

describe('hearth loyalty', () => {
  it('shows a customer\'s points, the way to the next tier and the ledger', async () => {
    const shown = await cli(['loyalty', 'show', 'maria', ...common]);
    expect(shown.err).toBe('');
    expect(shown.out).toContain('120 points available (€1.20), 0 pending.');
    // Points added by hand do not count towards a tier.
    expect(shown.out).toContain('No tier.\n500 more to reach Gold (0 of 500 in 12 months).');
    expect(shown.out).toMatch(/adjust\s+\+120\s+available\s+admin\s+Welcome to the club/);
    const json = JSON.parse((await cli(['loyalty', 'show', 'ext:maria', ...common, '--json'])).out);
    expect(json.balance).toMatchObject({ available: 120, currency: 'EUR' });
  });

  it('lists the members, and names a bad flag', async () => {
    const members = await cli(['loyalty', 'members', ...common]);
    expect(members.out.split('\n')[0]).toMatch(/^customer\s+available\s+pending\s+owed\s+tier$/);
    expect(members.out.trim().split('\n')).toHaveLength(3);
    const bad = await cli(['loyalty', 'members', ...common, '--limit', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--limit');
    const unknown = await cli(['loyalty', 'show', 'nobody', ...common]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toContain('not found');
  });
});

describe('hearth loyalty import', () => {
  const file = `${dir.path}/smile.csv`;
  it('imports a Smile.io export, dry run first, and the second run changes nothing', async () => {
    writeFileSync(file, 'first_name,email,points_balance,vip_tier,referral_url\nMaria,MARIA@example.com,300,Gold,http://i.refs.cc/9qr5Pw\nNo One,nobody@example.com,5,,\n');
    const dry = await cli(['loyalty', 'import', '--from', 'smile', file, '--dry-run', ...common]);
    expect(dry.err).toBe('');
    expect(dry.out).toContain('Dry run — nothing written. 2 rows, 1 matched to customers.');
    expect(dry.out).toContain('line 3: nobody@example.com');
    const done = JSON.parse((await cli(['loyalty', 'import', '--from', 'smile', file, '--json', ...common])).out);
    expect(done).toMatchObject({ dry_run: false, balances: { imported: 1, points: 300 }, tiers: { changed: 1 }, referral_codes: { imported: 1 } });
    const again = JSON.parse((await cli(['loyalty', 'import', '--from', 'smile', file, '--json', ...common])).out);
    expect(again).toMatchObject({ balances: { imported: 0, already: 1 } });
    const shown = JSON.parse((await cli(['loyalty', 'show', 'maria', ...common, '--json'])).out);
    expect(shown.balance).toMatchObject({ available: 420, tier: 'Gold' });
  });

  it('exits 2 for wrong arguments and for a bad line, naming it', async () => {
    const noFrom = await cli(['loyalty', 'import', file, ...common]);
    expect(noFrom).toMatchObject({ code: 2, err: expect.stringContaining('--from') as unknown });
    const yotpo = await cli(['loyalty', 'import', '--from', 'yotpo', file, ...common]);
    expect(yotpo).toMatchObject({ code: 2, err: expect.stringContaining('"yotpo"') as unknown });
    const missing = await cli(['loyalty', 'import', '--from', 'smile', `${dir.path}/nope.csv`, ...common]);
    expect(missing).toMatchObject({ code: 2, err: expect.stringContaining('cannot read') as unknown });
    expect((await cli(['loyalty', 'import', '--from', 'smile', ...common])).code).toBe(2);
    writeFileSync(file, 'email,points_balance\nmaria@example.com,lots\n');
    const bad = await cli(['loyalty', 'import', '--from', 'smile', file, ...common]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('line 2, column points_balance');
  });
});
