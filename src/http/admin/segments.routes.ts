import { Readable } from 'node:stream';
import { z } from 'zod';
import { route } from '../route.js';
import {
  fieldCatalogSchema, memberPageSchema, personaListSchema, personaRunSchema, previewSchema, refreshOutcomeSchema, segmentChangesSchema,
  segmentListSchema, segmentSchema, segmentSizesSchema,
} from '../schemas/segments.schemas.js';

const tag = 'Segments';
const idParams = z.object({ id: z.string().min(1) });
/** The rule is checked by the segments module, which names the path of a bad node. */
const ruleBody = z.unknown();

export const segmentRoutes = [
  route({
    method: 'GET', url: '/api/v1/segments', operationId: 'listSegments', response: segmentListSchema, permission: 'read', tag, summary: 'Saved segments with their size (built-in segments included)',
    handler: async ({ services, storeId }) => ({ data: await services.segments.list(storeId) }),
  }),
  route({
    method: 'GET', url: '/api/v1/segments/fields', operationId: 'listSegmentFields', response: fieldCatalogSchema, permission: 'read', tag, summary: 'Fields a rule can use, their types and operators',
    handler: async ({ services }) => services.segments.fields(),
  }),
  route({
    method: 'POST', url: '/api/v1/segments/preview', operationId: 'previewSegment', response: previewSchema, permission: 'read', tag, summary: 'Count and a sample of the customers a rule selects, with the values behind it',
    body: z.object({ rule: ruleBody, sample_size: z.number().int().min(0).max(100).optional() }).strict(),
    handler: async ({ services, storeId, body }) => services.segments.preview(storeId, body.rule, { sampleSize: body.sample_size ?? 10 }),
  }),
  route({
    method: 'POST', url: '/api/v1/segments', operationId: 'createSegment', response: segmentSchema, errors: [404], permission: 'write', tag, summary: 'Save a segment; its members are computed at once', status: 201,
    body: z.object({ name: z.string().min(1).max(200), description: z.string().max(2000).nullable().optional(), rule: ruleBody }).strict(),
    handler: async ({ services, storeId, body }) => services.segments.create(storeId, { name: body.name, description: body.description ?? null, rule: body.rule }),
  }),
  route({
    method: 'GET', url: '/api/v1/segments/:id', operationId: 'getSegment', response: segmentSchema, permission: 'read', tag, summary: 'One segment', params: idParams,
    handler: async ({ services, storeId, params }) => services.segments.get(storeId, params.id),
  }),
  route({
    method: 'PATCH', url: '/api/v1/segments/:id', operationId: 'updateSegment', response: segmentSchema, permission: 'write', tag, summary: 'Rename a segment or change its rule (members are recomputed)', params: idParams,
    body: z.object({ name: z.string().min(1).max(200).optional(), description: z.string().max(2000).nullable().optional(), rule: ruleBody.optional() }).strict(),
    handler: async ({ services, storeId, params, body }) => services.segments.update(storeId, params.id, body),
  }),
  route({
    method: 'DELETE', url: '/api/v1/segments/:id', operationId: 'deleteSegment', errors: [409], permission: 'write', tag, summary: 'Delete a segment with its members and history', status: 204, params: idParams,
    handler: async ({ services, storeId, params, reply }) => {
      await services.segments.remove(storeId, params.id);
      return reply.status(204).send();
    },
  }),
  route({
    method: 'POST', url: '/api/v1/segments/:id/refresh', operationId: 'refreshSegment', response: refreshOutcomeSchema, permission: 'write', tag, summary: 'Recompute members now; returns entries and exits', params: idParams,
    handler: async ({ services, storeId, params }) => services.segments.refresh(storeId, params.id),
  }),
  route({
    method: 'GET', url: '/api/v1/segments/:id/members', operationId: 'listSegmentMembers', response: memberPageSchema, permission: 'read', tag, summary: 'Members in customer id order; pass next_cursor to get the next page', params: idParams,
    query: z.object({ cursor: z.string().max(40).optional(), limit: z.coerce.number().int().min(1).max(1000).optional() }).strict(),
    handler: async ({ services, storeId, params, query }) => services.segments.members(storeId, params.id, query),
  }),
  route({
    method: 'GET', url: '/api/v1/segments/:id/members.csv', operationId: 'exportSegmentMembers', produces: ['text/csv'], permission: 'read', tag, params: idParams,
    summary: 'All members as CSV, with their orders, net revenue, last order day and predictions (cells a spreadsheet would run as formulas are neutralised)',
    query: z.object({
      store: z.string().min(1).max(100).optional().meta({ description: 'For a signed-in user: the store (id or slug), as X-Hearth-Store names it; a download link cannot send that header' }),
    }).strict(),
    handler: async ({ services, storeId, params, reply }) => {
      const segment = await services.segments.get(storeId, params.id);
      const filename = `${segment.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'segment'}.csv`;
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`)
        .send(Readable.from(services.segments.exportCsv(storeId, params.id)));
    },
  }),
  route({
    method: 'GET', url: '/api/v1/segments/:id/changes', operationId: 'listSegmentChanges', response: segmentChangesSchema, permission: 'read', tag, summary: 'Entries and exits after a history id, oldest first (for flow triggers)', params: idParams,
    query: z.object({ after: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().min(1).max(5000).optional() }).strict(),
    handler: async ({ services, storeId, params, query }) => services.segments.changes(storeId, params.id, query),
  }),
  route({
    method: 'GET', url: '/api/v1/segments/:id/sizes', operationId: 'getSegmentSizes', response: segmentSizesSchema, permission: 'read', tag, summary: 'Segment size at the end of each day', params: idParams,
    query: z.object({ days: z.coerce.number().int().min(1).max(730).optional() }).strict(),
    handler: async ({ services, storeId, params, query }) => ({ data: await services.segments.sizeOverTime(storeId, params.id, query.days ?? 90) }),
  }),
  route({
    method: 'GET', url: '/api/v1/personas', operationId: 'listPersonas', response: personaListSchema, permission: 'read', tag, summary: 'The latest personas (size, revenue share, retention, predicted CLV, description, needs and motivators) and how their number was chosen',
    handler: async ({ services, storeId }) => {
      const [data, run] = await Promise.all([services.personas.list(storeId), services.personas.latestRun(storeId)]);
      return { data, run };
    },
  }),
  route({
    method: 'POST', url: '/api/v1/personas/run', operationId: 'runPersonas', response: personaRunSchema, permission: 'write', tag, summary: 'Find personas by clustering customer behaviour (replaces the previous ones)',
    body: z.object({ seed: z.number().int().min(0).optional(), k: z.number().int().min(2).max(10).optional() }).strict(),
    handler: async ({ services, storeId, body }) => services.personas.run(storeId, body),
  }),
  route({
    method: 'POST', url: '/api/v1/personas/:id/segment', operationId: 'savePersonaAsSegment', response: segmentSchema, permission: 'write', tag, summary: 'Save a persona as a segment', status: 201, params: idParams,
    handler: async ({ services, storeId, params }) => services.personas.saveAsSegment(storeId, params.id),
  }),
];
