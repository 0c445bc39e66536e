/**
 * A real server for the delivery test, run as a child process so it can be killed. Beside the
 * server's own subscribers it runs a recorder that writes each delivered event id to a file and
 * then never finishes its batch, so the batch stays unacknowledged when the process is killed.
 * Prints `READY <url> <storeId> <secret key>` once it listens.
 */
import { appendFileSync } from 'node:fs';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { startServer } from '../../src/main.js';
import { Dispatcher } from '../../src/modules/domain-events/index.js';

const [dataDir, recordFile] = process.argv.slice(2) as [string, string];
const server = await startServer(loadConfig({ HEARTH_DATA_DIR: dataDir, HEARTH_PORT: '0', HEARTH_LOG_LEVEL: 'silent' }), { migrate: true, logger: silentLogger, worker: false });
const store = await server.services.accounts.createStore({ name: 'Killed Store', currency: 'EUR' });
const { key } = await server.services.accounts.createApiKey(store.id, 'secret', 'test');
const recorder = new Dispatcher(server.services.storage, silentLogger, { pollMs: 20 }).subscribe({
  name: 'recorder', from: 'start', types: ['order.placed'],
  handle: async (events) => {
    appendFileSync(recordFile, events.map((e) => `${e.id}\n`).join(''));
    await new Promise(() => undefined);
  },
});
await recorder.start();
process.stdout.write(`READY ${server.url} ${store.id} ${key}\n`);
