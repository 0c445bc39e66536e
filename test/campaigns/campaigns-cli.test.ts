/**
 * `hearth campaigns` on a data directory: segments by name, the audience in words, create, send
 * (twice, changing nothing), show, and usage errors with exit status 2 naming the flag.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Storage } from '../../src/db/database.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createServices } from '../../src/services.js';
import { runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';

const cli = runCliInProcess;

const dir = tempDir('hearth-campaigns-cli-');
let templateId: string;
const common = ['--data-dir', dir.path];

beforeAll(async () => {
  const storage = await Storage.open({ dataDir: dir.path, readers: 1, memoryLimit: '512MB', threads: 2 });
  await storage.migrate();
  const services = createServices(loadConfig({ HEARTH_DATA_DIR: dir.path, HEARTH_LOG_LEVEL: 'silent' }), storage, silentLogger);
  const { id } = await services.accounts.createStore({ name: 'Shop', slug: 'shop', currency: 'EUR' });
  // 60 buyers: 0–9 without consent, 10–59 subscribed; 50–59 are tagged wholesale.
  await services.commerce.write(id, {
    customers: Array.from({ length: 60 }, (_, i) => ({
      external_id: `c-${i}`, email: `c${i}@example.com`, email_consent: { status: i < 10 ? 'unsubscribed' as const : 'subscribed' as const },
      tags: i >= 50 ? ['wholesale'] : [],
    })),
    orders: Array.from({ length: 60 }, (_, i) => ({
      external_id: `o-${i}`, customer_external_id: `c-${i}`, placed_at: new Date('2026-10-01T10:00:00Z'), currency: 'EUR',
      lines: [{ product_external_id: 'p-1', title: 'Mug', quantity: 1, unit_price: 1_500 }],
    })),
  });
  await services.segments.create(id, { name: 'Buyers', rule: { kind: 'orders', metric: 'count', op: 'gte', value: 1 } });
  await services.segments.create(id, { name: 'Wholesale', rule: { kind: 'profile', field: 'tags', op: 'contains', value: 'wholesale' } });
  templateId = (await services.templates.createFromStarter(id, 'win_back')).id;
  await services.shutdown();
  await storage.close();
});
afterAll(() => dir.remove());

describe('hearth campaigns', () => {
  it('counts the audience in words, creates, sends once and shows the results', async () => {
    const audience = await cli(['campaigns', 'audience', ...common, '--segment', 'buyers', '--exclude', 'Wholesale', '--holdout', '20']);
    expect(audience.err).toBe('');
    expect(audience.out).toBe('40 customers in the campaign: about 32 receive it, 8 held out.\nOf 60 in the chosen segments, left out: 10 excluded, 10 without marketing consent.\n');

    const created = await cli(['campaigns', 'create', ...common, '--name', 'Autumn', '--segment', 'Buyers', '--exclude', 'Wholesale', '--template', templateId, '--json']);
    expect(created.code).toBe(0);
    const campaign = JSON.parse(created.out) as { id: string; status: string; holdout_share: number; attribution_days: number };
    expect(campaign).toMatchObject({ status: 'draft', holdout_share: 0.1, attribution_days: 5 });

    const sent = await cli(['campaigns', 'send', campaign.id, ...common, '--json']);
    const first = JSON.parse(sent.out) as { audience: number; holdout: number; recipients: number };
    expect(first.audience).toBe(40);
    expect(first.holdout + first.recipients).toBe(40);
    const again = await cli(['campaigns', 'send', campaign.id, ...common]);
    expect(again.out).toBe(`"Autumn" started: ${first.recipients} recipient${first.recipients === 1 ? '' : 's'}, ${first.holdout} held out.\n`);

    const shown = await cli(['campaigns', 'show', campaign.id, ...common]);
    expect(shown.out).toMatch(new RegExp(`^sent +${first.recipients} +0 +0\\.0%`, 'm'));
    expect(shown.out).toMatch(new RegExp(`^holdout +${first.holdout} +0`, 'm'));
    expect(shown.out).toContain(', window still open.');
    expect(shown.out).toMatch(/messages: 0 sent, \d+ queued/);

    const list = await cli(['campaigns', 'list', ...common]);
    expect(list.out).toMatch(/Autumn +email +sending +10\.0%/);
  });

  it('exits 2 naming the flag for a usage error', async () => {
    const unknown = await cli(['campaigns', 'audience', ...common, '--segment', 'Nobody']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--segment: no segment "Nobody" (segments: Buyers, Wholesale');
    const share = await cli(['campaigns', 'create', ...common, '--name', 'X', '--segment', 'Buyers', '--holdout', '60']);
    expect([share.code, share.err.trim()]).toEqual([2, 'error: --holdout: a percentage from 0 to 50, got "60"']);
    const noName = await cli(['campaigns', 'create', ...common, '--segment', 'Buyers']);
    expect([noName.code, noName.err.trim()]).toEqual([2, 'error: --name: give the campaign a name']);
    const days = await cli(['campaigns', 'create', ...common, '--name', 'X', '--segment', 'Buyers', '--days', '0']);
    expect(days.code).toBe(2);
    expect(days.err).toContain('--days');
  });
});
