/**
 * What the SMS provider posts back, form-encoded and signed with `X-Twilio-Signature`:
 * `POST /webhooks/sms/twilio/<store>/<token>` (a message a customer sent: STOP, START…) and
 * `…/status` (a sent message's delivery state). Both URLs are in the store's messaging settings.
 * Bodies are read as text: the signature covers the parameters as sent. The answer is an empty
 * TwiML document: Hearth sends no reply of its own (the provider answers STOP and HELP itself).
 */
import { z } from 'zod';
import { route, type RouteScope } from '../route.js';

const params = z.strictObject({ store: z.string().min(1).max(100), token: z.string().min(10).max(100) });
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

export const smsWebhookRoutes = [
  route({
    method: 'POST', url: '/webhooks/sms/twilio/:store/:token', operationId: 'receiveSms', permission: 'public', tag: 'Tracking',
    summary: 'A message a customer sent to the store\'s number (Twilio\'s incoming-message webhook): STOP and its synonyms unsubscribe the number from SMS, START subscribes it again',
    params, produces: ['text/xml'], errors: [403], bodyLimit: 64 * 1024,
    handler: async ({ services, params, body, request, reply }) => {
      await services.smsWebhooks.receive('incoming', params.store, params.token, { url: request.url, body: typeof body === 'string' ? body : '', signature: signatureOf(request.headers) });
      return reply.type('text/xml').send(EMPTY_TWIML);
    },
  }),
  route({
    method: 'POST', url: '/webhooks/sms/twilio/:store/:token/status', operationId: 'receiveSmsStatus', permission: 'public', tag: 'Tracking',
    summary: 'A sent SMS\'s delivery state (Twilio\'s status callback): delivered, undelivered or failed with its error code; an unreachable number is suppressed',
    params, produces: ['text/xml'], errors: [403], bodyLimit: 64 * 1024,
    handler: async ({ services, params, body, request, reply }) => {
      await services.smsWebhooks.receive('status', params.store, params.token, { url: request.url, body: typeof body === 'string' ? body : '', signature: signatureOf(request.headers) });
      return reply.type('text/xml').send(EMPTY_TWIML);
    },
  }),
];

function signatureOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const value = headers['x-twilio-signature'];
  return Array.isArray(value) ? value[0] : value;
}

export const smsWebhookScope: RouteScope = {
  setup: (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, text, done) => done(null, text));
  },
  routes: smsWebhookRoutes,
};
