/**
 * A real server for the flows SIGKILL test, run as a child process so it can be killed mid-run.
 * It sends through the SMTP server given on the command line. `first`: creates a store with
 * subscribed customers, a live two-email flow and enrols them all, then prints
 * `READY <url> <storeId> <secret key> <flow id>`; `again`: starts on the same data directory and
 * prints `READY <url>`.
 */
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { startServer } from '../../src/main.js';

const [dataDir, smtpUrl, mode, count] = process.argv.slice(2) as [string, string, 'first' | 'again', string];
const server = await startServer(loadConfig({ HEARTH_DATA_DIR: dataDir, HEARTH_PORT: '0', HEARTH_LOG_LEVEL: 'silent', HEARTH_SMTP_URL: smtpUrl }), { migrate: true, logger: silentLogger });
if (mode === 'again') {
  process.stdout.write(`READY ${server.url}\n`);
} else {
  const { services } = server;
  const store = await services.accounts.createStore({ name: 'Killed Flow', currency: 'EUR' });
  const { key } = await services.accounts.createApiKey(store.id, 'secret', 'test');
  await services.messages.updateSettings(store.id, { frequency_cap_hours: 0 });
  await services.accounts.updateStore(store.id, { websiteUrl: 'https://shop.example', postalAddress: '1 Harbour Street, Bristol' });
  await services.commerce.write(store.id, {
    customers: Array.from({ length: Number(count) }, (_, i) => ({ external_id: `c${i}`, email: `c${i}@example.com`, first_name: `C${i}`, email_consent: { status: 'subscribed' as const } })),
  });
  const first = await services.templates.createFromStarter(store.id, 'welcome', { name: 'First' });
  const second = await services.templates.createFromStarter(store.id, 'newsletter', { name: 'Second' });
  const segment = await services.segments.create(store.id, { name: 'Everyone', rule: { kind: 'profile', field: 'email', op: 'is_set' } });
  const flow = await services.flows.create(store.id, {
    name: 'Two emails',
    document: {
      trigger: { kind: 'manual' }, holdout_share: 0,
      steps: [
        { id: 'first', type: 'send_email', template_id: first.id, next: 'check' },
        { id: 'check', type: 'condition', rule: { kind: 'orders', metric: 'count', op: 'eq', value: 0 }, yes: 'second', no: 'end' },
        { id: 'second', type: 'send_email', template_id: second.id, next: 'end' },
        { id: 'end', type: 'exit' },
      ],
    },
  });
  await services.flows.publish(store.id, flow.id);
  await services.flows.enrolSegment(store.id, flow.id, segment.id);
  process.stdout.write(`READY ${server.url} ${store.id} ${key} ${flow.id}\n`);
}
