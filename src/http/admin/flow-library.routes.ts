import { z } from 'zod';
import { route } from '../route.js';
import { flowBacktestSchema, flowInstallSchema, readyFlowListSchema } from '../schemas/flow-library.schemas.js';

const tag = 'Flows';

/** The library of ready flows and the backtest (docs/flows.md). */
export const flowLibraryRoutes = [
  route({
    method: 'GET', url: '/api/v1/flows/library', operationId: 'listReadyFlows', response: readyFlowListSchema, permission: 'read', tag,
    summary: 'Ready flows: what each does and why it works, its steps, templates and segment, and whether this store installed it',
    handler: async ({ services, storeId }) => ({ data: await services.flowLibrary.list(storeId) }),
  }),
  route({
    method: 'POST', url: '/api/v1/flows/library/:key/install', operationId: 'installReadyFlow', response: flowInstallSchema, permission: 'write', tag,
    params: z.object({ key: z.string().min(1) }),
    summary: 'Install a ready flow as a draft, with its starter templates and segment (idempotent: a second install returns the first flow)',
    handler: async ({ services, storeId, params }) => services.flowLibrary.install(storeId, params.key),
  }),
  route({
    method: 'POST', url: '/api/v1/flows/:id/backtest', operationId: 'backtestFlow', response: flowBacktestSchema, permission: 'read', tag,
    params: z.object({ id: z.string().min(1) }),
    summary: 'Run the flow\'s draft (trigger, entry rule, exit conditions, steps) over the store\'s history of the last N days',
    body: z.strictObject({ days: z.number().int().min(1).max(730).default(90) }).optional(),
    handler: async ({ services, storeId, params, body }) => services.flowBacktest.run(storeId, params.id, body?.days ?? 90),
  }),
];
