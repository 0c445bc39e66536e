/**
 * Shopify webhooks. Configure each topic in Shopify (orders/create, orders/updated, orders/cancelled,
 * orders/fulfilled, refunds/create, customers/create, customers/update, fulfillments/create,
 * fulfillments/update, checkouts/create, checkouts/update, checkouts/delete) to POST JSON to
 * `/webhooks/shopify/<store id or slug>` and set the store's Shopify secret in Hearth.
 */
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { route } from '../route.js';
import { shopifyOutcomeSchema } from '../schemas/ingest.schemas.js';
import { rawBodyOf } from './ingest.scope.js';

const header = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

export const shopifyRoutes = [
  route({
    method: 'POST', url: '/webhooks/shopify/:store', operationId: 'receiveShopifyWebhook', permission: 'public', tag: 'Webhooks',
    // An unknown store gets the same 401 as a wrong signature, so stores cannot be probed.
    response: shopifyOutcomeSchema, errors: [400, 401, 413, 415, 503], answersNotFound: false,
    summary: 'Receive a Shopify webhook (verified by X-Shopify-Hmac-Sha256, deduplicated by X-Shopify-Webhook-Id)',
    params: z.object({ store: z.string().min(1) }),
    handler: async ({ services, params, request }) => {
      const rawBody = rawBodyOf(request);
      if (!rawBody) throw new AppError('unsupported_media_type', 'Send the webhook body as application/json');
      return services.ingest.shopify.receive(params.store, {
        topic: header(request.headers['x-shopify-topic']),
        webhookId: header(request.headers['x-shopify-webhook-id']) ?? header(request.headers['x-shopify-event-id']),
        hmac: header(request.headers['x-shopify-hmac-sha256']),
        rawBody,
      });
    },
  }),
];
