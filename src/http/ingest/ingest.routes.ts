/**
 * The ingestion routes (Segment tracking API, the snippet, Shopify webhooks) share one HTTP scope
 * with their own body parsing and CORS (see `ingest.scope.ts`); the status route is a plain admin route.
 */
import { route, type RouteScope } from '../route.js';
import { ingestStatusSchema } from '../schemas/ingest.schemas.js';
import { setupIngestScope } from './ingest.scope.js';
import { segmentRoutes } from './segment.routes.js';
import { shopifyRoutes } from './shopify.routes.js';
import { snippetRoutes } from './snippet.routes.js';

export const ingestScope: RouteScope = {
  setup: (scope) => setupIngestScope(scope),
  routes: [...segmentRoutes, ...snippetRoutes, ...shopifyRoutes],
};

export const ingestStatusRoutes = [
  route({
    method: 'GET', url: '/api/v1/ingest/status', operationId: 'getIngestStatus', response: ingestStatusSchema, permission: 'read', tag: 'Tracking (Segment API)',
    summary: 'Events received, stored, rejected (with top reasons) and deduplicated per source, last 24 hours',
    handler: async ({ services, storeId }) => {
      const status = await services.ingest.status(storeId);
      return {
        since: new Date(status.since),
        sources: status.sources.map(({ topRejections, ...source }) => ({ ...source, top_rejections: topRejections })),
      };
    },
  }),
];
