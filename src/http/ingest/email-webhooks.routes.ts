/**
 * Mail providers' reports of bounces, complaints and unsubscribes:
 * `POST /webhooks/email/<ses|postmark|sendgrid|mailgun>/<store>/<token>`. The URL (shown in the
 * store's sending settings) is the secret; SendGrid and Mailgun posts are also checked against
 * their signatures once the store saved the provider's key, SES notifications always (SNS). Bodies
 * are read as text: SNS posts JSON as text/plain, and signatures cover the exact bytes.
 */
import { z } from 'zod';
import { deliveryProviders } from '../../modules/messaging/index.js';
import { route, type RouteScope } from '../route.js';

const outcomeSchema = z.strictObject({
  received: z.number().int().meta({ description: 'Bounces, complaints, unsubscribes and deliveries the payload reported' }),
  applied: z.number().int().meta({ description: 'Of those, new: a repeated delivery of the same event is applied once' }),
  confirmed: z.boolean().optional().meta({ description: 'An SNS subscription was confirmed' }),
});

export const emailWebhookRoutes = [
  route({
    method: 'POST', url: '/webhooks/email/:provider/:store/:token', operationId: 'receiveDeliveryReport', permission: 'public', tag: 'Tracking',
    summary: 'Bounces, complaints and unsubscribes from Amazon SES (via SNS), Postmark, SendGrid or Mailgun: suppress the address, unsubscribe on a complaint',
    params: z.strictObject({ provider: z.enum(deliveryProviders), store: z.string().min(1).max(100), token: z.string().min(10).max(100) }),
    response: outcomeSchema, errors: [401], bodyLimit: 1024 * 1024,
    handler: async ({ services, params, body, request }) => services.deliveryReports.receive(params.provider, params.store, params.token, {
      body: typeof body === 'string' ? body : '', headers: request.headers,
    }),
  }),
];

export const emailWebhookScope: RouteScope = {
  setup: (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, text, done) => done(null, text));
  },
  routes: emailWebhookRoutes,
};
