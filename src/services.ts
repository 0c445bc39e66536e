/**
 * The module services the adapters (HTTP, CLI, jobs) use. Built once in the composition root.
 */
import type { Config } from './config.js';
import type { Store } from './db/database.js';
import type { Logger } from './lib/logger.js';
import { JobQueue } from './jobs/queue.js';
import { AccountsService } from './modules/accounts/accounts.service.js';

export interface Services {
  config: Config;
  store: Store;
  logger: Logger;
  accounts: AccountsService;
  jobs: JobQueue;
  /** Flushes buffers and stops timers before the store closes. */
  shutdown: () => Promise<void>;
}

export function createServices(config: Config, store: Store, logger: Logger): Services {
  return {
    config,
    store,
    logger,
    accounts: new AccountsService(store.write, store.read, config.defaultTimeZone),
    jobs: new JobQueue(store.write, store.read),
    shutdown: async () => {},
  };
}
