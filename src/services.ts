/**
 * The module services the adapters (HTTP, CLI, jobs) use. Built once in the composition root.
 */
import type { Config } from './config.js';
import type { Storage } from './db/database.js';
import type { Logger } from './lib/logger.js';
import { JobQueue } from './jobs/queue.js';
import { AccountsService } from './modules/accounts/index.js';
import { AnalyticsService } from './modules/analytics/index.js';
import { CampaignsService } from './modules/campaigns/index.js';
import { CatalogService } from './modules/catalog/index.js';
import { CustomersService } from './modules/customers/index.js';
import { CommerceService } from './modules/commerce/index.js';
import { CheckoutsService, OrdersService } from './modules/orders/index.js';
import { EventsService } from './modules/events/index.js';
import { IngestService } from './modules/ingest/index.js';
import { ImportsService } from './modules/imports/index.js';
import { CampaignEmails, DeliveryReportsService, EngagementService, MessagesService, SuppressionsService, TemplatesService, UnsubscribeService } from './modules/messaging/index.js';
import { PersonasService } from './modules/personas/index.js';
import { PredictionsService } from './modules/predictions/index.js';
import { ProfilesService } from './modules/profiles/index.js';
import { SegmentsService, type OrderSummaries } from './modules/segments/index.js';

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
  checkouts: CheckoutsService;
  events: EventsService;
  ingest: IngestService;
  imports: ImportsService;
  segments: SegmentsService;
  personas: PersonasService;
  profiles: ProfilesService;
  predictions: PredictionsService;
  campaigns: CampaignsService;
  templates: TemplatesService;
  messages: MessagesService;
  unsubscribe: UnsubscribeService;
  suppressions: SuppressionsService;
  engagement: EngagementService;
  deliveryReports: DeliveryReportsService;
  /** Flushes buffers and stops timers before the store closes. */
  shutdown: () => Promise<void>;
}

export function createServices(config: Config, storage: Storage, logger: Logger): Services {
  const segmentsEtc = segmentServices(storage, new JobQueue(storage.write, storage.read), () => services.analytics.summaries);
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
    checkouts: new CheckoutsService(storage.read),
    events: new EventsService(storage.read),
    ingest: new IngestService(storage, logger, () => services),
    imports: new ImportsService(storage.write, storage.read, () => ({ accounts: services.accounts, writer: services.commerce }), config.defaultTimeZone),
    ...segmentsEtc,
    predictions: new PredictionsService(storage, new JobQueue(storage.write, storage.read)),
    // A campaign is sent by email through the messaging module (looked up late, as services are built together).
    campaigns: new CampaignsService(storage, segmentsEtc.segments, new JobQueue(storage.write, storage.read), () => new CampaignEmails(services.messages, services.templates, services.engagement)),
    templates: new TemplatesService(storage, { accounts: () => services.accounts, customers: () => services.customers }),
    messages: new MessagesService(storage, new JobQueue(storage.write, storage.read), { publicUrl: config.publicUrl, secret: config.secret, smtpUrl: config.smtpUrl, smtpMaxConnections: config.smtpMaxConnections }, logger),
    unsubscribe: new UnsubscribeService(storage, () => services.commerce, config.secret),
    suppressions: new SuppressionsService(storage),
    engagement: new EngagementService(storage, config.publicUrl, (storeId) => services.messages.linkKey(storeId)),
    deliveryReports: new DeliveryReportsService(storage, () => services, { publicUrl: config.publicUrl, snsCertHosts: config.snsCertHosts }),
    shutdown: async () => {
      await services.ingest.close();
      await services.messages.close();
    },
  };
  return services;
}

/**
 * Segments, personas and profiles: personas save segments, and the profile reads both.
 * `summaries` gives the analytics module's summaries (looked up late, as services are built together).
 */
export function segmentServices(storage: Storage, jobs: JobQueue, summaries?: () => OrderSummaries | undefined) {
  const segments = new SegmentsService(storage, jobs, summaries);
  const personas = new PersonasService(storage, segments);
  return { segments, personas, profiles: new ProfilesService(storage, segments, personas, summaries) };
}
