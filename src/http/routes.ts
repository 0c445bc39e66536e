/**
 * Every route of the server, by area. Each spec states its permission (see `route.ts`):
 * public, track (write key), read (any member), write (owner/admin, secret key), owner.
 */
import { accountRoutes } from './admin/accounts.routes.js';
import { importsScope } from './admin/imports.routes.js';
import { analyticsRoutes } from './admin/analytics.routes.js';
import { journeyRoutes } from './admin/journey.routes.js';
import { campaignRoutes } from './admin/campaigns.routes.js';
import { commerceRoutes } from './admin/commerce.routes.js';
import { experimentRoutes } from './admin/experiments.routes.js';
import { flowLibraryRoutes } from './admin/flow-library.routes.js';
import { flowRoutes } from './admin/flows.routes.js';
import { jobRoutes } from './admin/jobs.routes.js';
import { loyaltyRoutes } from './admin/loyalty.routes.js';
import { messageRoutes } from './admin/messages.routes.js';
import { offerRoutes } from './admin/offers.routes.js';
import { overviewRoutes } from './admin/overview.routes.js';
import { predictionRoutes } from './admin/predictions.routes.js';
import { profileRoutes } from './admin/profiles.routes.js';
import { recommendationRoutes } from './admin/recommendations.routes.js';
import { reviewRoutes } from './admin/reviews.routes.js';
import { segmentRoutes } from './admin/segments.routes.js';
import { storefrontRoutes } from './admin/storefront.routes.js';
import { storefrontSurveyRoutes } from './admin/storefront-surveys.routes.js';
import { templateRoutes } from './admin/templates.routes.js';
import { supportRoutes } from './admin/support.routes.js';
import { topicRoutes } from './admin/topics.routes.js';
import { emailWebhookScope } from './ingest/email-webhooks.routes.js';
import { ingestScope, ingestStatusRoutes } from './ingest/ingest.routes.js';
import { helpdeskWebhookScope } from './ingest/helpdesk-webhooks.routes.js';
import { smsWebhookScope } from './ingest/sms-webhooks.routes.js';
import { listenPageScope } from './public/listen.routes.js';
import { trackingRoutes } from './public/tracking.routes.js';
import { reviewPageScope } from './public/review-page.routes.js';
import { unsubscribeScope } from './public/unsubscribe.routes.js';
import type { RouteScope, RouteSpec } from './route.js';

export const allRoutes: readonly RouteSpec[] = [
  ...accountRoutes,
  ...analyticsRoutes,
  ...journeyRoutes,
  ...commerceRoutes,
  ...jobRoutes,
  ...predictionRoutes,
  ...overviewRoutes,
  ...segmentRoutes,
  ...campaignRoutes,
  ...flowLibraryRoutes,
  ...flowRoutes,
  ...experimentRoutes,
  ...loyaltyRoutes,
  ...offerRoutes,
  ...reviewRoutes,
  ...recommendationRoutes,
  ...storefrontRoutes,
  ...storefrontSurveyRoutes,
  ...profileRoutes,
  ...templateRoutes,
  ...ingestStatusRoutes,
  ...messageRoutes,
  ...topicRoutes,
  ...supportRoutes,
  ...trackingRoutes,
];

/** Route groups with their own HTTP setup (body parsers, CORS), each in its own scope. */
export const scopedRoutes: readonly RouteScope[] = [
  ingestScope,
  importsScope,
  unsubscribeScope,
  reviewPageScope,
  emailWebhookScope,
  smsWebhookScope,
  helpdeskWebhookScope,
  listenPageScope,
];
