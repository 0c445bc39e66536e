/**
 * Helpdesks' ticket webhooks: `POST /webhooks/support/<zendesk|gorgias>/<store>/<token>`. The URL
 * (shown in the support settings) is the secret; Zendesk posts are also checked against their
 * X-Zendesk-Webhook-Signature once the store saved Zendesk's signing secret. Bodies are read as
 * text, as the signature covers the exact bytes.
 */
import { z } from 'zod';
import { helpdesks } from '../../modules/support/index.js';
import { route, type RouteScope } from '../route.js';
import { webhookOutcomeSchema } from '../schemas/support.schemas.js';

export const helpdeskWebhookRoutes = [
  route({
    method: 'POST', url: '/webhooks/support/:provider/:store/:token', operationId: 'receiveHelpdeskTicket', permission: 'public', tag: 'Support',
    summary: 'Ticket events from Zendesk (event webhooks, or a trigger with the documented body) or Gorgias (HTTP integration posting the ticket): tickets on the customers\' profiles',
    params: z.strictObject({ provider: z.enum(helpdesks), store: z.string().min(1).max(100), token: z.string().min(10).max(100) }),
    response: webhookOutcomeSchema, errors: [401, 422], bodyLimit: 1024 * 1024, rateLimit: { max: 600, timeWindow: '1 minute' },
    handler: async ({ services, params, body, request }) => services.support.receiveWebhook(params.provider, params.store, params.token, {
      body: typeof body === 'string' ? body : '', headers: request.headers,
    }),
  }),
];

export const helpdeskWebhookScope: RouteScope = {
  setup: (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, text, done) => done(null, text));
  },
  routes: helpdeskWebhookRoutes,
};
