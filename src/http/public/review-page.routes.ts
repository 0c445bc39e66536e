/**
 * The hosted review page of a request's signed link, `/r/<token>`: a GET shows the form for the
 * order's products, a POST (the form, url-encoded) stores the reviews as verified buyers'. No
 * session and no CSRF token: the signed token is the authority, and it names one customer's one
 * order. A forged link is a 404 page, an expired one a 403 page; a bad field re-shows the form (422).
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { reviewLinkProblemPage } from '../../modules/reviews/index.js';
import type { RouteScope } from '../route.js';
import { route } from '../route.js';

const tag = 'Hosted pages';
const params = z.object({ token: z.string().min(10).max(4000) }).strict();
/** Per address: a customer sends a form or two; a script trying tokens is stopped. */
const pageLimit = { max: 30, timeWindow: '1 minute' };

async function page(reply: FastifyReply, run: () => Promise<{ html: string; status?: number }>, errorsAsHtml = true) {
  try {
    const { html, status } = await run();
    return reply.status(status ?? 200).type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send(html);
  } catch (error) {
    if (errorsAsHtml && error instanceof AppError && ['not_found', 'forbidden', 'bad_request'].includes(error.code)) {
      const status = error.code === 'not_found' ? 404 : error.code === 'forbidden' ? 403 : 400;
      return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(reviewLinkProblemPage(error.message));
    }
    throw error;
  }
}

export const reviewPageRoutes = [
  route({
    method: 'GET', url: '/r/:token', operationId: 'showReviewPage', permission: 'public', tag, produces: ['text/html'], htmlErrors: true, params, answersNotFound: true,
    rateLimit: pageLimit, errors: [403],
    summary: 'The hosted review page of a signed request link: stars, a title and the text for each product of the order; works without JavaScript',
    handler: ({ services, params, reply }) => page(reply, async () => ({ html: (await services.reviews.page(params.token)).html })),
  }),
  route({
    method: 'POST', url: '/r/:token', operationId: 'submitReviewPage', permission: 'public', tag, produces: ['text/html'], htmlErrors: true, params, answersNotFound: true,
    rateLimit: pageLimit, bodyLimit: 64 * 1024, errors: [400, 403, 422],
    summary: 'The hosted review page\'s form (rating_<n>, title_<n>, body_<n> per product): stores verified buyers\' reviews; the same form twice stores them once',
    handler: ({ services, params, body, request, reply }) => {
      // A browser's form asks for HTML and gets pages; a script gets the API's JSON errors.
      const browser = /\btext\/html\b/.test(request.headers.accept ?? '');
      return page(reply, async () => {
        const form = new URLSearchParams(typeof body === 'string' ? body : '');
        const answer = await services.reviews.submitPage(params.token, form);
        if (answer.status === 422 && !browser) throw new AppError('validation_failed', 'Invalid review', answer.errors.map((reason) => ({ path: 'form', reason })));
        return answer;
      }, browser);
    },
  }),
];

/** The form arrives url-encoded: read as text, never as JSON. */
export const reviewPageScope: RouteScope = {
  setup: (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  },
  routes: reviewPageRoutes,
};
