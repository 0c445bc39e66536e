/**
 * The demo store's lifecycle through the service: a generation that fails part-way leaves no
 * demo store and no rows behind, and the next run creates it cleanly; the printed login and keys
 * really work.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ensureDemoStore, readDemoLogin } from '../../src/modules/demo/demo.service.js';
import { storeStatus } from '../../src/modules/status/status.service.js';
import { createServices, type Services } from '../../src/services.js';
import { openTestStore } from '../helpers/store.js';

const END = new Date('2026-11-23T00:00:00Z');
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function servicesInTempDir(): Promise<{ services: Services; dataDir: string }> {
  const store = await openTestStore();
  const dataDir = store.file.replace(/[\\/]hearth\.duckdb$/, '');
  const services = createServices(loadConfig({ HEARTH_DATA_DIR: dataDir }), store, silentLogger);
  cleanup = async () => {
    await services.shutdown();
    await store.dispose();
  };
  return { services, dataDir };
}

describe('demo store lifecycle', () => {
  it('leaves nothing behind when generation fails, and succeeds on the next run', async () => {
    const { services, dataDir } = await servicesInTempDir();
    const failing = ensureDemoStore(services, dataDir, { customers: 5_000, end: END, history: false }, (done) => {
      if (done >= 4_000) throw new Error('disk full (simulated)');
    });
    await expect(failing).rejects.toThrow('disk full (simulated)');
    expect(await services.accounts.findStore('demo')).toBeUndefined();
    const after = await storeStatus(services.storage.read, services.jobs);
    expect(after.stores).toEqual([]);
    const leftovers = await services.storage.read.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(leftovers.n)).toBe(0);
    // The failure came after the merge had stored the store's data and recorded its events: none are left.
    const events = await services.storage.read.selectFrom('domain_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(events.n)).toBe(0);
    expect(readDemoLogin(dataDir)).toBeUndefined();

    const result = await ensureDemoStore(services, dataDir, { customers: 1_000, end: END, history: false });
    expect(result.created).toBe(true);
    expect(result.counts.customers).toBe(1_000);
    const status = await storeStatus(services.storage.read, services.jobs);
    expect(status.stores.map((s) => s.counts.customers)).toEqual([1_000]);
  }, 300_000);

  it('creates an owner who can sign in, and keys that authenticate for the demo store', async () => {
    const { services, dataDir } = await servicesInTempDir();
    const result = await ensureDemoStore(services, dataDir, { customers: 300, end: END, history: false });
    const { session } = await services.accounts.login(result.login.email, result.login.password);
    expect(session.stores).toEqual([expect.objectContaining({ id: result.store.id, role: 'owner' })]);
    expect(await services.accounts.authenticateKey(result.login.writeKey)).toMatchObject({ storeId: result.store.id, keyKind: 'write' });
    expect(await services.accounts.authenticateKey(result.login.secretKey)).toMatchObject({ storeId: result.store.id, keyKind: 'secret' });
    // A win-back campaign three weeks old: its audience frozen with a holdout, a message queued for
    // each person sent it, and results over a closed window.
    const campaign = (await services.campaigns.list(result.store.id)).find((c) => c.name === 'We miss you — spring win-back');
    expect(campaign).toMatchObject({ name: 'We miss you — spring win-back', status: 'sending', holdout_share: 0.2, started_at: new Date(END.getTime() - 21 * 86_400_000) });
    const results = await services.campaigns.results(result.store.id, campaign!.id);
    const sent = results.groups.find((g) => g.group === 'sent')!;
    const held = results.groups.find((g) => g.group === 'holdout')!;
    expect(sent.people + held.people).toBeGreaterThan(0);
    expect(results.complete).toBe(true);
    expect(results.messages!.queued + results.messages!.suppressed).toBe(sent.people);
    const comeback = await services.storage.read.selectFrom('orders').select('customer_id').where('store_id', '=', result.store.id).where('external_id', 'like', 'WB-%').execute();
    expect(sent.buyers).toBeGreaterThanOrEqual(comeback.length);
    const again = await ensureDemoStore(services, dataDir, { customers: 300, end: END, history: false });
    expect(again.created).toBe(false);
    expect(again.login).toEqual(result.login);
  }, 300_000);
});
