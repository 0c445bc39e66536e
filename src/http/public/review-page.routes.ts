/**
 * The hosted review page of a request's signed link, `/r/<token>`: a GET shows the form for the
 * order's products, a POST (the form, multipart with its photos, or url-encoded without) stores the
 * reviews as verified buyers'. No session and no CSRF token: the signed token is the authority, and
 * it names one customer's one order; it is checked before any file is read. A forged link is a 404
 * page, an expired one a 403 page; a bad field or photo re-shows the form (422; 413 when the upload
 * itself is over the limits). `/r/photos/<id>` serves a published review's photo.
 */
import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, type ErrorDetail } from '../../lib/errors.js';
import { MAX_PHOTO_BYTES, MAX_PHOTOS, reviewLinkProblemPage, type PageUpload } from '../../modules/reviews/index.js';
import type { RouteScope } from '../route.js';
import { route } from '../route.js';

const tag = 'Hosted pages';
const params = z.object({ token: z.string().min(10).max(4000) }).strict();
/** Per address: a customer sends a form or two; a script trying tokens is stopped. */
const pageLimit = { max: 30, timeWindow: '1 minute' };
/** Per address: a product page shows a few dozen thumbnails; a scraper walking ids is slowed. */
const photoLimit = { max: 600, timeWindow: '1 minute' };
/** Files one form may carry, whatever the number of products: bounds the memory a request can take. */
const MAX_FILES_PER_FORM = 15;
const multipartLimits = { fileSize: MAX_PHOTO_BYTES, files: MAX_FILES_PER_FORM, fields: 400, parts: 500, fieldSize: 64 * 1024, fieldNameSize: 100 };

/** What the upload itself broke (too many files, fields or parts): answered like a bad field, with 413. */
const uploadLimits: Record<string, string> = {
  FST_FILES_LIMIT: 'too many photos in one form',
  FST_FIELDS_LIMIT: 'too many fields in one form',
  FST_PARTS_LIMIT: 'too many parts in one form',
};

/** The multipart form's fields and files; empty file inputs (sent as a nameless empty file) are left out. */
async function readMultipart(request: FastifyRequest, products: number): Promise<{ form: URLSearchParams; uploads: PageUpload[]; refusal?: { status: number; reason: string } }> {
  const form = new URLSearchParams();
  const uploads: PageUpload[] = [];
  const files = Math.min(products * MAX_PHOTOS, MAX_FILES_PER_FORM);
  try {
    for await (const part of request.parts({ limits: { files } })) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (!part.filename && bytes.length === 0) continue;
        uploads.push({ field: part.fieldname, filename: part.filename.slice(0, 200), bytes, truncated: part.file.truncated });
      } else {
        form.append(part.fieldname, typeof part.value === 'string' ? part.value : JSON.stringify(part.value));
      }
    }
  } catch (error) {
    const limit = uploadLimits[(error as { code?: string }).code ?? ''];
    if (!limit) throw error;
    const reason = limit === uploadLimits.FST_FILES_LIMIT ? `${limit}: at most ${MAX_PHOTOS} per product and ${files} in all` : limit;
    return { form, uploads, refusal: { status: 413, reason } };
  }
  return { form, uploads };
}

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
    rateLimit: pageLimit, bodyLimit: 64 * 1024, errors: [400, 403, 413, 422],
    form: 'Per product n of the link (0, 1, …): rating_<n> (1–5; a product without one is left for later), title_<n> (≤ 150 characters), body_<n> (≤ 5,000), '
      + 'and as multipart/form-data up to 3 files in photos_<n> (JPEG, PNG or WebP by their bytes, 5 MB each; 3 per product and 15 per form at most)',
    summary: 'The hosted review page\'s form, multipart/form-data (or url-encoded without photos): rating_<n>, title_<n>, body_<n> and up to 3 photos '
      + 'in photos_<n> (JPEG, PNG or WebP, 5 MB each) per product; stores verified buyers\' reviews; the same form twice stores them once',
    handler: ({ services, params, body, request, reply }) => {
      // A browser's form asks for HTML and gets pages; a script gets the API's JSON errors.
      const browser = /\btext\/html\b/.test(request.headers.accept ?? '');
      return page(reply, async () => {
        let answer: { html: string; status: number; details: ErrorDetail[] };
        if (request.isMultipart()) {
          // The link is checked before a file is read: only a real link's customer can upload.
          const claims = await services.reviews.claims(params.token);
          const { form, uploads, refusal } = await readMultipart(request, claims.products.length);
          answer = await services.reviews.submitPage(params.token, form, uploads, refusal);
        } else {
          answer = await services.reviews.submitPage(params.token, new URLSearchParams(typeof body === 'string' ? body : ''));
        }
        if (answer.status >= 400 && !browser) throw new AppError(answer.status === 413 ? 'payload_too_large' : 'validation_failed', 'Invalid review', answer.details);
        return answer;
      }, browser);
    },
  }),
  route({
    method: 'GET', url: '/r/photos/:id', operationId: 'getReviewPhoto', permission: 'public', tag: 'Reviews', produces: ['image/jpeg', 'image/png', 'image/webp'],
    params: z.strictObject({ id: z.string().regex(/^pho_[0-9a-f]{32}$/, 'a photo id from a review') }), rateLimit: photoLimit,
    summary: 'A published review\'s photo, with its type; a pending or rejected review\'s photo is a 404 (the store reads it at /api/v1/reviews/photos/{id})',
    handler: async ({ services, params, reply }) => {
      const photo = await services.reviews.photo(null, params.id);
      // The bytes never change (a new photo gets a new id); a day bounds how long a copy cached elsewhere outlives a rejection.
      return reply.type(photo.contentType).header('cache-control', 'public, max-age=86400').header('content-disposition', 'inline')
        .header('cross-origin-resource-policy', 'cross-origin').send(photo.bytes);
    },
  }),
];

/** The form arrives multipart (read part by part in the handler, within the limits) or url-encoded (read as text, never as JSON). */
export const reviewPageScope: RouteScope = {
  setup: async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    await scope.register(multipart, { limits: multipartLimits, throwFileSizeLimit: false });
  },
  routes: reviewPageRoutes,
};
