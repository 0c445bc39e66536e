/**
 * A real server for the offers SIGKILL test, run as a child process so it can be killed while codes
 * are being issued. `first`: creates a store with customers and an offer, then prints
 * `READY <url> <secret key> <offer id>`; `again`: starts on the same data directory and prints `READY <url>`.
 */
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { startServer } from '../../src/main.js';

const [dataDir, mode, count] = process.argv.slice(2) as [string, 'first' | 'again', string];
const server = await startServer(loadConfig({ HEARTH_DATA_DIR: dataDir, HEARTH_PORT: '0', HEARTH_LOG_LEVEL: 'silent' }), { migrate: true, logger: silentLogger });
if (mode === 'again') {
  process.stdout.write(`READY ${server.url}\n`);
} else {
  const { services } = server;
  const store = await services.accounts.createStore({ name: 'Killed Offers', currency: 'EUR' });
  const { key } = await services.accounts.createApiKey(store.id, 'secret', 'test');
  await services.commerce.write(store.id, { customers: Array.from({ length: Number(count) }, (_, i) => ({ external_id: `c${i}` })) });
  const offer = await services.offers.create(store.id, { name: 'Kill me', value_kind: 'percent', value: 10, valid_days: 7, pattern: 'KO-??????', pool_size: 15, holdout_share: 0 });
  process.stdout.write(`READY ${server.url} ${key} ${offer.id}\n`);
}
