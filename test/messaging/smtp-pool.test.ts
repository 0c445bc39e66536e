/**
 * HEARTH_SMTP_MAX_CONNECTIONS: how many SMTP conversations a store's sender holds at once. A real
 * SMTP server that answers slowly counts the messages it is receiving at the same moment; the
 * sender goes past the default and never past the configured number, and every message arrives once.
 */
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createServices, type Services } from '../../src/services.js';
import { openTestStore } from '../helpers/store.js';

/** An SMTP server that holds each message 40 ms and records how many it held at once at most. */
async function slowServer() {
  let open = 0;
  let peak = 0;
  let holdMs = 40;
  const received: string[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
    onData(stream, session, callback) {
      open += 1;
      peak = Math.max(peak, open);
      stream.on('data', () => undefined);
      stream.on('end', () => setTimeout(() => {
        open -= 1;
        received.push(...session.envelope.rcptTo.map((r) => r.address));
        callback(null, 'queued');
      }, holdMs));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  return {
    url: `smtp://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    received,
    peak: () => peak,
    reset: () => { peak = 0; received.length = 0; },
    /** How long each message is held before the answer. */
    hold: (ms: number) => { holdMs = ms; },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let storage: Awaited<ReturnType<typeof openTestStore>>;
let smtp: Awaited<ReturnType<typeof slowServer>>;
const opened: Services[] = [];

beforeAll(async () => {
  storage = await openTestStore();
  smtp = await slowServer();
});
afterAll(async () => {
  for (const services of opened) await services.shutdown();
  await storage.dispose();
  await smtp.close();
});

/** Services over the shared store with this environment; a store of `count` subscribed customers mailed once each. */
async function mailEveryone(env: Record<string, string>, count: number, onProgress?: (fraction: number) => Promise<void>) {
  const services = createServices(loadConfig({ HEARTH_DATA_DIR: '/tmp/unused', HEARTH_LOG_LEVEL: 'silent', ...env }), storage, silentLogger);
  opened.push(services);
  const store = await services.accounts.createStore({ name: 'Pool Store', slug: `pool-${opened.length}` });
  await services.commerce.write(store.id, { customers: Array.from({ length: count }, (_, i) => ({ external_id: `c${i}`, email: `c${i}@pool${opened.length}.example`, email_consent: { status: 'subscribed' as const } })) });
  await services.messages.updateSettings(store.id, { smtp_url: smtp.url, from_address: 'shop@pool.example' });
  const customers = await storage.read.selectFrom('customers').select('id').where('store_id', '=', store.id).execute();
  const queued = await services.messages.queueEmails(store.id, customers.map((c) => ({
    sendKey: `campaign:pool:${c.id}`, purpose: 'marketing' as const, customerId: Number(c.id),
    build: () => ({ subject: 'Hello', preheader: '', html: '<p>Hello</p>', text: 'Hello' }),
  })));
  smtp.reset();
  const result = await services.messages.sendBatch(store.id, queued.sends.map((s) => s.id), onProgress);
  return { result, addresses: customers.length };
}

describe('HEARTH_SMTP_MAX_CONNECTIONS', () => {
  it('is 5 by default and a whole number from 1 to 100, a bad value naming the variable', () => {
    expect(loadConfig({}).smtpMaxConnections).toBe(5);
    expect(loadConfig({ HEARTH_SMTP_MAX_CONNECTIONS: '20' }).smtpMaxConnections).toBe(20);
    for (const bad of ['0', '101', 'many', '2.5']) {
      expect(() => loadConfig({ HEARTH_SMTP_MAX_CONNECTIONS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ HEARTH_SMTP_MAX_CONNECTIONS: bad })).toThrow(/HEARTH_SMTP_MAX_CONNECTIONS/);
    }
  });

  it('sets how many messages are in an SMTP conversation at once, and each still arrives once', async () => {
    const wider = await mailEveryone({ HEARTH_SMTP_MAX_CONNECTIONS: '8' }, 48);
    expect(wider.result.sent).toBe(48);
    expect(new Set(smtp.received).size).toBe(48);
    expect(smtp.received.length).toBe(48);
    // Past the default, never past the setting (the lanes may not all be in DATA at the same instant).
    expect(smtp.peak()).toBeGreaterThan(5);
    expect(smtp.peak()).toBeLessThanOrEqual(8);

    const standard = await mailEveryone({}, 30);
    expect(standard.result.sent).toBe(30);
    expect(smtp.received.length).toBe(30);
    expect(smtp.peak()).toBeLessThanOrEqual(5);
  });

  it('reports the batch\'s progress (a commit that keeps the job\'s lease) once per 50 messages, however many lanes', async () => {
    // A server that answers at once: the lanes come back together, and each lane that found the
    // count at a multiple of 50 used to report it again while the others' reports were committing.
    smtp.hold(0);
    const reports: number[] = [];
    const run = await mailEveryone({ HEARTH_SMTP_MAX_CONNECTIONS: '20' }, 160, async (fraction) => {
      reports.push(fraction);
      await new Promise((resolve) => setTimeout(resolve, 10)); // as long as a commit takes
    }).finally(() => smtp.hold(40));
    expect(run.result.sent).toBe(160);
    expect(smtp.received.length).toBe(160);
    // 160 messages started: at the 50th, 100th and 150th, each once, in order.
    expect(reports).toEqual([50 / 160, 100 / 160, 150 / 160]);
  });
});
