/**
 * The Segment HTTP tracking API (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/):
 * `/v1/batch` and one route per message type. Authentication is the store's write key as the
 * Basic user name (or `writeKey` in the body). The answer comes after the events are committed.
 */
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { MAX_BATCH_BYTES, MAX_EVENT_BYTES } from '../../modules/ingest/index.js';
import type { IngestResult, Trust } from '../../modules/ingest/index.js';
import type { Principal } from '../../modules/accounts/index.js';
import type { EventType } from '../../modules/events/index.js';
import { route, type RouteSpec } from '../route.js';
import { trackResultSchema } from '../schemas/ingest.schemas.js';
import { rawBodyOf } from './ingest.scope.js';

const tag = 'Tracking (Segment API)';

const batchBody = z.looseObject({
  batch: z.array(z.unknown()).min(1, 'must hold at least one event'),
  sentAt: z.unknown().optional(),
  context: z.unknown().optional(),
  writeKey: z.string().optional(),
});
const messageBody = z.looseObject({ writeKey: z.string().optional() });

/** The public write key sits in every page: what it sends is behaviour only (docs/tracking.md, "Keys"). */
const trustOf = (principal: Principal): Trust => (principal.keyKind === 'write' ? 'browser' : 'server');

/** Every event stored or deduplicated, or some rejected: 200 with the details; all rejected: 422. */
function answer(result: IngestResult, prefix: string) {
  if (result.rejected.length > 0 && result.stored + result.duplicates === 0) {
    const count = result.rejected.length;
    throw new AppError('validation_failed', count === 1 ? 'The event was rejected' : `All ${count} events were rejected`,
      result.rejected.map((r) => ({ path: [prefix === 'batch' ? `batch.${r.index}` : '', r.path].filter(Boolean).join('.') || '(body)', reason: r.reason })));
  }
  return { success: true as const, ...result };
}

const single = (type: EventType, summary: string): RouteSpec => route({
  method: 'POST', url: `/v1/${type}`, operationId: `send${type[0]!.toUpperCase()}${type.slice(1)}Event`, permission: 'track', tag, summary, body: messageBody,
  response: trackResultSchema, errors: [415, 503],
  bodyLimit: MAX_EVENT_BYTES + 1024,
  handler: async ({ services, storeId, principal, body, request }) => {
    const { writeKey: _key, ...message } = body;
    return answer(await services.ingest.track(storeId, [message], { type, origin: request.headers.origin, trust: trustOf(principal) }), type);
  },
});

const longRoutes: RouteSpec[] = [
  route({
    method: 'POST', url: '/v1/batch', operationId: 'sendEventBatch', permission: 'track', tag, bodyLimit: MAX_BATCH_BYTES, body: batchBody,
    response: trackResultSchema, errors: [415, 503],
    summary: 'Send a batch of track/page/screen/identify/group/alias events (≤ 500 KB, each ≤ 32 KB); invalid events are rejected by index',
    handler: async ({ services, storeId, principal, body, request }) =>
      answer(await services.ingest.track(storeId, body.batch, {
        batchSentAt: body.sentAt, batchContext: body.context, bodyBytes: rawBodyOf(request)?.length, origin: request.headers.origin, trust: trustOf(principal),
      }), 'batch'),
  }),
  single('track', 'Record an action (ecommerce events such as Order Completed also write orders)'),
  single('identify', 'Identify a customer: upserts the customer from traits and links the anonymous id'),
  single('page', 'Record a page view'),
  single('screen', 'Record an app screen view'),
  single('group', 'Associate the customer with a group (company, household)'),
  single('alias', 'Link a previous (anonymous) id to the customer'),
];

/**
 * Segment's browser library (analytics.js 2.0, `@segment/analytics-next`) posts to one-letter
 * paths; each answers exactly as its long form does.
 */
const shortPaths: Record<string, string> = { batch: 'b', track: 't', identify: 'i', page: 'p', screen: 's', group: 'g', alias: 'a' };

export const segmentRoutes: RouteSpec[] = [
  ...longRoutes,
  ...longRoutes.map((spec): RouteSpec => {
    const name = spec.url.slice('/v1/'.length);
    return { ...spec, url: `/v1/${shortPaths[name]}`, operationId: `${spec.operationId}Short`, summary: `${spec.summary} (the short path /v1/${shortPaths[name]} of Segment's browser library)` };
  }),
];
