import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { openTestStore } from './store.js';

/** A real Hearth server listening on 127.0.0.1 (port chosen by the OS) over a fresh store. */
export async function listeningServer(options: { currency?: string } = {}): Promise<{ server: RunningServer; url: string; storeId: string; writeKey: string; serverKey: string; close: () => Promise<void> }> {
  const store = await openTestStore();
  const config = loadConfig({ HEARTH_DATA_DIR: store.file.replace(/\/hearth\.duckdb$/, ''), HEARTH_HOST: '127.0.0.1', HEARTH_PORT: '0', HEARTH_LOG_LEVEL: 'silent' });
  const server = await startServer(config, { storage: store, logger: silentLogger, worker: false });
  const created = await server.services.accounts.createStore({ name: 'Live Store', currency: options.currency ?? 'USD' });
  const { key } = await server.services.accounts.createApiKey(created.id, 'write', 'clients');
  const serverKey = await server.services.accounts.createApiKey(created.id, 'server', 'clients');
  return {
    server, url: server.url, storeId: created.id, writeKey: key, serverKey: serverKey.key,
    // The server's own shutdown: requests, then the domain-event dispatcher (whose subscribers may
    // still be writing), then the store; only then is the directory removed.
    close: async () => {
      await server.stop();
      rmSync(dirname(store.file), { recursive: true, force: true });
    },
  };
}
