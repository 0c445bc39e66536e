/** `hearth support tickets|retention` and `hearth surveys results` on a data directory; usage errors exit 2 naming the flag. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Storage } from '../../src/db/database.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createServices } from '../../src/services.js';
import { runCliInProcess as cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/store.js';

const dir = tempDir('hearth-support-cli-');
const common = ['--data-dir', dir.path];
const scores = [10, 9, 9, 8, 7, 6, 3, 0];

beforeAll(async () => {
  const storage = await Storage.open({ dataDir: dir.path, readers: 1, memoryLimit: '512MB', threads: 2 });
  await storage.migrate();
  const services = createServices(loadConfig({ HEARTH_DATA_DIR: dir.path, HEARTH_LOG_LEVEL: 'silent' }), storage, silentLogger);
  const { id } = await services.accounts.createStore({ name: 'Teas', slug: 'teas', currency: 'EUR' });
  const customers = scores.map((_, i) => ({ external_id: `c${i}`, email: `c${i}@example.com` }));
  await services.commerce.write(id, { customers });
  await services.support.createTicket(id, { external_id: 'Z-1', customer_id: 'ext:c0', subject: 'Where is my order?', opened_at: '2026-11-01T10:00:00Z', first_response_at: '2026-11-01T10:30:00Z' });
  for (const [i, score] of scores.entries()) {
    const customer = await services.customers.get(id, `ext:c${i}`);
    const { url } = await services.surveys.link(id, { customer_id: customer.id, kind: 'nps', key: 'q4' });
    await services.surveys.answer(new URL(url).pathname.slice(3), { score: String(score), comment: 'quick delivery' });
  }
  await services.shutdown();
  await storage.close();
});
afterAll(() => dir.remove());

describe('hearth support and surveys', () => {
  it('lists tickets, prints the retention tables and the NPS as the API computes it', async () => {
    const tickets = await cli(['support', 'tickets', ...common]);
    expect(tickets.code).toBe(0);
    expect(tickets.out).toContain('where_is_my_order');
    expect(tickets.out).toContain('30 min');

    const retention = JSON.parse((await cli(['support', 'retention', '--json', ...common])).out);
    expect(retention.nps_category.map((r: { group: string }) => r.group)).toEqual(['promoter', 'passive', 'detractor']);
    expect(retention.window_days).toBe(90);

    const results = await cli(['surveys', 'results', ...common]);
    expect(results.code).toBe(0);
    // 3 promoters, 3 detractors of 8: NPS 0.
    expect(results.out).toContain('NPS 0.0 (95 % interval');
    expect(results.out).toContain('from 8 answers: 3 promoters, 2 passives, 3 detractors');
    expect(results.out).toContain('quick delivery (8)');
  });

  it('exits 2 naming a bad flag', async () => {
    for (const [args, flag] of [[['support', 'tickets', '--status', 'done'], '--status'], [['support', 'retention', '--as-of', '30/11'], '--as-of'], [['surveys', 'results', '--kind', 'ces'], '--kind']] as const) {
      const run = await cli([...args, ...common]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.err).toContain(flag);
    }
  });
});
