/** Measurement (/api/v1/experiments): experiments with their arms, and the store's global holdout. */
import { z } from 'zod';
import { experimentKinds } from '../../modules/experiments/index.js';
import { route } from '../route.js';
import { experimentListSchema, globalHoldoutSchema } from '../schemas/experiments.schemas.js';

const tag = 'Experiments';

export const experimentRoutes = [
  route({
    method: 'GET', url: '/api/v1/experiments', operationId: 'listExperiments', response: experimentListSchema, permission: 'read', tag,
    summary: 'Experiments (campaigns, A/B tests, flows, flow splits, the global holdout) with their arms and people, newest first',
    query: z.strictObject({ kind: z.enum(experimentKinds).optional(), source_id: z.string().min(1).max(300).optional() }),
    handler: async ({ services, storeId, query }) => ({ data: await services.experiments.list(storeId, { kind: query.kind, source_id: query.source_id }) }),
  }),
  route({
    method: 'GET', url: '/api/v1/experiments/global-holdout', operationId: 'getGlobalHoldout', response: globalHoldoutSchema, permission: 'read', tag,
    summary: 'The global holdout: the share of customers who receive no marketing at all, and since when',
    handler: async ({ services, storeId }) => services.experiments.globalHoldout(storeId),
  }),
  route({
    method: 'PUT', url: '/api/v1/experiments/global-holdout', operationId: 'setGlobalHoldout', response: globalHoldoutSchema, permission: 'write', tag,
    summary: 'Turn the global holdout on (share up to 0.2), off (0) or change its share (which starts a new measured period)',
    body: z.strictObject({ share: z.number().min(0, 'must be at least 0 (0 turns it off)').max(0.2, 'must be at most 0.2') }),
    handler: async ({ services, storeId, body }) => services.experiments.setGlobalHoldout(storeId, body.share),
  }),
];
