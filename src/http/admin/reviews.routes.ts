/**
 * Reviews (docs/listen.md, "Reviews"). The admin routes collect, moderate and answer reviews and
 * set the store's rules. The storefront's routes are under `/v1/` beside the tracking API: a plain
 * GET (no preflight, so cacheable) naming the store by its public write key in `key`; the
 * browser's Origin must be one of the store's `tracking_origins` (when it lists any); CORS answers
 * as for `/v1/*`; each address is rate-limited. They show published reviews only.
 */
import { z } from 'zod';
import { REVIEW_OUTCOMES_NOTE, REVIEW_WIDGET_SOURCE, replyInputSchema, reviewImportSources, reviewInputSchema, reviewStatuses, settingsInputSchema } from '../../modules/reviews/index.js';
import { route } from '../route.js';
import {
  productReviewsSchema, reviewAnalyticsSchema, reviewImportSchema, reviewOutcomesSchema, reviewLinkSchema, reviewPageSchema, reviewReplySchema, reviewSchema, reviewSettingsSchema,
} from '../schemas/reviews.schemas.js';
import { storefrontKeyParam, storefrontStore } from '../storefront.js';

const tag = 'Reviews';
const idParams = z.object({ id: z.string().min(1).max(100) });
/** Per address: a product page loads the list and the JSON-LD; a scraper walking every product is slowed. */
const storefrontLimit = { max: 120, timeWindow: '1 minute' };
const productId = z.string().trim().min(1).max(255);

function moderationRoute(action: 'publish' | 'reject', status: 'published' | 'rejected', operationId: string, summary: string) {
  return route({
    method: 'POST', url: `/api/v1/reviews/:id/${action}`, operationId, response: reviewSchema, permission: 'write', tag, params: idParams, summary,
    handler: async ({ services, storeId, params }) => services.reviews.moderate(storeId, params.id, status),
  });
}

export const reviewRoutes = [
  route({
    method: 'POST', url: '/api/v1/reviews', operationId: 'createReview', response: reviewSchema, permission: 'write', tag,
    status: 201, alsoStatus: [200], statusDescriptions: { 201: 'Stored: published or pending by the store\'s moderation', 200: 'A review with this review_id exists: it, unchanged' },
    summary: 'Collect a review (for shops that collect their own), with up to 3 photos as base64 (JPEG, PNG or WebP by their bytes, 5 MB each): moderated like every review; the same review_id again changes nothing',
    body: reviewInputSchema, errors: [404], bodyLimit: 24 * 1024 ** 2,
    handler: async ({ services, storeId, body, reply }) => {
      const { review, created } = await services.reviews.submit(storeId, body);
      reply.status(created ? 201 : 200);
      return review;
    },
  }),
  route({
    method: 'GET', url: '/api/v1/reviews', operationId: 'listReviews', response: reviewPageSchema, permission: 'read', tag,
    summary: 'The store\'s reviews, newest first; the moderation queue is status=pending',
    query: z.strictObject({
      status: z.enum(reviewStatuses).optional(),
      product_id: productId.optional(),
      cursor: z.string().regex(/^rev_[a-z0-9]{1,40}$/, 'a cursor returned by this endpoint').optional(),
      limit: z.coerce.number().int().min(1).max(500).optional(),
    }),
    handler: async ({ services, storeId, query }) => services.reviews.list(storeId, { status: query.status, product_id: query.product_id, before: query.cursor, limit: query.limit }),
  }),
  route({
    method: 'GET', url: '/api/v1/reviews/settings', operationId: 'getReviewSettings', response: reviewSettingsSchema, permission: 'read', tag, answersNotFound: false,
    summary: 'The store\'s moderation threshold and review request rules',
    handler: async ({ services, storeId }) => services.reviews.settings(storeId),
  }),
  route({
    method: 'PUT', url: '/api/v1/reviews/settings', operationId: 'updateReviewSettings', response: reviewSettingsSchema, permission: 'write', tag,
    summary: 'Change the moderation threshold and the review request rules (fields left out keep their value)',
    body: settingsInputSchema,
    handler: async ({ services, storeId, body }) => services.reviews.updateSettings(storeId, body),
  }),
  route({
    method: 'GET', url: '/api/v1/reviews/analytics', operationId: 'getReviewAnalytics', response: reviewAnalyticsSchema, permission: 'read', tag, answersNotFound: false,
    summary: 'Review rate of the orders delivered in the range (default: the last 365 days), and each product\'s ratings with their monthly trend',
    query: z.strictObject({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() }),
    handler: async ({ services, storeId, query }) => services.reviews.analytics(storeId, { ...(query.from && { from: new Date(query.from) }), ...(query.to && { to: new Date(query.to) }) }),
  }),
  route({
    method: 'GET', url: '/api/v1/reviews/outcomes', operationId: 'getReviewOutcomes', response: reviewOutcomesSchema, permission: 'read', tag, answersNotFound: false,
    summary: 'Ratings against returns and repeat purchases: repeat and return rates by rating given, and per product, with 95 % intervals and rank correlations',
    query: z.strictObject({ as_of: z.iso.date({ error: 'a day, such as 2026-11-30' }).optional().meta({ description: 'Default today; data up to the end of this day' }) }),
    handler: async ({ services, storeId, query }) => ({
      ...await services.reviews.outcomes(storeId, query.as_of ? new Date(`${query.as_of}T23:59:59.999Z`) : undefined),
      note: REVIEW_OUTCOMES_NOTE,
    }),
  }),
  route({
    method: 'POST', url: '/api/v1/reviews/imports', operationId: 'importReviews', response: reviewImportSchema, permission: 'write', tag, bodyLimit: 64 * 1024 ** 2,
    summary: 'Import reviews from a Judge.me or Yotpo CSV export (the file\'s text); a bad line refuses the whole file (422 naming it); importing again adds nothing',
    body: z.strictObject({ from: z.enum(reviewImportSources), csv: z.string().min(1, 'the CSV text of the export').meta({ description: 'The export file\'s text' }) }),
    handler: async ({ services, storeId, body }) => services.reviews.importExport(storeId, body.from, body.csv),
  }),
  route({
    method: 'POST', url: '/api/v1/reviews/links', operationId: 'createReviewLink', response: reviewLinkSchema, permission: 'write', tag, status: 201, errors: [404],
    summary: 'A signed link to the hosted review page for a customer\'s order (all its products, or those named), valid 45 days; reviews written there are verified buyers\'',
    body: z.strictObject({
      customer_id: z.string().min(1).max(300).meta({ description: 'Customer id, or ext:<external id>' }),
      order_id: z.string().min(1).max(255).meta({ description: 'The order\'s external id' }),
      product_ids: z.array(productId).min(1).max(50).optional(),
    }),
    handler: async ({ services, storeId, body }) => services.reviews.link(storeId, body.customer_id, body.order_id, body.product_ids),
  }),
  route({
    method: 'GET', url: '/api/v1/reviews/:id', operationId: 'getReview', response: reviewSchema, permission: 'read', tag, params: idParams,
    summary: 'One review with its flags, status and reply',
    handler: async ({ services, storeId, params }) => services.reviews.get(storeId, params.id),
  }),
  route({
    method: 'GET', url: '/api/v1/reviews/photos/:id', operationId: 'getReviewPhotoForStore', permission: 'read', tag, produces: ['image/jpeg', 'image/png', 'image/webp'],
    params: z.strictObject({ id: z.string().regex(/^pho_[0-9a-f]{32}$/, 'a photo id from a review') }),
    summary: 'A photo of any of the store\'s reviews, whatever its moderation status (the moderation queue shows them)',
    handler: async ({ services, storeId, params, reply }) => {
      const photo = await services.reviews.photo(storeId, params.id);
      return reply.type(photo.contentType).header('cache-control', 'private, max-age=3600').send(photo.bytes);
    },
  }),
  moderationRoute('publish', 'published', 'publishReview', 'Publish a review (moderation)'),
  moderationRoute('reject', 'rejected', 'rejectReview', 'Reject a review: it is never shown'),
  route({
    method: 'POST', url: '/api/v1/reviews/:id/reply', operationId: 'replyToReview', response: reviewReplySchema, permission: 'write', tag, params: idParams, errors: [409],
    summary: 'The store\'s public reply, shown under the review and emailed to the reviewer; the same reply again sends nothing more',
    body: replyInputSchema,
    handler: async ({ services, storeId, params, body }) => services.reviews.reply(storeId, params.id, body),
  }),
  route({
    method: 'GET', url: '/v1/reviews', operationId: 'listProductReviews', response: productReviewsSchema, permission: 'public', tag, rateLimit: storefrontLimit, errors: [401, 403],
    summary: 'Storefront: a product\'s published reviews, newest first, with the star summary (key: the store\'s write key)',
    query: z.strictObject({
      key: storefrontKeyParam, product_id: productId,
      page: z.coerce.number().int().min(1).max(10_000).optional(), per_page: z.coerce.number().int().min(1).max(50).optional(),
    }),
    handler: async ({ services, query, request }) => {
      const storeId = await storefrontStore(services, query.key, request.headers.origin, 'show reviews');
      return services.reviews.storefront(storeId, query.product_id, query.page ?? 1, query.per_page ?? 10);
    },
  }),
  route({
    method: 'GET', url: '/v1/reviews/jsonld', operationId: 'getProductJsonLd', permission: 'public', tag, rateLimit: storefrontLimit, produces: ['application/ld+json'], errors: [401, 403],
    summary: 'Storefront: schema.org Product JSON-LD with its AggregateRating and most recent Reviews, for search results (key: the store\'s write key)',
    query: z.strictObject({ key: storefrontKeyParam, product_id: productId, url: z.url({ protocol: /^https?$/ }).max(2000).optional() }),
    handler: async ({ services, query, request, reply }) => {
      const storeId = await storefrontStore(services, query.key, request.headers.origin, 'show reviews');
      return reply.type('application/ld+json; charset=utf-8').send(JSON.stringify(await services.reviews.jsonLd(storeId, query.product_id, query.url)));
    },
  }),
  route({
    method: 'GET', url: '/v1/reviews/widget.js', operationId: 'getReviewsWidget', permission: 'public', tag, produces: ['application/javascript'],
    summary: 'The storefront reviews widget: stars, the star summary and the review list (see docs/listen.md)',
    handler: async ({ reply }) => reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(REVIEW_WIDGET_SOURCE),
  }),
];
