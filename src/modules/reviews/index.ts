/**
 * The reviews module's public door: reviews from tracked events, the collection API, the hosted
 * page and imports; moderation and the store's replies; the storefront's JSON, widget and JSON-LD
 * (docs/listen.md, "Reviews").
 */
import type { HearthModule } from '../../module.js';
import type { DomainEventType, EventSubscriber } from '../domain-events/index.js';
import type { ReviewsService } from './reviews.service.js';

export { ReviewsService, type PageUpload, type ReviewDependencies } from './reviews.service.js';
export { replyInputSchema, reviewInputSchema, settingsInputSchema, MAX_BODY, MAX_TITLE, type ReviewInput } from './review.input.js';
export { flagsOf, initialStatus, PROFANITY } from './review-moderation.js';
export { BEST_RATING, JSON_LD_REVIEWS, jsonLdScript, WORST_RATING, type ProductReviews } from './review-storefront.js';
export { reviewLinkProblemPage } from './review-page.js';
export { TOKEN_DAYS, type ReviewClaims } from './review-token.js';
export { REVIEW_EVENT } from './review-events.js';
export { DEFAULT_SETTINGS } from './review-writer.js';
export { requestStatuses, reviewFlags, reviewSources, reviewStatuses, type RequestStatus, type ReviewSettingsTable, type ReviewStatus } from './reviews.table.js';
export type { PublicReview, RatingSummary, ReviewPhoto, ReviewView } from './reviews.views.js';
export { customerReviews } from './customer-reviews.js';
export { MAX_PHOTO_BYTES, MAX_PHOTOS, PHOTO_TYPES, type PhotoType } from './review-photos.js';
export type { ReviewTable } from './reviews.table.js';

export const REVIEWS_SUBSCRIBER = 'reviews';

const types: readonly DomainEventType[] = ['event.received'];

/** Turns tracked `Product Reviewed` events into reviews; keyed by review id, so a redelivered batch adds nothing. */
export function reviewsSubscriber(reviews: ReviewsService): EventSubscriber {
  return { name: REVIEWS_SUBSCRIBER, types, handle: (events) => reviews.handleEvents(events) };
}

/** Sends the due review requests and reminders of a store. */
export const REVIEW_REQUESTS_JOB = 'reviews.requests';

export const reviewsModule: HearthModule = {
  name: 'reviews',
  jobs: [{ kind: REVIEW_REQUESTS_JOB, run: async (services, { payload }) => services.reviews.requests.runDue((payload as { storeId: string }).storeId) }],
  // Requests are due by the day; a quarter of an hour late is on time.
  schedules: [{ kind: REVIEW_REQUESTS_JOB, everyMs: 15 * 60_000 }],
  subscribers: (services) => [reviewsSubscriber(services.reviews)],
};
export { REVIEW_WIDGET_SOURCE } from './review-widget.js';
export { ReviewRequests, type RequestView } from './review-requests.service.js';
export { importSources as reviewImportSources, type ImportSource as ReviewImportSource } from './review-import.js';
export type { ProductRating, ReviewAnalytics } from './review-analytics.js';
export { MIN_PRODUCT_REVIEWS, REVIEW_OUTCOMES_NOTE, type ProductOutcome, type Rate, type ReviewOutcomes } from './review-outcomes.js';
