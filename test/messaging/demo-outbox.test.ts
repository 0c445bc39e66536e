/**
 * The demo store's Outbox: the demo sends a few order confirmations and marketing emails through
 * the product's sender to the built-in catcher (no SMTP server is configured), so the Outbox has
 * messages to show, and the consent check holds back the one to a customer who never subscribed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ensureDemoStore } from '../../src/modules/demo/index.js';
import { createServices, type Services } from '../../src/services.js';
import { openTestStore } from '../helpers/store.js';

let services: Services | undefined;
let dispose: (() => Promise<void>) | undefined;
afterAll(async () => {
  await services?.shutdown();
  await dispose?.();
});

describe('the demo store', () => {
  it('has emails in its Outbox, caught on the machine, with consent applied', async () => {
    const store = await openTestStore();
    dispose = store.dispose;
    const dataDir = store.file.replace(/[\\/]hearth\.duckdb$/, '');
    services = createServices(loadConfig({ HEARTH_DATA_DIR: dataDir }), store, silentLogger);
    const result = await ensureDemoStore(services, dataDir, { customers: 300, end: new Date('2026-11-23T00:00:00Z'), history: false });
    const messages = await services.messages.list(result.store.id, { limit: 100 });
    const sent = messages.filter((m) => m.state === 'sent');
    expect(sent.length).toBeGreaterThanOrEqual(5);
    expect(sent.some((m) => m.purpose === 'transactional' && /^Your order .+ is confirmed$/.test(m.subject))).toBe(true);
    expect(sent.some((m) => m.purpose === 'marketing')).toBe(true);
    expect(messages.filter((m) => m.state === 'suppressed').map((m) => m.reason)).toEqual(['no_consent']);
    // Every sent message was received by the catcher, linked to its send.
    const caught = await store.read.selectFrom('caught_messages').select(['send_id', 'envelope_to']).where('store_id', '=', result.store.id).execute();
    expect(caught.map((c) => Number(c.send_id)).sort((a, b) => a - b)).toEqual(sent.map((m) => m.id).sort((a, b) => a - b));
    // Running the demo again sends nothing new.
    const again = await ensureDemoStore(services, dataDir, { customers: 300, end: new Date('2026-11-23T00:00:00Z'), history: false });
    expect(again.created).toBe(false);
    expect(await services.messages.list(result.store.id, { limit: 100 })).toHaveLength(messages.length);
  });
});
