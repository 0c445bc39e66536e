import { z } from 'zod';
import { runStatuses } from '../../modules/flows/index.js';
import { route } from '../route.js';
import { flowEnrolmentSchema, flowListSchema, flowRunListSchema, flowRunPageSchema, flowSchema, flowStatsSchema } from '../schemas/flows.schemas.js';

const tag = 'Flows';
const idParams = z.object({ id: z.string().min(1) });
/** The document is checked by the flows module, which names the path of a bad field. */
const documentBody = z.unknown();

export const flowRoutes = [
  route({
    method: 'GET', url: '/api/v1/flows', operationId: 'listFlows', response: flowListSchema, permission: 'read', tag,
    summary: 'Flows with their status, entrants, runs in progress and messages',
    handler: async ({ services, storeId }) => ({ data: await services.flows.list(storeId) }),
  }),
  route({
    method: 'POST', url: '/api/v1/flows', operationId: 'createFlow', response: flowSchema, permission: 'write', tag, status: 201,
    summary: 'Create a draft flow from a document (checked: shape, step graph, templates, segments, rules)',
    body: z.strictObject({ name: z.string().min(1).max(200), document: documentBody }),
    handler: async ({ services, storeId, body, reply }) => {
      reply.status(201);
      return services.flows.create(storeId, { name: body.name, document: body.document as never });
    },
  }),
  route({
    method: 'GET', url: '/api/v1/flows/:id', operationId: 'getFlow', response: flowSchema, permission: 'read', tag, params: idParams,
    summary: 'One flow: its draft document and published versions',
    handler: async ({ services, storeId, params }) => services.flows.get(storeId, params.id),
  }),
  route({
    method: 'PATCH', url: '/api/v1/flows/:id', operationId: 'updateFlow', response: flowSchema, permission: 'write', tag, params: idParams,
    summary: 'Change the draft (runs keep the version they started on; publish to make the change live)',
    body: z.strictObject({ name: z.string().min(1).max(200).optional(), document: documentBody.optional() }),
    handler: async ({ services, storeId, params, body }) => services.flows.update(storeId, params.id, {
      ...(body.name !== undefined && { name: body.name }), ...(body.document !== undefined && { document: body.document as never }),
    }),
  }),
  route({
    method: 'POST', url: '/api/v1/flows/:id/publish', operationId: 'publishFlow', response: flowSchema, permission: 'write', tag, params: idParams,
    summary: 'Publish the draft as the next version and make the flow live',
    handler: async ({ services, storeId, params }) => services.flows.publish(storeId, params.id),
  }),
  route({
    method: 'POST', url: '/api/v1/flows/:id/pause', operationId: 'pauseFlow', response: flowSchema, errors: [409], permission: 'write', tag, params: idParams,
    summary: 'Pause a flow: nobody enters, runs hold at their step',
    handler: async ({ services, storeId, params }) => services.flows.setPaused(storeId, params.id, true),
  }),
  route({
    method: 'POST', url: '/api/v1/flows/:id/resume', operationId: 'resumeFlow', response: flowSchema, errors: [409], permission: 'write', tag, params: idParams,
    summary: 'Resume a paused flow: runs move on from their step',
    handler: async ({ services, storeId, params }) => services.flows.setPaused(storeId, params.id, false),
  }),
  route({
    method: 'GET', url: '/api/v1/flows/:id/runs', operationId: 'listFlowRuns', response: flowRunPageSchema, permission: 'read', tag, params: idParams,
    summary: 'Runs of a flow, oldest first (or newest first), each with its step log',
    query: z.strictObject({
      status: z.enum(runStatuses).optional(),
      order: z.enum(['oldest', 'newest']).optional().meta({ description: 'oldest (default) or newest first; `after` continues from the last id in that order' }),
      after: z.coerce.number().int().min(0).optional(),
      limit: z.coerce.number().int().min(1).max(1000).optional(),
    }),
    handler: async ({ services, storeId, params, query }) => services.flows.runs(storeId, params.id, {
      ...(query.status && { status: query.status }), ...(query.after !== undefined && { after: query.after }), ...(query.limit && { limit: query.limit }), ...(query.order && { order: query.order }),
    }),
  }),
  route({
    method: 'GET', url: '/api/v1/flows/:id/stats', operationId: 'getFlowStats', response: flowStatsSchema, permission: 'read', tag, params: idParams,
    summary: 'Per step: runs that reached it, wait there and left there by reason; per edge: runs that took it',
    query: z.strictObject({ version: z.coerce.number().int().min(1).optional() }),
    handler: async ({ services, storeId, params, query }) => services.flows.stats(storeId, params.id, query.version),
  }),
  route({
    method: 'POST', url: '/api/v1/flows/:id/enrol', operationId: 'enrolFlowSegment', response: flowEnrolmentSchema, errors: [409], permission: 'write', tag, params: idParams,
    summary: 'Enrol the current members of a segment in a live flow (entry rules apply)',
    body: z.strictObject({ segment_id: z.string().min(1) }),
    handler: async ({ services, storeId, params, body }) => services.flows.enrolSegment(storeId, params.id, body.segment_id),
  }),
  route({
    method: 'GET', url: '/api/v1/customers/:id/flow-runs', operationId: 'listCustomerFlowRuns', response: flowRunListSchema, permission: 'read', tag,
    params: z.object({ id: z.coerce.number().int().min(1) }),
    summary: 'A customer\'s flow runs, newest first, each with its step log',
    handler: async ({ services, storeId, params }) => ({ data: await services.flows.customerRuns(storeId, params.id) }),
  }),
];
