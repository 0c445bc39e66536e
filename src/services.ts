/**
 * The module services the adapters (HTTP, CLI, jobs) use. Built once in the composition root.
 */
import type { Config } from './config.js';
import type { Store } from './db/database.js';
import type { Logger } from './lib/logger.js';
import { JobQueue } from './jobs/queue.js';
import { AccountsService } from './modules/accounts/accounts.service.js';
import { AnalyticsService } from './modules/analytics/analytics.service.js';
import { CatalogService } from './modules/catalog/catalog.service.js';
import { CustomersService } from './modules/customers/customers.service.js';
import { DataService } from './modules/orders/data.service.js';
import { OrdersService } from './modules/orders/orders.service.js';
import { EventsService } from './modules/events/events.service.js';
import { IngestService } from './modules/ingest/ingest.service.js';
import { ImportsService } from './modules/imports/imports.service.js';
import { segmentModules, type SegmentModules } from './modules/segments/segment-modules.js';

export interface Services {
  config: Config;
  store: Store;
  logger: Logger;
  accounts: AccountsService;
  analytics: AnalyticsService;
  jobs: JobQueue;
  data: DataService;
  customers: CustomersService;
  catalog: CatalogService;
  orders: OrdersService;
  events: EventsService;
  ingest: IngestService;
  imports: ImportsService;
  segments: SegmentModules['segments'];
  personas: SegmentModules['personas'];
  profiles: SegmentModules['profiles'];
  /** Flushes buffers and stops timers before the store closes. */
  shutdown: () => Promise<void>;
}

export function createServices(config: Config, store: Store, logger: Logger): Services {
  const services: Services = {
    config,
    store,
    logger,
    accounts: new AccountsService(store.write, store.read, config.defaultTimeZone),
    analytics: new AnalyticsService(store.write, store.read),
    jobs: new JobQueue(store.write, store.read),
    data: new DataService(store),
    customers: new CustomersService(store.read),
    catalog: new CatalogService(store.read),
    orders: new OrdersService(store.read),
    events: new EventsService(store.read),
    ingest: new IngestService(store, logger, () => services),
    imports: new ImportsService(store.write, store.read, () => ({ accounts: services.accounts, writer: services.data }), config.defaultTimeZone),
    ...segmentModules(store, new JobQueue(store.write, store.read), () => services.analytics.summaries),
    shutdown: async () => {
      await services.ingest.close();
    },
  };
  return services;
}
