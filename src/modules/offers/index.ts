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
export { DEFAULT_HOLDOUT_SHARE, importCodesSchema, issueInputSchema, offerInputSchema, type OfferInput } from './offer.input.js';
export { holdoutPosition } from './offer-issue.js';
export type { OfferExperiments } from './offer-results.js';
export { codeSources, issueOutcomes, offerStatuses, valueKinds, type IssueOutcome, type OfferStatus } from './offers.table.js';
export type { CodeView, Estimate, IssueView, OfferResults, OfferView } from './offers.views.js';

export const OFFERS_SUBSCRIBER = 'offers';

const types: readonly DomainEventType[] = ['order.placed', 'order.updated'];

/** Matches each placed or updated order's discount codes to issued codes; keyed by (code, order), so a redelivered batch adds nothing. */
export function offersSubscriber(offers: OffersService): EventSubscriber {
  return { name: OFFERS_SUBSCRIBER, types, handle: (events) => offers.handleEvents(events) };
}

export const offersModule: HearthModule = {
  name: 'offers',
  subscribers: (services) => [offersSubscriber(services.offers)],
};
