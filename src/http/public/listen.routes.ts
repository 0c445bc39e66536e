/**
 * Hosted pages of signed links: `/o/<token>` the order-status page with its contact form, and
 * `/s/<token>` the NPS / CSAT survey. No session: the signed token names the store and the order
 * or customer. Forms post back to the same URL (same origin, so no CORS); a post whose Origin is
 * neither this server nor one of the store's tracking origins is refused, and each address is
 * rate-limited. A bad or expired link shows a page for people; a post answers its errors as a page
 * when the browser asks for HTML (a form), otherwise in the API's JSON error shape (scripts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { invalidLinkPage } from '../../modules/messaging/index.js';
import type { Services } from '../../services.js';
import { route, type RouteScope } from '../route.js';

const tag = 'Hosted pages';
const params = z.object({ token: z.string().min(10).max(2000) }).strict();
const pageLimit = { max: 60, timeWindow: '1 minute' };
const postLimit = { max: 10, timeWindow: '1 minute' };

async function page(run: () => Promise<string>, reply: FastifyReply, errorsAsHtml = true) {
  try {
    const html = await run();
    return reply.status(200).type('text/html; charset=utf-8').header('cache-control', 'no-store').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'").send(html);
  } catch (error) {
    if (errorsAsHtml && error instanceof AppError && (error.code === 'not_found' || error.code === 'validation_failed' || error.code === 'bad_request')) {
      const status = error.code === 'not_found' ? 404 : error.code === 'validation_failed' ? 422 : 400;
      const detail = error.details.map((d) => `${d.path}: ${d.reason}`).join('; ');
      return reply.status(status).type('text/html; charset=utf-8').send(invalidLinkPage(detail ? `${error.message} (${detail})` : error.message));
    }
    throw error;
  }
}

/** A browser's form post asks for HTML; a script's does not. */
const wantsHtml = (request: FastifyRequest) => /\btext\/html\b/.test(request.headers.accept ?? '');

function form(body: unknown): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : ''));
}

/** A form post comes from this server's page; a browser elsewhere must be one of the store's origins. */
async function checkOrigin(services: Services, request: FastifyRequest): Promise<void> {
  const origin = request.headers.origin;
  if (!origin || origin === 'null') return;
  if (origin === new URL(services.config.publicUrl).origin) return;
  const host = request.headers.host;
  if (host && (origin === `http://${host}` || origin === `https://${host}`)) return;
  throw new AppError('forbidden', `Origin ${origin} may not post to this page`);
}

export const listenPageRoutes = [
  route({
    method: 'GET', url: '/o/:token', operationId: 'showOrderStatus', permission: 'public', tag, produces: ['text/html'], htmlErrors: true, params, answersNotFound: true, rateLimit: pageLimit,
    summary: 'The order-status page of a signed link: status, carrier, tracking, expected delivery, and a contact form',
    handler: ({ services, params, reply }) => page(() => services.support.orderStatusPage(params.token), reply),
  }),
  route({
    method: 'POST', url: '/o/:token', operationId: 'contactAboutOrder', permission: 'public', tag, produces: ['text/html'], params, answersNotFound: true,
    rateLimit: postLimit, bodyLimit: 16 * 1024, errors: [403, 422],
    summary: 'The order-status page\'s contact form (message=…): opens a ticket; a "where is my order?" question is answered at once by email with the status',
    handler: async ({ services, params, body, request, reply }) => {
      await checkOrigin(services, request);
      return page(async () => (await services.support.contact(params.token, form(body))).html, reply, wantsHtml(request));
    },
  }),
  route({
    method: 'GET', url: '/s/:token', operationId: 'showSurvey', permission: 'public', tag, produces: ['text/html'], htmlErrors: true, params, answersNotFound: true, rateLimit: pageLimit,
    query: z.object({ score: z.coerce.number().int().min(0).max(10).optional() }),
    summary: 'The survey page of a signed link (a score in the link is preselected, not recorded: mail scanners open links)',
    handler: ({ services, params, query, reply }) => page(() => services.surveys.page(params.token, query.score), reply),
  }),
  route({
    method: 'POST', url: '/s/:token', operationId: 'answerSurvey', permission: 'public', tag, produces: ['text/html'], params, answersNotFound: true,
    rateLimit: postLimit, bodyLimit: 16 * 1024, errors: [403, 422],
    summary: 'Answer the survey (score, comment; then follow_up): one answer per link, a later post changes it',
    handler: async ({ services, params, body, request, reply }) => {
      await checkOrigin(services, request);
      return page(async () => (await services.surveys.answer(params.token, form(body))).html, reply, wantsHtml(request));
    },
  }),
];

export const listenPageScope: RouteScope = {
  setup: (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  },
  routes: listenPageRoutes,
};
