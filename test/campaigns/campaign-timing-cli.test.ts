/**
 * `hearth campaigns create` with its timing and A/B flags: a start in the store's time zone, a
 * local time on each recipient's clock, each recipient's usual hour, variants decided by clicks;
 * `show` says over how many hours the messages go out; usage errors exit 2 naming the flag.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Storage } from '../../src/db/database.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createServices } from '../../src/services.js';
import { runCliInProcess as cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';

const dir = tempDir('hearth-campaign-timing-cli-');
const common = ['--data-dir', dir.path];
let templates: string[];
const zones = ['Asia/Tokyo', 'America/New_York', 'Europe/Berlin'];

beforeAll(async () => {
  const storage = await Storage.open({ dataDir: dir.path, readers: 1, memoryLimit: '512MB', threads: 2 });
  await storage.migrate();
  const services = createServices(loadConfig({ HEARTH_DATA_DIR: dir.path, HEARTH_LOG_LEVEL: 'silent' }), storage, silentLogger);
  const { id } = await services.accounts.createStore({ name: 'Shop', slug: 'shop', currency: 'EUR', timezone: 'Europe/Berlin' });
  await services.commerce.write(id, {
    customers: Array.from({ length: 30 }, (_, i) => ({ external_id: `c-${i}`, email: `c${i}@example.com`, timezone: zones[i % 3], email_consent: { status: 'subscribed' as const } })),
    orders: Array.from({ length: 30 }, (_, i) => ({
      external_id: `o-${i}`, customer_external_id: `c-${i}`, placed_at: new Date('2026-10-01T10:00:00Z'), currency: 'EUR',
      lines: [{ product_external_id: 'p-1', title: 'Mug', quantity: 1, unit_price: 1_500 }],
    })),
  });
  await services.segments.create(id, { name: 'Buyers', rule: { kind: 'orders', metric: 'count', op: 'gte', value: 1 } });
  templates = [(await services.templates.createFromStarter(id, 'win_back')).id, (await services.templates.createFromStarter(id, 'newsletter')).id];
  await services.shutdown();
  await storage.close();
});
afterAll(() => dir.remove());

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe('hearth campaigns create: when and which', () => {
  it("starts at a time in the store's zone, or sends at a local time or each recipient's usual hour", async () => {
    const at = await cli(['campaigns', 'create', ...common, '--name', 'Berlin morning', '--segment', 'Buyers', '--template', templates[0]!, '--at', `${day(3)} 09:30`, '--json']);
    expect(at.code, at.err).toBe(0);
    const scheduled = JSON.parse(at.out) as { status: string; send_at: string };
    expect(scheduled.status).toBe('scheduled');
    expect(new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', dateStyle: 'short', timeStyle: 'short' }).format(new Date(scheduled.send_at))).toBe(`${day(3)} 09:30`);

    const local = await cli(['campaigns', 'create', ...common, '--name', 'Ten local', '--segment', 'Buyers', '--template', templates[0]!, '--local-time', `${day(2)} 10:00`, '--holdout', '0', '--json']);
    expect(local.code, local.err).toBe(0);
    const campaign = JSON.parse(local.out) as { id: string; delivery: unknown };
    expect(campaign.delivery).toEqual({ mode: 'local_time', local_time: `${day(2)}T10:00` });
    await cli(['campaigns', 'send', campaign.id, ...common]);
    const shown = await cli(['campaigns', 'show', campaign.id, ...common]);
    // Tokyo's 10:00 comes 14 hours before New York's (13 in summer time).
    expect(shown.out).toMatch(/^scheduled over 1[34] hours: .* \(\d{4}-\d{2}-\d{2} 10:00 on each recipient's clock\)$/m);

    const usual = await cli(['campaigns', 'create', ...common, '--name', 'Usual', '--segment', 'Buyers', '--template', templates[0]!, '--usual-hour', '9', '--json']);
    expect((JSON.parse(usual.out) as { delivery: unknown }).delivery).toEqual({ mode: 'usual_hour', default_hour: 9 });
  });

  it('creates an A/B test decided by clicks', async () => {
    const ab = await cli(['campaigns', 'create', ...common, '--name', 'Subjects', '--segment', 'Buyers', '--variant', templates[0]!, '--variant', templates[1]!, '--winner', 'clicks', '--test-share', '30', '--test-hours', '6', '--json']);
    expect(ab.code, ab.err).toBe(0);
    expect((JSON.parse(ab.out) as { ab_test: unknown }).ab_test).toEqual({ variants: templates.map((id) => ({ template_id: id })), test_share: 0.3, test_hours: 6, winner_metric: 'clicks' });
  });

  it('exits 2 naming the flag for a usage error', async () => {
    const base = ['campaigns', 'create', ...common, '--name', 'X', '--segment', 'Buyers'];
    const both = await cli([...base, '--local-time', `${day(2)} 10:00`, '--usual-hour']);
    expect([both.code, both.err.trim()]).toEqual([2, 'error: --local-time and --usual-hour: choose one']);
    const hour = await cli([...base, '--usual-hour', '24']);
    expect([hour.code, hour.err.trim()]).toEqual([2, 'error: --usual-hour: the default hour, 0 to 23, got "24"']);
    const when = await cli([...base, '--at', 'tomorrow']);
    expect(when.code).toBe(2);
    expect(when.err).toContain('--at');
    const winner = await cli([...base, '--variant', templates[0]!, '--variant', templates[1]!, '--winner', 'opens']);
    expect([winner.code, winner.err.trim()]).toEqual([2, 'error: --winner: clicks or revenue, got "opens"']);
  });
});
