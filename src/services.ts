/**
 * The module services the adapters (HTTP, CLI, jobs) use. Built once in the composition root.
 */
import type { Config } from './config.js';
import type { Storage } from './db/database.js';
import type { Logger } from './lib/logger.js';
import { JobQueue } from './jobs/queue.js';
import { systemClock, type Clock } from './lib/clock.js';
import { AccountsService } from './modules/accounts/index.js';
import { AnalyticsService } from './modules/analytics/index.js';
import { CampaignsService } from './modules/campaigns/index.js';
import { CatalogService } from './modules/catalog/index.js';
import { CustomersService } from './modules/customers/index.js';
import { CommerceService } from './modules/commerce/index.js';
import { CheckoutsService, OrdersService } from './modules/orders/index.js';
import { EventsService } from './modules/events/index.js';
import { ExperimentsService } from './modules/experiments/index.js';
import { FlowBacktestService, FlowLibraryService, FlowsService } from './modules/flows/index.js';
import { IngestService } from './modules/ingest/index.js';
import { LoyaltyService } from './modules/loyalty/index.js';
import { DEFAULT_SHOPIFY_ADMIN_URL, OFFERS_SHOPIFY_PUSH_JOB, OffersService } from './modules/offers/index.js';
import { RecommendationsService } from './modules/recommendations/index.js';
import { ReviewsService } from './modules/reviews/index.js';
import { ImportsService } from './modules/imports/index.js';
import {
  CampaignEmails, DeliveryReportsService, EngagementService, MessagesService, SmsWebhooksService, SuppressionsService, TemplatesService, TopicsService, UnsubscribeService,
} from './modules/messaging/index.js';
import { PersonasService } from './modules/personas/index.js';
import { PredictionsService } from './modules/predictions/index.js';
import { ProfilesService } from './modules/profiles/index.js';
import { SegmentsService, type OrderSummaries } from './modules/segments/index.js';
import { SupportService } from './modules/support/index.js';
import { SurveysService } from './modules/surveys/index.js';

export interface Services {
  config: Config;
  storage: Storage;
  logger: Logger;
  /** The time the flow engine and the job queue read (a test moves it). */
  clock: Clock;
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
  topics: TopicsService;
  suppressions: SuppressionsService;
  engagement: EngagementService;
  deliveryReports: DeliveryReportsService;
  smsWebhooks: SmsWebhooksService;
  flows: FlowsService;
  flowLibrary: FlowLibraryService;
  flowBacktest: FlowBacktestService;
  loyalty: LoyaltyService;
  offers: OffersService;
  recommendations: RecommendationsService;
  experiments: ExperimentsService;
  support: SupportService;
  surveys: SurveysService;
  reviews: ReviewsService;
  /** Flushes buffers and stops timers before the store closes. */
  shutdown: () => Promise<void>;
}

export function createServices(config: Config, storage: Storage, logger: Logger, clock: Clock = systemClock): Services {
  const queue = () => new JobQueue(storage.write, storage.read, clock);
  const segmentsEtc = segmentServices(storage, queue(), () => services.analytics.summaries, config.publicUrl);
  const services: Services = {
    config,
    storage,
    logger,
    clock,
    accounts: new AccountsService(storage.write, storage.read, config.defaultTimeZone),
    analytics: new AnalyticsService(storage.write, storage.read),
    jobs: queue(),
    commerce: new CommerceService(storage),
    customers: new CustomersService(storage.read),
    catalog: new CatalogService(storage.read),
    orders: new OrdersService(storage.read),
    checkouts: new CheckoutsService(storage.read),
    events: new EventsService(storage.read),
    ingest: new IngestService(storage, logger, () => services),
    imports: new ImportsService(storage.write, storage.read, () => ({ accounts: services.accounts, writer: services.commerce }), config.defaultTimeZone),
    ...segmentsEtc,
    predictions: new PredictionsService(storage, queue()),
    // A campaign is sent by email through the messaging module (looked up late, as services are built together).
    // Campaigns mail through messaging and leave the global holdout's people out of their results (looked up late).
    campaigns: new CampaignsService(
      storage, segmentsEtc.segments, queue(), () => new CampaignEmails(services.messages, services.templates, services.engagement, storage.read, services.topics, () => services.offers, () => services.segments),
      (storeId, at) => services.experiments.globallyHeldOut(storeId, at),
    ),
    templates: new TemplatesService(storage, { accounts: () => services.accounts, customers: () => services.customers, recommendations: () => services.recommendations }),
    messages: new MessagesService(storage, queue(), { publicUrl: config.publicUrl, secret: config.secret, smtpUrl: config.smtpUrl, smtpMaxConnections: config.smtpMaxConnections }, logger),
    unsubscribe: new UnsubscribeService(storage, () => services.commerce, config.secret, () => services.topics),
    topics: new TopicsService(storage),
    suppressions: new SuppressionsService(storage),
    engagement: new EngagementService(storage, config.publicUrl, (storeId) => services.messages.linkKey(storeId)),
    deliveryReports: new DeliveryReportsService(storage, () => services, { publicUrl: config.publicUrl, snsCertHosts: config.snsCertHosts }),
    smsWebhooks: new SmsWebhooksService(storage, () => services, config.publicUrl),
    // Flows queue emails through messaging and test rules with the segments (looked up late, as services are built together).
    flows: new FlowsService(storage, queue(), clock, () => services, logger),
    flowLibrary: new FlowLibraryService(storage, () => services),
    flowBacktest: new FlowBacktestService(storage, clock, () => services),
    loyalty: new LoyaltyService(storage),
    // Offers ask the segments who may get a code and the experiments how the offer did (looked up late).
    offers: new OffersService(storage, {
      segments: () => ({
        exists: async (storeId, segmentId) => (await services.segments.list(storeId)).some((s) => s.id === segmentId),
        isMember: async (storeId, segmentId, customerId) => (await services.segments.membershipsOf(storeId, customerId)).current.some((m) => m.segment_id === segmentId),
      }),
      experiments: () => services.experiments,
      shopify: { adminUrl: config.shopifyAdminUrl ?? DEFAULT_SHOPIFY_ADMIN_URL },
      enqueuePush: async (storeId, offerId) => {
        await queue().enqueue(OFFERS_SHOPIFY_PUSH_JOB, { storeId, offerId }, { storeId });
      },
    }),
    // A customer without orders starts from what is popular in the segment a request names (a
    // campaign's), else in their persona.
    recommendations: new RecommendationsService(
      storage, queue(), () => clock.now(),
      async (storeId, customerId) => (await services.personas.personasOf(storeId, customerId))[0],
      (storeId, segmentId) => services.segments.find(storeId, segmentId),
    ),
    // The global holdout is a sending setting (messaging screens sends with it); experiments measure it.
    experiments: new ExperimentsService(storage, () => services.messages),
    // Support and surveys sign links with the store's link key, mail through messaging and read orders (looked up late).
    support: new SupportService(storage, () => ({
      linkKey: (storeId) => services.messages.linkKey(storeId),
      findStore: (storeId) => services.accounts.findStore(storeId),
      order: (storeId, ref) => services.orders.get(storeId, ref),
      queueEmails: (storeId, emails) => services.messages.queueEmails(storeId, emails),
      recentDetractor: (storeId, customerId, since) => services.surveys.recentDetractor(storeId, customerId, since),
    }), config.publicUrl),
    // Surveys also ask loyalty what an answer earns, for the thank-you (the points are awarded on survey.answered).
    surveys: new SurveysService(storage, () => ({
      linkKey: (storeId) => services.messages.linkKey(storeId),
      findStore: (storeId) => services.accounts.findStore(storeId),
      queueEmails: (storeId, emails) => services.messages.queueEmails(storeId, emails),
      surveyPoints: (storeId, customerId, answerId) => services.loyalty.surveyPoints(storeId, customerId, answerId),
    }), config.publicUrl),
    // Reviews sign their links with the store's link key and mail replies through messaging (looked up late).
    reviews: new ReviewsService(storage, {
      clock, publicUrl: config.publicUrl, dataDir: config.dataDir,
      linkKey: (storeId) => services.messages.linkKey(storeId),
      storeName: async (storeId) => (await services.accounts.findStore(storeId))?.name ?? null,
      timeZone: async (storeId) => (await services.accounts.getStore(storeId)).timezone,
      customerId: async (storeId, id) => (await services.customers.get(storeId, id)).id,
      mail: async (storeId, email) => {
        await services.messages.queueEmails(storeId, [{
          sendKey: email.sendKey, purpose: 'transactional', customerId: email.customerId, to: email.to,
          build: () => ({ subject: email.subject, preheader: '', html: email.html, text: email.text }),
        }]);
      },
    }),
    shutdown: async () => {
      await services.ingest.close();
      await services.messages.close();
      await services.loyalty.close();
    },
  };
  // "Send a test" of a template goes through the ledger and the store's transport.
  services.templates.useTestSender((storeId, to, message, template) => services.messages.sendTest(storeId, to, message, { templateId: template.id, templateVersion: template.version }));
  // A write to the catalogue (publication, stock, price) is seen by the next recommendation at once.
  services.commerce.onWritten((storeId, summary) => {
    if (summary.products && summary.products.created + summary.products.updated > 0) services.recommendations.catalogueChanged(storeId);
  });
  // Bounces and abuse reports mailed to the built-in catcher suppress addresses like the providers' webhooks.
  services.messages.onCaughtReport((raw) => services.deliveryReports.receiveCaughtMail(raw));
  return services;
}

/**
 * Segments, personas and profiles: personas save segments, and the profile reads both.
 * `summaries` gives the analytics module's summaries (looked up late, as services are built together);
 * `publicUrl` is where the profile's review photos are served.
 */
export function segmentServices(storage: Storage, jobs: JobQueue, summaries?: () => OrderSummaries | undefined, publicUrl = '') {
  const segments = new SegmentsService(storage, jobs, summaries);
  const personas = new PersonasService(storage, segments);
  return { segments, personas, profiles: new ProfilesService(storage, segments, personas, summaries, publicUrl) };
}
