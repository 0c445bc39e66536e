/**
 * A real server for the SIGKILL test, run as a child process so it can be killed mid-send. It
 * sends through the SMTP server given on the command line (HEARTH_SMTP_URL). `first`: creates a
 * store with subscribed customers and queues one marketing message to each, then prints
 * `READY <url> <storeId> <secret key>`; `again`: just starts on the same data directory and prints
 * `READY <url>`.
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
  const store = await services.accounts.createStore({ name: 'Killed Sender', currency: 'EUR' });
  const { key } = await services.accounts.createApiKey(store.id, 'secret', 'test');
  const n = Number(count);
  await services.commerce.write(store.id, {
    customers: Array.from({ length: n }, (_, i) => ({ external_id: `c${i}`, email: `c${i}@example.com`, first_name: `C${i}`, email_consent: { status: 'subscribed' as const } })),
  });
  const customers = await services.storage.read.selectFrom('customers').select(['id', 'external_id']).where('store_id', '=', store.id).execute();
  await services.messages.queueEmails(store.id, customers.map((c) => ({
    sendKey: `campaign:kill:${c.external_id}`, purpose: 'marketing' as const, customerId: Number(c.id), source: 'campaign:kill',
    build: (links) => ({ subject: `Hello ${c.external_id}`, preheader: '', html: `<p>Hello ${c.external_id}</p><a href="${links.unsubscribe_url}">Unsubscribe</a>`, text: `Hello ${c.external_id}` }),
  })));
  process.stdout.write(`READY ${server.url} ${store.id} ${key}\n`);
}
