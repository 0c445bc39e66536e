import type { Migration, MigrationProvider } from 'kysely';
import * as foundation from './2026-11-23T000000-foundation.js';
import * as predictions from './2026-11-23T000300-predictions.js';
import * as analyticsSummaries from './2026-11-23T000400-analytics-summaries.js';
import * as ingest from './2026-11-23T000500-ingest.js';
import * as segments from './2026-11-23T000600-segments.js';
import * as messageKeys from './2026-11-23T000700-message-keys.js';
import * as trackingOrigins from './2026-11-23T000800-tracking-origins.js';
import * as eventFingerprints from './2026-11-23T000900-event-fingerprints.js';
import * as domainEvents from './2026-12-01T000000-domain-events.js';
import * as returnOrderRef from './2026-12-01T000100-return-order-ref.js';
import * as orderSourceTime from './2026-12-01T000200-order-source-time.js';
import * as identityAndConsent from './2026-12-02T000000-identity-and-consent.js';
import * as orderLifecycle from './2026-12-02T000100-order-lifecycle.js';
import * as personaRuns from './2026-12-02T000510-persona-runs.js';
import * as messageTemplates from './2026-12-03T000000-message-templates.js';
import * as messageSends from './2026-12-03T000100-message-sends.js';
import * as campaigns from './2026-12-03T000200-campaigns.js';
import * as messageEngagement from './2026-12-03T000300-message-engagement.js';
import * as storeBranding from './2026-12-03T000500-store-branding.js';
import * as smsWebhookChannels from './2026-12-03T000600-sms-webhook-channels.js';
import * as sendTiming from './2026-12-03T000700-send-timing.js';
import * as messageTopics from './2026-12-03T000800-message-topics.js';
import * as flows from './2026-12-03T000900-flows.js';
import * as loyalty from './2026-12-03T001000-loyalty.js';
import * as recommendations from './2026-12-03T001100-recommendations.js';
import * as flowLibrary from './2026-12-03T001150-flow-library.js';
import * as experiments from './2026-12-03T001200-experiments.js';
import * as loyaltyReferrals from './2026-12-03T001300-loyalty-referrals.js';
import * as offers from './2026-12-03T001400-offers.js';
import * as offersShopify from './2026-12-03T001450-offers-shopify.js';
import * as experimentOutcomes from './2026-12-04T000100-experiment-outcomes.js';
import * as reviewRequestTiming from './2026-12-05T000200-review-request-timing.js';
import * as campaignText from './2026-12-05T000300-campaign-text.js';
import * as supportAndSurveys from './2026-12-03T001700-support-and-surveys.js';
import * as reviews from './2026-12-03T001600-reviews.js';
import * as reviewPhotos from './2026-12-05T000100-review-photos.js';
import * as productAvailability from './2026-12-06T000100-product-availability.js';
import * as recommendationPriceBand from './2026-12-06T000200-recommendation-price-band.js';
import * as loyaltyCustomerIndex from './2026-12-07T000100-loyalty-customer-index.js';
import * as loyaltyEntriesKeys from './2026-12-08T000100-loyalty-entries-keys.js';
import * as loyaltyRedemptionLookups from './2026-12-08T000200-loyalty-redemption-lookups.js';
import * as journeyEvents from './2026-12-09T000100-journey-events.js';
import * as journeyKeptFacts from './2026-12-10T000100-journey-kept-facts.js';
import * as journeySessions from './2026-12-11T000100-journey-sessions.js';
import * as messageBodies from './2026-12-12T000100-message-bodies.js';
import * as messageBodiesDeflated from './2026-12-13T000100-message-bodies-deflated.js';
import * as messageBodiesStoredPlain from './2026-12-14T000100-message-bodies-stored-plain.js';

/**
 * Every migration, in order. Names are timestamps; a released migration is never edited — a
 * change is a new file added at the end of this list.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-23T000000-foundation': foundation,
  '2026-11-23T000300-predictions': predictions,
  '2026-11-23T000400-analytics-summaries': analyticsSummaries,
  '2026-11-23T000500-ingest': ingest,
  '2026-11-23T000600-segments': segments,
  '2026-11-23T000700-message-keys': messageKeys,
  '2026-11-23T000800-tracking-origins': trackingOrigins,
  '2026-11-23T000900-event-fingerprints': eventFingerprints,
  '2026-12-01T000000-domain-events': domainEvents,
  '2026-12-01T000100-return-order-ref': returnOrderRef,
  '2026-12-01T000200-order-source-time': orderSourceTime,
  '2026-12-02T000000-identity-and-consent': identityAndConsent,
  '2026-12-02T000100-order-lifecycle': orderLifecycle,
  '2026-12-02T000510-persona-runs': personaRuns,
  '2026-12-03T000000-message-templates': messageTemplates,
  '2026-12-03T000100-message-sends': messageSends,
  '2026-12-03T000200-campaigns': campaigns,
  '2026-12-03T000300-message-engagement': messageEngagement,
  '2026-12-03T000500-store-branding': storeBranding,
  '2026-12-03T000600-sms-webhook-channels': smsWebhookChannels,
  '2026-12-03T000700-send-timing': sendTiming,
  '2026-12-03T000800-message-topics': messageTopics,
  '2026-12-03T000900-flows': flows,
  '2026-12-03T001000-loyalty': loyalty,
  '2026-12-03T001100-recommendations': recommendations,
  '2026-12-03T001150-flow-library': flowLibrary,
  '2026-12-03T001200-experiments': experiments,
  '2026-12-03T001300-loyalty-referrals': loyaltyReferrals,
  '2026-12-03T001400-offers': offers,
  '2026-12-03T001450-offers-shopify': offersShopify,
  '2026-12-03T001700-support-and-surveys': supportAndSurveys,
  '2026-12-03T001600-reviews': reviews,
  '2026-12-04T000100-experiment-outcomes': experimentOutcomes,
  '2026-12-05T000100-review-photos': reviewPhotos,
  '2026-12-05T000200-review-request-timing': reviewRequestTiming,
  '2026-12-05T000300-campaign-text': campaignText,
  '2026-12-06T000100-product-availability': productAvailability,
  '2026-12-06T000200-recommendation-price-band': recommendationPriceBand,
  '2026-12-07T000100-loyalty-customer-index': loyaltyCustomerIndex,
  '2026-12-08T000100-loyalty-entries-keys': loyaltyEntriesKeys,
  '2026-12-08T000200-loyalty-redemption-lookups': loyaltyRedemptionLookups,
  '2026-12-09T000100-journey-events': journeyEvents,
  '2026-12-10T000100-journey-kept-facts': journeyKeptFacts,
  '2026-12-11T000100-journey-sessions': journeySessions,
  '2026-12-12T000100-message-bodies': messageBodies,
  '2026-12-13T000100-message-bodies-deflated': messageBodiesDeflated,
  '2026-12-14T000100-message-bodies-stored-plain': messageBodiesStoredPlain,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
