/**
 * HTTP setup that only the ingestion routes get (they are registered in their own Fastify scope):
 * - bodies may be gzip or deflate (`Content-Encoding`); RudderStack sends gzip labelled
 *   `application/x-www-form-urlencoded`, and `sendBeacon` sends `text/plain` — all parsed as JSON;
 * - the raw body is kept for Shopify's HMAC check; lone UTF-16 surrogates in the parsed body are
 *   replaced by U+FFFD (a browser's broken string must not break every later read of the data);
 * - `writeKey` in the body is accepted as the key when no header carries one (Segment spec);
 * - CORS for browser clients: `/v1/*` answers any origin and allows the headers a preflight asks
 *   for (a preflight carries no key, so the store is unknown); a store that lists its
 *   `tracking_origins` has the others refused by the ingest service once the key names the store.
 *   No cookies are involved.
 */
import { createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../lib/errors.js';
import { mayHoldSurrogate, repairSurrogates } from '../../lib/unicode.js';
import { presentedKey } from '../auth.js';

const rawBodies = new WeakMap<FastifyRequest, Buffer>();

/** The request body exactly as received (after decompression), for signature checks. */
export function rawBodyOf(request: FastifyRequest): Buffer | undefined {
  return rawBodies.get(request);
}

/**
 * CORS headers for a browser's request to the tracking API. Set for every `/v1/*` answer — errors
 * and unknown paths included (registered on the root app), so a browser client sees why a request
 * failed instead of an opaque network error.
 */
export function trackingCors(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin && request.url.startsWith('/v1/')) {
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'Origin, Access-Control-Request-Headers');
      reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
      reply.header('access-control-allow-headers', allowedHeaders(request.headers['access-control-request-headers']));
      reply.header('access-control-expose-headers', 'Retry-After');
      reply.header('access-control-max-age', '86400');
    }
  });
}

const DEFAULT_ALLOWED_HEADERS = 'Authorization, Content-Type, Content-Encoding';

/**
 * The headers a preflight asks for are allowed as asked: Segment's browser library adds
 * `X-Retry-Count` to every retry and lets a site add its own headers, and a header missing here
 * makes the browser drop the request unseen. No cookies ride on these requests, and the key in
 * `Authorization` is still checked, so allowing a header grants nothing. (`*` would not cover
 * `Authorization`.) Anything that is not a plain list of header names gets the default list.
 */
function allowedHeaders(requested: string | undefined): string {
  if (!requested || requested.length > 1000 || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/.test(requested.trim())) return DEFAULT_ALLOWED_HEADERS;
  return requested.trim();
}

export function setupIngestScope(scope: FastifyInstance): void {
  scope.removeContentTypeParser(['application/json', 'text/plain']);
  scope.addContentTypeParser(['application/json', 'text/plain', 'application/x-www-form-urlencoded'], { parseAs: 'buffer' }, (request, body, done) => {
    const buffer = body as Buffer;
    rawBodies.set(request, buffer);
    if (buffer.length === 0) return done(new AppError('bad_request', 'The body is empty; send a JSON object', [{ path: '(body)', reason: 'empty' }]), undefined);
    try {
      const text = buffer.toString('utf8');
      const parsed: unknown = JSON.parse(text);
      // A lone surrogate (valid JSON, not text) would break every later read of what it lands in.
      done(null, mayHoldSurrogate(text) ? repairSurrogates(parsed) : parsed);
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  scope.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = request.headers['content-encoding']?.toLowerCase().trim();
    if (!encoding || encoding === 'identity') return payload;
    if (encoding !== 'gzip' && encoding !== 'deflate') {
      throw new AppError('unsupported_media_type', `Content-Encoding "${encoding}" is not supported; send gzip, deflate or none`);
    }
    const inflate = encoding === 'gzip' ? createGunzip() : createInflate();
    // Listeners run in order: this one turns a corrupt stream into a 400 before Fastify sees it.
    inflate.on('error', (error: Error & { statusCode?: number }) => {
      error.statusCode = 400;
      error.message = `The body is not valid ${encoding} data (${error.message})`;
    });
    payload.on('error', (error) => inflate.destroy(error));
    const decoded = payload.pipe(inflate) as typeof inflate & { receivedEncodedLength?: number };
    // Fastify compares Content-Length with this, not with the decompressed size.
    const length = Number(request.headers['content-length']);
    if (Number.isFinite(length)) decoded.receivedEncodedLength = length;
    return decoded;
  });

  scope.options('/v1/*', async (_request, reply) => reply.status(204).send());

  scope.addHook('preHandler', async (request) => {
    const body = request.body as { writeKey?: unknown } | undefined;
    if (!presentedKey(request) && body && typeof body === 'object' && typeof body.writeKey === 'string' && body.writeKey) {
      request.headers['x-hearth-key'] = body.writeKey;
    }
  });
}
