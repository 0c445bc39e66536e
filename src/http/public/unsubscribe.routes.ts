/**
 * The hosted pages of a message's signed links. `/u/<token>`: a POST with the body
 * `List-Unsubscribe=One-Click` (RFC 8058, sent by mail providers' unsubscribe buttons) unsubscribes
 * at once — no login, no confirmation, idempotent, 200; a GET shows the preference page, whose
 * forms post back here. `/m/<token>`: the message as a web page. No session and no CSRF token: the
 * signed token is the authority, and it names one recipient of one store. A bad link shows a page
 * for people on GET; a POST answers the API's JSON error.
 */
import { AppError } from '../../lib/errors.js';
import { escapeHtml, invalidLinkPage, preferencePage, type Recipient } from '../../modules/messaging/index.js';
import type { RouteScope } from '../route.js';
import { route } from '../route.js';
import { z } from 'zod';

const tag = 'Hosted pages';
const params = z.object({ token: z.string().min(10).max(4000) }).strict();

type Action = { kind: 'unsubscribe' | 'pause' } | { kind: 'topics'; shown: string[]; kept: string[] };

/**
 * The action a POST asks for: the RFC 8058 one-click body (which always wins: it unsubscribes from
 * all), or the preference page's forms — pause, unsubscribe, or the topics kept (checked) among
 * those shown.
 */
function actionOf(body: unknown): Action | undefined {
  const text = typeof body === 'string' ? body : '';
  if (/(^|[&\s"])List-Unsubscribe=One-Click\b/.test(text)) return { kind: 'unsubscribe' };
  const form = new URLSearchParams(text.includes('=') && !text.includes('Content-Disposition') ? text : '');
  const action = form.get('action') ?? /name="action"\s*\r?\n\r?\n(\w+)/.exec(text)?.[1];
  if (action === 'topics') return { kind: 'topics', shown: form.getAll('shown').slice(0, 100), kept: form.getAll('topic').slice(0, 100) };
  return action === 'unsubscribe' || action === 'pause' ? { kind: action } : undefined;
}

/** Runs a page; a bad link is answered with a page for people (GET), or with the API's JSON error (POST: mail providers, scripts). */
async function page(run: () => Promise<{ html: string; status?: number }>, reply: import('fastify').FastifyReply, errorsAsHtml = true) {
  try {
    const { html, status } = await run();
    return reply.status(status ?? 200).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  } catch (error) {
    if (errorsAsHtml && error instanceof AppError && (error.code === 'not_found' || error.code === 'bad_request')) {
      return reply.status(error.code === 'not_found' ? 404 : 400).type('text/html; charset=utf-8').send(invalidLinkPage(error.message));
    }
    throw error;
  }
}

const notice = (recipient: Recipient) => recipient.status.kind === 'unsubscribed'
  ? 'You have been unsubscribed.' : recipient.status.kind === 'paused' ? 'Marketing email is paused.' : undefined;

export const unsubscribeRoutes = [
  route({
    method: 'GET', url: '/u/:token', operationId: 'showEmailPreferences', permission: 'public', tag, produces: ['text/html'], htmlErrors: true, params, answersNotFound: true,
    summary: 'The preference page of a message recipient (email topics, unsubscribe from all, pause for 30 days); works without JavaScript',
    handler: ({ services, params, reply }) => page(async () => ({ html: preferencePage(await services.unsubscribe.recipient(params.token)) }), reply),
  }),
  route({
    method: 'POST', url: '/u/:token', operationId: 'unsubscribeOneClick', permission: 'public', tag, produces: ['text/html'], params, answersNotFound: true, bodyLimit: 16 * 1024, errors: [400],
    summary: 'One-click unsubscribe (RFC 8058): the body List-Unsubscribe=One-Click unsubscribes at once; the preference page posts action=pause, action=unsubscribe, or action=topics with the topics kept (topic) among those shown (shown)',
    handler: ({ services, params, body, reply }) => page(async () => {
      const action = actionOf(body);
      if (!action) throw new AppError('bad_request', 'Nothing to do: the request names no action.');
      if (action.kind === 'topics') {
        const recipient = await services.unsubscribe.chooseTopics(params.token, action.shown, action.kept);
        return { html: preferencePage(recipient, recipient.status.kind === 'unsubscribed' ? notice(recipient) : 'Your choices are saved.') };
      }
      const recipient = action.kind === 'unsubscribe' ? await services.unsubscribe.unsubscribe(params.token) : await services.unsubscribe.pause(params.token);
      return { html: preferencePage(recipient, notice(recipient)) };
    }, reply, false),
  }),
  route({
    method: 'GET', url: '/m/:token', operationId: 'viewMessage', permission: 'public', tag, produces: ['text/html'], htmlErrors: true, params, answersNotFound: true,
    summary: 'A message as a web page (its view-in-browser link)',
    handler: ({ services, params, reply }) => page(async () => {
      const message = await services.unsubscribe.viewed(params.token);
      // The message's own HTML, with nothing able to run or leave the page.
      reply.header('content-security-policy', "sandbox; default-src 'none'; img-src https: data:; style-src 'unsafe-inline'");
      return { html: message.html.includes('<title') ? message.html : message.html.replace(/<head>/i, `<head><title>${escapeHtml(message.subject)}</title>`) };
    }, reply),
  }),
];

/** Bodies arrive form-encoded or multipart (RFC 8058 allows both): read as text, never as JSON. */
export const unsubscribeScope: RouteScope = {
  setup: (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  },
  routes: unsubscribeRoutes,
};
