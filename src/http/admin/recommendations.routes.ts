import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { snakeKeys } from '../../lib/json-case.js';
import { modelKinds, RECOMMENDATIONS_WIDGET_SOURCE } from '../../modules/recommendations/index.js';
import { route } from '../route.js';
import { queuedJobSchema } from '../schemas/jobs.schemas.js';
import {
  recommendationEvaluationSchema, recommendationFitSchema, recommendationListSchema, recommendationSettingsSchema, storefrontRecommendationsSchema,
} from '../schemas/recommendations.schemas.js';
import { signedCustomer, storefrontKeyParam, storefrontStore } from '../storefront.js';

const tag = 'Recommendations';
const customerParams = z.object({ id: z.string().min(1).max(300).meta({ description: 'Customer id, or ext:<external id>' }) });
const k = z.coerce.number().int().min(1).max(50).optional().meta({ description: 'How many (1–50, default 10)' });
/** Per address: a shopper's pages load a list or two each; a script walking the catalogue is slowed. */
const storefrontLimit = { max: 120, timeWindow: '1 minute' };
const externalId = z.string().min(1).max(255);
const price = (bound: string) => z.coerce.number({ error: 'must be a number' }).min(0, 'must be 0 or more').optional()
  .meta({ description: `Only products priced ${bound} this (minor units), within the store's own band` });
/** The request's price band; `min_price` above `max_price` is refused naming `min_price`. */
const band = { min_price: price('at or above'), max_price: price('at or below') };
const bandInOrder = (query: { min_price?: number | undefined; max_price?: number | undefined }, ctx: z.RefinementCtx) => {
  if (query.min_price !== undefined && query.max_price !== undefined && query.min_price > query.max_price) {
    ctx.addIssue({ code: 'custom', path: ['min_price'], message: `must not be more than max_price (${query.max_price})` });
  }
};
const bandOf = (query: { min_price?: number | undefined; max_price?: number | undefined }) => ({
  ...(query.min_price !== undefined && { min_price: query.min_price }), ...(query.max_price !== undefined && { max_price: query.max_price }),
});

export const recommendationRoutes = [
  route({
    method: 'GET', url: '/api/v1/customers/:id/recommendations', operationId: 'getCustomerRecommendations', response: recommendationListSchema, permission: 'read', tag,
    summary: 'A customer\'s recommended products from one model (default: for you), each with the reason in words; empty before the first fit',
    params: customerParams,
    query: z.strictObject({
      model: z.enum(modelKinds).optional(), k, ...band,
      segment: z.string().min(1).max(100).optional(),
    }).superRefine(bandInOrder),
    handler: async ({ services, storeId, params, query }) => {
      // A customer with orders is known to the history index and exists (customers are never
      // deleted), so the usual request needs no database lookup; any other is looked up.
      const numeric = /^\d{1,15}$/.test(params.id) ? Number(params.id) : undefined;
      const id = numeric !== undefined && services.recommendations.hasOrders(storeId, numeric) ? numeric : (await services.customers.get(storeId, params.id)).id;
      return services.recommendations.forCustomer(storeId, id, {
        ...(query.model && { model: query.model }), ...(query.k && { k: query.k }), ...bandOf(query), ...(query.segment && { segment: query.segment }),
      });
    },
  }),
  route({
    method: 'GET', url: '/api/v1/products/:id/recommendations', operationId: 'getProductRecommendations', response: recommendationListSchema, permission: 'read', tag,
    summary: 'Products bought together with this one (for a product page), each with the reason in words',
    params: z.object({ id: z.coerce.number().int().positive() }), query: z.strictObject({ k, ...band }).superRefine(bandInOrder), answersNotFound: false,
    handler: async ({ services, storeId, params, query }) => services.recommendations.forProduct(storeId, params.id, { ...(query.k && { k: query.k }), ...bandOf(query) }),
  }),
  route({
    method: 'POST', url: '/api/v1/recommendations/fit', operationId: 'fitRecommendations', response: queuedJobSchema, permission: 'write', tag, status: 202,
    summary: 'Queue a refit of the recommendation models on all orders so far (they are also refitted daily)',
    handler: async ({ services, storeId }) => ({ job_id: await services.recommendations.queueFit(storeId) }),
  }),
  route({
    method: 'POST', url: '/api/v1/recommendations/fit-now', operationId: 'fitRecommendationsNow', response: recommendationFitSchema, permission: 'write', tag,
    summary: 'Refit the recommendation models now and answer with the fit',
    handler: async ({ services, storeId }) => services.recommendations.fit(storeId),
  }),
  route({
    method: 'GET', url: '/api/v1/recommendations/evaluation', operationId: 'evaluateRecommendations', response: recommendationEvaluationSchema, permission: 'read', tag,
    summary: 'Offline evaluation: every model and the popularity and buy-again baselines, trained before the cutoff and tested on each returning customer\'s first order after it',
    query: z.strictObject({ cutoff: z.iso.date({ error: 'expected a day YYYY-MM-DD' }), k: z.coerce.number().int().min(1).max(100).optional() }),
    handler: async ({ services, storeId, query }) => snakeKeys(await services.recommendations.evaluate(storeId, { cutoff: query.cutoff, ...(query.k && { k: query.k }) })),
  }),
  route({
    method: 'GET', url: '/api/v1/recommendations/settings', operationId: 'getRecommendationSettings', response: recommendationSettingsSchema, permission: 'read', tag,
    summary: 'The store\'s pinned and blocked products and its price band',
    handler: async ({ services, storeId }) => services.recommendations.settings(storeId),
  }),
  route({
    method: 'PUT', url: '/api/v1/recommendations/settings', operationId: 'updateRecommendationSettings', response: recommendationSettingsSchema, permission: 'write', tag,
    summary: 'Save the pinned and blocked products and the price band (a new version; the earlier ones are kept; a field left out is emptied)',
    body: z.strictObject({
      pinned: z.array(z.number().int().positive()).max(50).optional(), blocked: z.array(z.number().int().positive()).max(5000).optional(),
      min_price: z.number().int('must be a whole amount in minor units').min(0, 'must be 0 or more').nullable().optional()
        .meta({ description: 'Recommend only products priced at or above this (minor units); null: no lower bound' }),
      max_price: z.number().int('must be a whole amount in minor units').min(0, 'must be 0 or more').nullable().optional()
        .meta({ description: 'Recommend only products priced at or below this (minor units); null: no upper bound' }),
    }).superRefine((body, ctx) => bandInOrder({ min_price: body.min_price ?? undefined, max_price: body.max_price ?? undefined }, ctx)),
    handler: async ({ services, storeId, body, principal }) => services.recommendations.saveSettings(storeId, body, `${principal.kind}:${principal.id}`),
  }),
  route({
    method: 'GET', url: '/v1/recommendations', operationId: 'getStorefrontRecommendations', response: storefrontRecommendationsSchema, permission: 'public', tag,
    rateLimit: storefrontLimit, errors: [401, 403, 404],
    summary: 'Storefront (key: the store\'s write key): the products bought with one product (`product`), or a signed-in customer\'s own picks (`customer` and the `signature` the shop\'s server made); public fields only',
    query: z.strictObject({
      key: storefrontKeyParam,
      product: externalId.optional().meta({ description: 'A product\'s external id: what was bought with it' }),
      customer: externalId.optional().meta({ description: 'The signed-in customer\'s external id; needs `signature`' }),
      signature: z.string().max(128).optional().meta({ description: 'Hex HMAC-SHA256 of `customer` under the storefront key' }),
      model: z.enum(modelKinds).optional(), k, ...band,
    }).superRefine(bandInOrder),
    handler: async ({ services, query, request }) => {
      const storeId = await storefrontStore(services, query.key, request.headers.origin, 'show recommendations');
      if ((query.product === undefined) === (query.customer === undefined)) {
        throw new AppError('validation_failed', 'Name either a product or a customer', [{ path: query.product === undefined ? 'query.product' : 'query.customer', reason: 'give exactly one of product and customer' }]);
      }
      const options = { ...(query.model && { model: query.model }), ...(query.k && { k: query.k }), ...bandOf(query) };
      let list;
      if (query.product !== undefined) {
        const product = await services.catalog.get(storeId, `ext:${query.product}`);
        list = await services.recommendations.forProduct(storeId, product.id, options);
      } else {
        if (query.signature === undefined) throw new AppError('validation_failed', 'A customer needs the signature made by the shop\'s server', [{ path: 'query.signature', reason: 'required with customer' }]);
        // A customer Hearth does not know yet (signed up a moment ago) gets what a new customer gets.
        const customerId = await signedCustomer(services, storeId, query.customer!, query.signature);
        list = await services.recommendations.forCustomer(storeId, customerId ?? 0, customerId !== undefined ? options : { ...options, model: 'popular' });
      }
      return {
        model: list.model,
        items: list.items.map((i) => ({ external_id: i.external_id, title: i.title, price: i.price, currency: i.currency, image_url: i.image_url, reason: i.reason, explanation: i.explanation })),
      };
    },
  }),
  route({
    method: 'GET', url: '/v1/recommendations/widget.js', operationId: 'getRecommendationsWidget', permission: 'public', tag, produces: ['application/javascript'],
    summary: 'The storefront recommendations widget: what is bought with a product, or a signed-in customer\'s picks, as linked cards (see docs/storefront.md)',
    handler: async ({ reply }) => reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(RECOMMENDATIONS_WIDGET_SOURCE),
  }),
];
