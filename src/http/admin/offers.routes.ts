/** Offers and unique discount codes (docs/offers.md). */
import { z } from 'zod';
import { notFound } from '../../lib/errors.js';
import { importCodesSchema, issueInputSchema, offerInputSchema, shopifyConnectionSchema as shopifyConnectionInputSchema } from '../../modules/offers/index.js';
import { route } from '../route.js';
import { idempotencyHeader } from '../schemas/common.schemas.js';
import {
  offerCodePageSchema, offerDetailSchema, offerImportSchema, offerIssueSchema, offerListSchema, offerPushSchema, offerSchema, shopifyConnectionSchema,
} from '../schemas/offers.schemas.js';

const tag = 'Offers';
const idParams = z.object({ id: z.string().min(1).max(100) });
const idempotency = idempotencyHeader('required: a key unique to this send; a retry with the same key gets the same code');

function statusRoute(action: 'pause' | 'resume' | 'end', status: 'paused' | 'active' | 'ended', operationId: string, summary: string) {
  return route({
    method: 'POST', url: `/api/v1/offers/:id/${action}`, operationId, response: offerSchema, permission: 'write', tag, errors: [409], params: idParams, summary,
    handler: async ({ services, storeId, params }) => services.offers.setStatus(storeId, params.id, status),
  });
}

export const offerRoutes = [
  route({
    method: 'PUT', url: '/api/v1/offers/shopify/connection', operationId: 'connectShopify', response: shopifyConnectionSchema, permission: 'owner', tag,
    summary: 'Connect the store to its Shopify shop (domain and an Admin API token with write_discounts), checked with Shopify first; the token is never shown again',
    body: shopifyConnectionInputSchema,
    handler: async ({ services, storeId, body }) => services.offers.connectShopify(storeId, body),
  }),
  route({
    method: 'GET', url: '/api/v1/offers/shopify/connection', operationId: 'getShopifyConnection', response: shopifyConnectionSchema, permission: 'read', tag, errors: [404],
    summary: 'The store\'s Shopify shop (404: not connected)',
    handler: async ({ services, storeId }) => {
      const connection = await services.offers.shopifyConnection(storeId);
      if (!connection) throw notFound('Shopify connection');
      return connection;
    },
  }),
  route({
    method: 'DELETE', url: '/api/v1/offers/shopify/connection', operationId: 'disconnectShopify', permission: 'owner', tag, status: 204,
    summary: 'Forget the Shopify token: linked offers keep the codes Shopify confirmed and push no more',
    handler: async ({ services, storeId, reply }) => {
      await services.offers.disconnectShopify(storeId);
      return reply.status(204).send();
    },
  }),
  route({
    method: 'POST', url: '/api/v1/offers', operationId: 'createOffer', response: offerSchema, permission: 'write', tag, status: 201,
    summary: 'Create an offer: its value, minimum spend, validity, codes (a pattern, or imported), segment, guardrail and holdout',
    body: offerInputSchema,
    handler: async ({ services, storeId, body }) => services.offers.create(storeId, body),
  }),
  route({
    method: 'GET', url: '/api/v1/offers', operationId: 'listOffers', response: offerListSchema, permission: 'read', tag,
    summary: 'The store\'s offers, newest first',
    handler: async ({ services, storeId }) => ({ data: await services.offers.list(storeId) }),
  }),
  route({
    method: 'GET', url: '/api/v1/offers/:id', operationId: 'getOffer', response: offerDetailSchema, permission: 'read', tag, params: idParams,
    summary: 'An offer with its results: issued, redeemed, revenue, discount cost, and incremental orders, revenue and margin against its holdout',
    handler: async ({ services, storeId, params }) => services.offers.show(storeId, params.id),
  }),
  statusRoute('pause', 'paused', 'pauseOffer', 'Pause an offer: it hands out no codes until resumed (codes already issued stay valid)'),
  statusRoute('resume', 'active', 'resumeOffer', 'Resume a paused offer'),
  statusRoute('end', 'ended', 'endOffer', 'End an offer for good: it hands out no more codes'),
  route({
    method: 'POST', url: '/api/v1/offers/:id/codes/import', operationId: 'importOfferCodes', response: offerImportSchema, permission: 'write', tag,
    errors: [409], params: idParams, body: importCodesSchema, bodyLimit: 20 * 1024 ** 2,
    summary: 'Add codes from a CSV with a Code column (Shopify\'s discount code export); a bad line refuses the whole file; importing again adds nothing',
    handler: async ({ services, storeId, params, body }) => services.offers.importCodes(storeId, params.id, body.csv),
  }),
  route({
    method: 'POST', url: '/api/v1/offers/:id/issue', operationId: 'issueOfferCode', response: offerIssueSchema, permission: 'write', tag,
    status: 201, alsoStatus: [200], statusDescriptions: { 201: 'Answered: a code, or why none (holdout, segment, guardrail)', 200: 'A retry with the same Idempotency-Key: the first answer' }, errors: [409],
    summary: 'Issue a code of the offer to a customer (Idempotency-Key header required: the same key always gets the same code)',
    params: idParams, headers: idempotency, body: issueInputSchema,
    handler: async ({ services, storeId, params, body, headers, reply }) => {
      const customer = await services.customers.get(storeId, String(body.customer_id));
      const { issue, replayed } = await services.offers.issue(storeId, params.id, customer.id, headers['idempotency-key']);
      reply.status(replayed ? 200 : 201);
      return issue;
    },
  }),
  route({
    method: 'POST', url: '/api/v1/offers/:id/shopify/push', operationId: 'pushOfferCodes', response: offerPushSchema, permission: 'write', tag, errors: [409, 503],
    params: idParams,
    summary: 'Add the offer\'s unsent codes to its Shopify discount now (the server also does it every few minutes); answers where its codes stand',
    handler: async ({ services, storeId, params }) => ({
      data: (await services.offers.pushToShopify(storeId, params.id)).map(({ offer_id, discount_id, state }) => ({ offer_id, discount_id, state })),
    }),
  }),
  route({
    method: 'GET', url: '/api/v1/offers/:id/codes', operationId: 'listOfferCodes', response: offerCodePageSchema, permission: 'read', tag, params: idParams,
    summary: 'An offer\'s codes in pool order, each available, issued, redeemed or expired',
    query: z.strictObject({
      cursor: z.string().regex(/^\d{1,15}$/, 'a cursor returned by this endpoint').optional(),
      limit: z.coerce.number().int().min(1).max(1000).optional(),
      status: z.enum(['available', 'issued', 'redeemed', 'expired']).optional(),
    }),
    handler: async ({ services, storeId, params, query }) => services.offers.codes(storeId, params.id, {
      ...(query.cursor && { after: Number(query.cursor) }), ...(query.limit && { limit: query.limit }), ...(query.status && { status: query.status }),
    }),
  }),
];
