/**
 * Leaves a data directory as a crash during an SMTP conversation would: a store with one message
 * left `sending`, then the start-up recovery that marks it uncertain. Run as its own process (the
 * CLI under test then opens the directory). Prints `DONE <store id>`.
 */
import { loadConfig } from '../../src/config.js';
import { Storage } from '../../src/db/database.js';
import { silentLogger } from '../../src/lib/logger.js';
import { appendStates } from '../../src/modules/messaging/sends.repository.js';
import { createServices } from '../../src/services.js';

const [dataDir] = process.argv.slice(2) as [string];
const storage = await Storage.open({ dataDir, readers: 1, memoryLimit: '256MB', threads: 1 });
await storage.migrate();
const services = createServices(loadConfig({ HEARTH_DATA_DIR: dataDir }), storage, silentLogger);
const store = await services.accounts.createStore({ name: 'CLI Store', slug: 'cli-store' });
const queued = await services.messages.queueEmails(store.id, [{
  sendKey: 'receipt:1', purpose: 'transactional', to: 'ann@example.com', build: () => ({ subject: 'Receipt 1', preheader: '', html: '<p>1</p>', text: '1' }),
}]);
await appendStates(storage.write, [{ storeId: store.id, sendId: queued.sends[0]!.id, state: 'sending', attempt: 1 }]);
const recovered = await services.messages.recoverInterrupted();
await services.shutdown();
await storage.close();
process.stdout.write(`DONE ${store.id} ${JSON.stringify(recovered)}\n`);
