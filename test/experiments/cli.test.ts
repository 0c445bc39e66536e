/**
 * `hearth experiments` on a data directory: the list after a campaign started, one experiment's
 * results (text and the API's JSON), the power calculator, and wrong arguments answered with exit
 * status 2 naming the option.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Storage } from '../../src/db/database.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createServices } from '../../src/services.js';
import { runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';

const cli = runCliInProcess;
const dir = tempDir('hearth-experiments-cli-');
const common = ['--data-dir', dir.path];
const DAY = 86_400_000;

beforeAll(async () => {
  const storage = await Storage.open({ dataDir: dir.path, readers: 1, memoryLimit: '512MB', threads: 2 });
  await storage.migrate();
  const services = createServices(loadConfig({ HEARTH_DATA_DIR: dir.path, HEARTH_LOG_LEVEL: 'silent' }), storage, silentLogger);
  const { id } = await services.accounts.createStore({ name: 'Shop', slug: 'shop', currency: 'EUR' });
  await services.commerce.write(id, {
    customers: Array.from({ length: 80 }, (_, i) => ({ external_id: `c-${i}`, email: `c${i}@example.com`, email_consent: { status: 'subscribed' as const } })),
    orders: Array.from({ length: 40 }, (_, i) => ({
      external_id: `o-${i}`, customer_external_id: `c-${i * 2}`, placed_at: new Date(Date.now() - 50 * DAY), currency: 'EUR',
      lines: [{ product_external_id: 'p-1', title: 'Mug', quantity: 1, unit_price: 1_500 }],
    })),
  });
  const segment = await services.segments.create(id, { name: 'Everyone', rule: { kind: 'profile', field: 'email', op: 'contains', value: '@' } });
  const template = await services.templates.createFromStarter(id, 'win_back');
  const campaign = await services.campaigns.create(id, { name: 'Autumn', segment_ids: [segment.id], template_id: template.id, holdout_share: 0.2 });
  await services.campaigns.start(id, campaign.id, new Date(Date.now() - 60 * DAY));
  await services.shutdown();
  await storage.close();
});
afterAll(() => dir.remove());

describe('hearth experiments', () => {
  it('lists the campaign\'s experiment and shows its results', async () => {
    const listed = await cli(['experiments', 'list', ...common, '--json']);
    expect(listed.code, listed.err).toBe(0);
    const list = JSON.parse(listed.out) as { data: { id: string; kind: string; name: string; eligible: number; arms: { key: string; people: number }[] }[] };
    expect(list.data.map((e) => [e.kind, e.name, e.eligible])).toEqual([['campaign', 'Autumn', 80]]);
    const text = await cli(['experiments', 'list', ...common]);
    expect(text.out).toContain('Autumn');
    expect(text.out).toMatch(/sent \d+, holdout \d+/);

    const id = list.data[0]!.id;
    const shown = await cli(['experiments', 'show', id, ...common, '--window', '30']);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toContain('30-day window: sent');
    expect(shown.out).toContain('net_revenue_per_person');
    const json = JSON.parse((await cli(['experiments', 'show', id, ...common, '--json'])).out) as { windows: { days: number; still_open: number }[]; control_arm: string };
    expect(json.control_arm).toBe('holdout');
    expect(json.windows.map((w) => [w.days, w.still_open > 0])).toEqual([[7, false], [30, false], [90, true]]);
  });

  it('plans the power of an experiment', async () => {
    const plan = await cli(['experiments', 'power', ...common, '--kind', 'proportion', '--baseline', '0.05', '--per-day', '40', '--effect', '0.01', '--json']);
    expect(plan.code, plan.err).toBe(0);
    expect(Object.keys(JSON.parse(plan.out)).sort()).toEqual(['days_to_enrol', 'days_to_result', 'holdout_needed', 'people_needed', 'reason']);
  });

  it('runs the A/A calibration, and says so when no customer had ordered before the simulated days', async () => {
    const result = await cli(['experiments', 'calibrate', ...common, '--runs', '20']);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain('nothing to calibrate on yet');
    const json = JSON.parse((await cli(['experiments', 'calibrate', ...common, '--runs', '20', '--json'])).out) as { runs: number; customers: number; metrics: unknown[] };
    expect([json.runs, json.customers, json.metrics]).toEqual([20, 0, []]);
  });

  it('answers wrong arguments with exit status 2, naming the option', async () => {
    const cases: [string[], RegExp][] = [
      [['experiments', 'show', 'exp_x', ...common, '--window', '14'], /--window: one of 7, 30, 90/],
      [['experiments', 'list', ...common, '--kind', 'coupon'], /--kind/],
      [['experiments', 'power', ...common, '--kind', 'proportion', '--baseline', 'lots', '--per-day', '4', '--effect', '0.01'], /--baseline: a number/],
      [['experiments', 'power', ...common, '--kind', 'mean', '--baseline', '5000', '--per-day', '4', '--effect', '100'], /--sd/],
      [['experiments', 'power', ...common, '--kind', 'odds', '--baseline', '0.1', '--per-day', '4', '--effect', '0.01'], /--kind/],
      [['experiments', 'power', ...common, '--kind', 'proportion', '--flow', 'f', '--segment', 's', '--effect', '0.01'], /--flow and --segment/],
      [['experiments', 'calibrate', ...common, '--runs', '3'], /--runs: a whole number from 10 to 5000/],
      [['experiments', 'calibrate', ...common, '--holdout', '0.9'], /--holdout: a share from 0.01 to 0.5/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.err).toMatch(message);
    }
    const missing = await cli(['experiments', 'show', 'exp_nope', ...common]);
    expect(missing.code).not.toBe(0);
    expect(missing.err).toMatch(/not found/);
  });
});
