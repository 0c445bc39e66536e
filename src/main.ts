/**
 * Composition root: config → store → migrations check → services → HTTP + worker.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { Storage } from './db/database.js';
import { buildApp } from './http/app.js';
import { openLocalAdmin } from './http/local-admin.js';
import { domainEventLag } from './http/metrics.js';
import { schedules, serverWorkers } from './jobs/handlers.js';
import { Scheduler } from './jobs/scheduler.js';
import { createLogger, type Logger } from './lib/logger.js';
import { modules } from './modules.js';
import { createServices, type Services } from './services.js';
import { Dispatcher } from './modules/domain-events/index.js';

export class PendingMigrationsError extends Error {
  constructor(readonly pending: string[]) {
    super(`The store has ${pending.length} pending migration(s) (${pending.join(', ')}). Run \`hearth migrate\` or start with \`hearth serve --migrate\`.`);
  }
}

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  dispatcher: Dispatcher;
  url: string;
  stop: () => Promise<void>;
}

/** The dashboard's built files, next to the compiled server or in the source tree. */
export function dashboardDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, '..', 'dashboard', 'dist'), join(here, '..', '..', 'dashboard', 'dist')]) {
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return undefined;
}

export async function startServer(config: Config, options: { migrate?: boolean; logger?: Logger; storage?: Storage; worker?: boolean; dispatch?: boolean } = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const storage = options.storage ?? (await Storage.open({ dataDir: config.dataDir, readers: config.db.readers, memoryLimit: config.db.memoryLimit, threads: config.db.threads }));
  try {
    if (options.migrate) {
      const applied = await storage.migrate();
      if (applied.length) logger.info({ applied }, 'migrations applied');
    } else {
      const pending = await storage.pendingMigrations();
      if (pending.length) throw new PendingMigrationsError(pending);
    }
  } catch (error) {
    if (!options.storage) await storage.close();
    throw error;
  }
  const services = createServices(config, storage, logger);
  // Changes reach the modules that follow them (the summaries, then the segments) as domain events.
  const dispatcher = new Dispatcher(storage, logger);
  for (const module of modules) for (const subscriber of module.subscribers?.(services) ?? []) dispatcher.subscribe(subscriber);
  services.commerce.onWritten(() => dispatcher.notify());
  dispatcher.onLag((subscriber, lagsMs) => {
    for (const lag of lagsMs.delivered) domainEventLag.observe({ subscriber, stage: 'delivered' }, lag / 1000);
    for (const lag of lagsMs.handled) domainEventLag.observe({ subscriber, stage: 'handled' }, lag / 1000);
  });
  const workers = serverWorkers(services, logger);
  const app = await buildApp(services, { dashboardDir: dashboardDir() });
  await app.listen({ host: config.host, port: config.port });
  // Loyalty balances are served from what is kept in memory: load each store's now, not on its first read.
  const warming = (async () => {
    for (const store of await services.accounts.listStores()) await services.loyalty.warmBalances(store.id);
  })().catch((error: unknown) => logger.warn({ err: error }, 'loyalty balances not loaded ahead; they load on first read'));
  // The `hearth` command reaches this server through DATA_DIR/hearth.sock (owner only).
  const localAdmin = await openLocalAdmin(app, config.dataDir, logger);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const scheduler = new Scheduler(
    services.jobs,
    async () => (await services.accounts.listStores()).map((s) => s.id),
    schedules,
    logger,
  );
  if (options.worker !== false) {
    for (const module of modules) await module.start?.(services);
    for (const worker of workers) worker.start();
    scheduler.start();
  }
  if (options.dispatch !== false) await dispatcher.start();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // Stop taking requests and let in-flight ones (and their commits) finish, then the worker,
      // then checkpoint and close the store.
      await localAdmin?.close();
      await app.close();
      await warming;
      scheduler.stop();
      await dispatcher.stop();
      await Promise.all(workers.map((worker) => worker.stop()));
      await services.shutdown();
      await storage.close();
    })();
    return stopping;
  };
  return { app, services, dispatcher, url: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`, stop };
}
