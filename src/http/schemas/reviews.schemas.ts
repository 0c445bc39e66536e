/** Answers of the reviews API and the storefront's reviews (docs/listen.md, "Reviews"). */
import { z } from 'zod';
import { PHOTO_TYPES, reviewFlags, reviewSources, reviewStatuses } from '../../modules/reviews/index.js';
import { component, count, page, timestamp } from './common.schemas.js';

const stars = z.number().int().min(1).max(5);

export const reviewPhotoSchema = component('ReviewPhoto', z.strictObject({
  id: z.string(),
  url: z.string().meta({ description: 'The public address (GET /r/photos/{id}): answered while the review is published; the store reads any at /api/v1/reviews/photos/{id}' }),
  content_type: z.enum(PHOTO_TYPES).meta({ description: 'Read from the file\'s first bytes' }),
  bytes: count,
  width: z.number().int().nullable().meta({ description: 'Pixels, from the image\'s header; null when it does not say' }),
  height: z.number().int().nullable(),
}));
const photos = z.array(reviewPhotoSchema).max(3).meta({ description: 'The review\'s photos, in the order sent (at most 3)' });

export const reviewSchema = component('Review', z.strictObject({
  id: z.string(),
  external_id: z.string().meta({ description: 'The source\'s key: store:<review_id> (API and events), hosted:<customer>:<order>:<product>, judgeme:<id>, yotpo:<id>' }),
  source: z.enum(reviewSources),
  product_id: z.string().meta({ description: 'The product\'s external id' }),
  product_title: z.string().nullable(),
  customer_id: z.number().int().nullable(),
  order_id: z.string().nullable().meta({ description: 'The order\'s external id' }),
  author_name: z.string().meta({ description: 'As shown on the storefront' }),
  author_email: z.string().nullable(),
  rating: stars,
  title: z.string().nullable(),
  body: z.string(),
  status: z.enum(reviewStatuses),
  flags: z.array(z.enum(reviewFlags)).meta({ description: 'Why the review waits for a person whatever its rating: profanity, link' }),
  verified: z.boolean().meta({ description: 'Written through a signed request link, or naming an order of the customer that holds the product' }),
  reply: z.string().nullable().meta({ description: 'The store\'s public reply' }),
  replied_at: timestamp.nullable(),
  reviewed_at: timestamp,
  created_at: timestamp,
  photos,
}));

export const reviewPageSchema = page(reviewSchema);

export const reviewReplySchema = z.strictObject({
  review: reviewSchema,
  emailed: z.boolean().meta({ description: 'Whether the reply was queued to the reviewer\'s address (a retry queues nothing more)' }),
});

export const reviewSettingsSchema = component('ReviewSettings', z.strictObject({
  auto_publish_min_rating: stars.nullable().meta({ description: 'Clean reviews rated at or above this are published at once; null: every review waits for moderation' }),
  delivery_delay_days: count.meta({ description: 'Days after delivery a review request is sent' }),
  fulfilled_delay_days: count.meta({ description: 'Days after fulfilment, when no delivery date is known' }),
  max_requests_per_30_days: count.meta({ description: 'Review requests a customer gets at most in 30 days' }),
  reminder_days: count.meta({ description: 'Days between a request and its reminder' }),
  max_reminders: z.number().int().min(0).max(3).meta({ description: 'Reminders at most, only while nothing is reviewed' }),
  home_countries: z.array(z.string()).meta({ description: 'The store\'s home countries, as customers\' `country` holds them (codes or names, compared without case); an order whose customer lives elsewhere is international. Empty: no order is' }),
  international_delay_days: count.nullable().meta({ description: 'Days after delivery for an international order; null: delivery_delay_days' }),
  international_fulfilled_delay_days: count.nullable().meta({ description: 'Days after fulfilment for an international order with no delivery date; null: fulfilled_delay_days' }),
  request_mode: z.enum(['order', 'per_product']).meta({ description: 'order: one request for all the order\'s products; per_product: one request and email per product' }),
}));

export const reviewLinkSchema = z.strictObject({
  url: z.string().meta({ description: 'The hosted review page' }),
  token: z.string(),
  expires_at: timestamp,
});

export const ratingSummarySchema = component('RatingSummary', z.strictObject({
  average: z.number().nullable().meta({ description: 'Mean of the published ratings, two decimals; null without any' }),
  count: count.meta({ description: 'Published reviews' }),
  distribution: z.array(z.strictObject({ stars, count })).length(5).meta({ description: 'Published reviews per number of stars, 5 down to 1' }),
}));

export const publicReviewSchema = component('PublicReview', z.strictObject({
  id: z.string(),
  rating: stars,
  title: z.string().nullable(),
  body: z.string(),
  author_name: z.string(),
  verified: z.boolean(),
  reviewed_at: timestamp,
  reply: z.strictObject({ body: z.string(), replied_at: timestamp.nullable() }).nullable(),
  photos,
}));

export const productReviewsSchema = component('ProductReviews', z.strictObject({
  product_id: z.string(),
  product_title: z.string().nullable(),
  summary: ratingSummarySchema,
  data: z.array(publicReviewSchema),
  page: z.number().int().min(1),
  per_page: z.number().int().min(1),
  next_page: z.number().int().nullable(),
}));

export const reviewImportSchema = z.strictObject({
  imported: count.meta({ description: 'Reviews added' }),
  already: count.meta({ description: 'Reviews of the file already imported (nothing changed)' }),
  published: count, pending: count, rejected: count,
});

export const reviewAnalyticsSchema = component('ReviewAnalytics', z.strictObject({
  from: timestamp,
  to: timestamp,
  delivered_orders: count.meta({ description: 'Orders with a delivery in the range' }),
  reviewed_orders: count.meta({ description: 'Of those, orders with at least one review naming them (rejected reviews excepted)' }),
  review_rate: z.number().min(0).max(1).nullable().meta({ description: 'reviewed_orders ÷ delivered_orders; null without deliveries' }),
  reviews_of_delivered_orders: count.meta({ description: 'Reviews naming one of the delivered orders' }),
  products: z.array(z.strictObject({
    product_id: z.string(),
    product_title: z.string().nullable(),
    reviews: count.meta({ description: 'Reviews written in the range (rejected excepted)' }),
    average: z.number().min(1).max(5).meta({ description: 'Their mean rating, two decimals' }),
    months: z.array(z.strictObject({ month: z.string().meta({ description: 'YYYY-MM in the store\'s time zone' }), reviews: count, average: z.number().min(1).max(5) }))
      .meta({ description: 'The trend: each month with reviews, oldest first' }),
  })).meta({ description: 'Products with reviews in the range, most reviewed first' }),
}));

const share = z.number().min(0).max(1).nullable();
const rate = z.strictObject({
  count: count.meta({ description: 'How many did' }), of: count.meta({ description: 'Sample size' }),
  rate: share.meta({ description: 'count ÷ of; null when of is 0' }), low: share.meta({ description: 'Wilson 95 % interval' }), high: share,
});
const correlation = z.strictObject({
  rho: z.number().min(-1).max(1).meta({ description: 'Spearman\'s rank correlation' }), n: count.meta({ description: 'Products counted' }),
  low: z.number().min(-1).max(1).meta({ description: '95 % interval (Fisher z, variance 1.06 / (n − 3))' }), high: z.number().min(-1).max(1),
}).nullable();
const retentionRow = z.strictObject({
  group: z.string(), customers: count.meta({ description: 'Sample size' }), repeaters: count.meta({ description: 'Of them, ordered again within window_days' }),
  rate: share, low: share.meta({ description: 'Wilson 95 % interval' }), high: share,
});
export const reviewOutcomesSchema = component('ReviewOutcomes', z.strictObject({
  as_of: timestamp, window_days: count, min_reviews: count.meta({ description: 'Reviews a product needs to enter the correlations' }),
  repeat_by_rating: z.array(retentionRow).meta({ description: 'Repeat rate within window_days after each customer\'s first review, by its rating (group "5" … "1")' }),
  returns_by_rating: z.array(rate.extend({ rating: stars })).meta({ description: 'Of the reviews naming their order, the share whose product was returned from that order' }),
  store: z.strictObject({ returns: rate, repeat: rate }).meta({ description: 'Over every product: orders with it and how many sent it back; buyers and how many ordered again' }),
  rating_vs_returns: correlation.meta({ description: 'Across products with min_reviews reviews: mean rating against return rate; null under 4 products' }),
  rating_vs_repeat: correlation.meta({ description: 'Across products with min_reviews reviews: mean rating against repeat rate' }),
  products: z.array(z.strictObject({
    product_id: z.string(), product_title: z.string().nullable(), reviews: count, average: z.number().min(1).max(5),
    returns: rate.meta({ description: 'Orders with the product (not cancelled) and how many sent it back' }),
    repeat: rate.meta({ description: 'Buyers whose first purchase of it is window_days old, and how many ordered again within them' }),
    more_returns: z.boolean().meta({ description: 'The return rate\'s interval lies above the rest of the store\'s rate' }),
    less_repeat: z.boolean().meta({ description: 'The repeat rate\'s interval lies below the rest of the store\'s rate' }),
  })).meta({ description: 'Reviewed products: flagged first, then the lowest rated' }),
  note: z.string(),
}));
