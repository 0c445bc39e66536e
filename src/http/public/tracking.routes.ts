/**
 * Tracked links and the open pixel of sent messages. `/t/c/<token>` records the click and redirects
 * (302) to the URL the token names — signed, so only URLs a message of the store carried, never an
 * open redirect. `/t/o/<token>.gif` records the open and answers a transparent pixel. A bad link is
 * a page for people (404); a bad pixel is still a pixel, so no mail client shows a broken image.
 */
import { AppError } from '../../lib/errors.js';
import { escapeHtml, invalidLinkPage, PIXEL_GIF } from '../../modules/messaging/index.js';
import { route } from '../route.js';
import { z } from 'zod';

const tag = 'Hosted pages';
const params = z.object({ token: z.string().min(10).max(8000) }).strict();

export const trackingRoutes = [
  route({
    method: 'GET', url: '/t/c/:token', operationId: 'followTrackedLink', permission: 'public', tag, produces: ['text/html'], htmlErrors: true, params, answersNotFound: true,
    status: 302, summary: 'A tracked link of a message: records the click and redirects to the link\'s own URL',
    handler: async ({ services, params, request, reply }) => {
      try {
        const url = await services.engagement.click(params.token, request.headers['user-agent']);
        // A short page for the rare client that does not follow redirects.
        return reply.status(302).header('location', url).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
          .type('text/html; charset=utf-8').send(`<!doctype html><p>Continue to <a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>`);
      } catch (error) {
        if (error instanceof AppError && error.code === 'not_found') return reply.status(404).type('text/html; charset=utf-8').send(invalidLinkPage(error.message));
        throw error;
      }
    },
  }),
  route({
    method: 'GET', url: '/t/o/:token', operationId: 'trackOpen', permission: 'public', tag, produces: ['image/gif'], params, answersNotFound: false,
    summary: 'The open pixel of a message: records the open and answers a transparent 1×1 GIF',
    handler: async ({ services, params, request, reply }) => {
      await services.engagement.open(params.token, request.headers['user-agent']).catch((error: unknown) => {
        if (!(error instanceof AppError && error.code === 'not_found')) throw error;
      });
      return reply.status(200).type('image/gif').header('cache-control', 'no-store, private').send(PIXEL_GIF);
    },
  }),
];
