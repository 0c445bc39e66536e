/**
 * The HTTP server: one error handler, one place where routes are registered (from `routes.ts`),
 * authentication and permission checks applied from each route's spec.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { AppError, detailsFromZod, httpStatusOf } from '../lib/errors.js';
import { LONE_SURROGATE_REASON, loneSurrogatePath } from '../lib/unicode.js';
import type { Services } from '../services.js';
import { authenticate } from './auth.js';
import { registerLocalRoutes } from './local.routes.js';
import { trackingCors } from './ingest/ingest.scope.js';
import { httpMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import type { RouteSpec } from './route.js';
import { allRoutes, scopedRoutes } from './routes.js';

export interface AppOptions {
  /** Built dashboard files; served at / when present. */
  dashboardDir?: string | undefined;
  logger?: boolean;
}

const DEFAULT_BODY_LIMIT = 5 * 1024 * 1024;

/** Charts style their elements inline; product images may come from the store's own CDN. */
const DASHBOARD_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: https:",
  "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

export async function buildApp(services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: (options.logger === false ? undefined : services.logger) as FastifyBaseLogger | undefined,
    bodyLimit: DEFAULT_BODY_LIMIT,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: true,
    // External ids may be up to 255 characters, and they travel in URLs (PUT /api/v1/customers/:id).
    routerOptions: { maxParamLength: 1024 },
    // Errors the router raises before a route runs (bad percent-encoding, an over-long parameter)
    // answer in the API's own shape, like every other error.
    frameworkErrors: (error, _request, reply) => {
      const status = (error as FastifyError).statusCode ?? 400;
      const appError = new AppError(status === 414 ? 'uri_too_long' : 'bad_request', error.message, [{ path: '(url)', reason: error.message }]);
      void (reply as FastifyReply).status(httpStatusOf(appError.code)).send(appError.toJSON());
    },
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  httpMetrics(app, services.storage.read);
  trackingCors(app);
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'strict-origin-when-cross-origin');
    // The dashboard's pages: scripts and data only from this server, never framed by another site.
    if (!/^\/(api|v1|webhooks|hearth\.js|healthz|metrics)\b/.test(request.url)) {
      // A hosted page may set a stricter policy of its own (a message shown as a web page is sandboxed).
      if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', DASHBOARD_CSP);
      reply.header('x-frame-options', 'DENY');
    }
    return payload;
  });
  // A lone UTF-16 surrogate is valid JSON but not text, and would break every later read of what it
  // lands in. Tracking and webhooks repair it in their own parsers; the admin API refuses it.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined || request.body === null || /^\/(v1|webhooks)\//.test(request.url)) return;
    const path = loneSurrogatePath(request.body);
    if (path) throw new AppError('validation_failed', 'The body holds text that is not valid Unicode', [{ path, reason: LONE_SURROGATE_REASON }]);
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const appError = toAppError(error);
    if (appError.code === 'internal') request.log.error({ err: error }, 'request failed');
    if ((appError.code === 'rate_limited' || appError.code === 'unavailable') && !reply.hasHeader('retry-after')) {
      reply.header('retry-after', String(appError.retryAfterSeconds ?? 1));
    }
    return reply.status(httpStatusOf(appError.code)).send(appError.toJSON());
  });

  for (const spec of allRoutes) registerRoute(app, services, spec);
  for (const group of scopedRoutes) {
    await app.register(async (scope) => {
      await group.setup(scope, services);
      for (const spec of group.routes) registerRoute(scope, services, spec);
    });
  }

  registerLocalRoutes(app, services);

  const documented = [...allRoutes, ...scopedRoutes.flatMap((group) => group.routes)];
  app.get('/api/openapi.json', async () => openApiDocument(documented, services.config.publicUrl));
  app.get('/healthz', async (_request, reply) => {
    const ok = await services.storage.read.selectNoFrom((eb) => eb.lit(1).as('one')).execute().then(() => true, () => false);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable' });
  });

  const dashboardDir = options.dashboardDir;
  if (dashboardDir && existsSync(join(dashboardDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: dashboardDir, wildcard: false, index: 'index.html' });
  }
  app.setNotFoundHandler((request, reply) => {
    const isApi = /^\/(api|v1|webhooks)\//.test(request.url);
    if (!isApi && request.method === 'GET' && dashboardDir && existsSync(join(dashboardDir, 'index.html'))) {
      return reply.type('text/html').sendFile('index.html');
    }
    const error = new AppError('not_found', `No route ${request.method} ${request.url.split('?')[0]}`);
    return reply.status(404).send(error.toJSON());
  });
  return app;
}

function registerRoute(app: FastifyInstance, services: Services, spec: RouteSpec): void {
  app.route({
    method: spec.method,
    url: spec.url,
    ...(spec.bodyLimit !== undefined && { bodyLimit: spec.bodyLimit }),
    ...(spec.rateLimit && { preHandler: app.rateLimit({
      ...spec.rateLimit,
      errorResponseBuilder: (_request, context) => new AppError('rate_limited', `Too many attempts from this address; retry in ${context.after}`),
    }) }),
    handler: async (request, reply) => {
      const auth = spec.permission === 'public' ? undefined : await authenticate(services, request, spec.permission);
      const parse = <T>(schema: { safeParse: (v: unknown) => { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } } | undefined, value: unknown, where: string): T => {
        if (!schema) return value as T;
        const result = schema.safeParse(value);
        if (!result.success) {
          const details = detailsFromZod(result.error.issues).map((d) => ({ ...d, path: where === 'body' ? d.path : `${where}.${d.path}` }));
          throw new AppError('validation_failed', `Invalid ${where}`, details);
        }
        return result.data;
      };
      // The spec's status, unless the handler sets another (a PUT that only updated answers 200).
      reply.status(spec.status ?? 200);
      const result = await spec.handler({
        services,
        body: parse(spec.body, request.body, 'body'),
        query: parse(spec.query, request.query, 'query'),
        params: parse(spec.params, request.params, 'params'),
        headers: parse(spec.headers, spec.headers ? request.headers : undefined, 'headers'),
        principal: auth?.principal as never,
        storeId: auth?.principal.storeId as string,
        session: auth?.session,
        request,
        reply,
      });
      if (result === reply) return reply;
      return reply.send(result ?? null);
    },
  });
}

function toAppError(error: FastifyError | AppError): AppError {
  if (error instanceof AppError) return error;
  const code = (error as FastifyError).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new AppError('payload_too_large', error.message);
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new AppError('unsupported_media_type', error.message);
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return new AppError('bad_request', 'Body is empty but Content-Type is application/json', [{ path: '(body)', reason: 'empty' }]);
  if (error instanceof SyntaxError || code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new AppError('bad_request', 'Malformed JSON body', [{ path: '(body)', reason: error.message }]);
  }
  if ('issues' in error && Array.isArray((error as { issues: unknown }).issues)) {
    return new AppError('validation_failed', 'Invalid input', detailsFromZod((error as unknown as { issues: { path: PropertyKey[]; message: string }[] }).issues));
  }
  const status = (error as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) return new AppError('bad_request', error.message);
  return new AppError('internal', 'Internal error');
}
