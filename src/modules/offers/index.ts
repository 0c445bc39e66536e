/**
 * The offers module's public door: offers, their unique discount codes (made from a pattern or
 * imported), issuing exactly once per send key, redemptions matched from orders, and results
 * against the holdout (docs/offers.md).
 */
import type { HearthModule } from '../../module.js';
import type { DomainEventType, EventSubscriber } from '../domain-events/index.js';
import type { OffersService } from './offers.service.js';

export { OffersService, type OfferDependencies, type OfferSegments } from './offers.service.js';
export { CODE_ALPHABET, MIN_RANDOM_CHARACTERS, normaliseCode, readCodeFile } from './offer-codes.js';
export { DEFAULT_HOLDOUT_SHARE, importCodesSchema, issueInputSchema, offerInputSchema, shopifyConnectionSchema, type OfferInput } from './offer.input.js';
export { holdoutPosition } from './offer-issue.js';
export type { OfferExperiments } from './offer-results.js';
export { codeSources, issueOutcomes, offerStatuses, valueKinds, type IssueOutcome, type OfferStatus } from './offers.table.js';
export type { CodeView, Estimate, IssueView, OfferResults, OfferView } from './offers.views.js';

export { DEFAULT_SHOPIFY_ADMIN_URL, SHOPIFY_API_VERSION } from './shopify-admin.js';
export type { ShopifyConnectionView } from './offers.service.js';

export const OFFERS_SUBSCRIBER = 'offers';
/** Adds the codes of the store's offers linked to Shopify (or of one: `offerId`) to their discounts. */
export const OFFERS_SHOPIFY_PUSH_JOB = 'offers.shopify_push';

const types: readonly DomainEventType[] = ['order.placed', 'order.updated'];

/** Matches each placed or updated order's discount codes to issued codes; keyed by (code, order), so a redelivered batch adds nothing. */
export function offersSubscriber(offers: OffersService): EventSubscriber {
  return { name: OFFERS_SUBSCRIBER, types, handle: (events) => offers.handleEvents(events) };
}

export const offersModule: HearthModule = {
  name: 'offers',
  subscribers: (services) => [offersSubscriber(services.offers)],
  jobs: [{
    kind: OFFERS_SHOPIFY_PUSH_JOB,
    run: async (services, { payload }) => {
      const { storeId, offerId } = payload as { storeId: string; offerId?: string };
      return { offers: await services.offers.pushToShopify(storeId, offerId) };
    },
  }],
  // Every few minutes: pools that ran low are topped up and sent before the next sends need them.
  schedules: [{ kind: OFFERS_SHOPIFY_PUSH_JOB, everyMs: 5 * 60_000 }],
};
