/**
 * The module services the adapters (HTTP, CLI, jobs) use. Built once in the composition root.
 */
import type { Config } from './config.js';
import type { Storage } from './db/database.js';
import type { Logger } from './lib/logger.js';
import { JobQueue } from './jobs/queue.js';
import { AccountsService } from './modules/accounts/accounts.service.js';
import { AnalyticsService } from './modules/analytics/analytics.service.js';
import { CatalogService } from './modules/catalog/catalog.service.js';
import { CustomersService } from './modules/customers/customers.service.js';
import { CommerceService } from './modules/commerce/commerce.service.js';
import { OrdersService } from './modules/orders/orders.service.js';
import { EventsService } from './modules/events/events.service.js';
import { IngestService } from './modules/ingest/ingest.service.js';
import { ImportsService } from './modules/imports/imports.service.js';
import { segmentModules, type SegmentModules } from './modules/segments/segment-modules.js';

export interface Services {
  config: Config;
  storage: Storage;
  logger: Logger;
  accounts: AccountsService;
  analytics: AnalyticsService;
  jobs: JobQueue;
  commerce: CommerceService;
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

export function createServices(config: Config, storage: Storage, logger: Logger): Services {
  const services: Services = {
    config,
    storage,
    logger,
    accounts: new AccountsService(storage.write, storage.read, config.defaultTimeZone),
    analytics: new AnalyticsService(storage.write, storage.read),
    jobs: new JobQueue(storage.write, storage.read),
    commerce: new CommerceService(storage),
    customers: new CustomersService(storage.read),
    catalog: new CatalogService(storage.read),
    orders: new OrdersService(storage.read),
    events: new EventsService(storage.read),
    ingest: new IngestService(storage, logger, () => services),
    imports: new ImportsService(storage.write, storage.read, () => ({ accounts: services.accounts, writer: services.commerce }), config.defaultTimeZone),
    ...segmentModules(storage, new JobQueue(storage.write, storage.read), () => services.analytics.summaries),
    shutdown: async () => {
      await services.ingest.close();
    },
  };
  return services;
}
