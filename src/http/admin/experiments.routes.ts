/** Measurement (/api/v1/experiments): experiments with their arms, and the store's global holdout. */
import { z } from 'zod';
import { experimentKinds, impactQuerySchema, powerRequestSchema } from '../../modules/experiments/index.js';
import { route } from '../route.js';
import { calibrationSchema, experimentListSchema, experimentResultsSchema, globalHoldoutSchema, impactSchema, powerPlanSchema } from '../schemas/experiments.schemas.js';

const DAY_MS = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

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
  route({
    method: 'GET', url: '/api/v1/experiments/impact', operationId: 'getExperimentImpact', response: impactSchema, permission: 'read', tag,
    summary: 'Incremental orders and net revenue per programme (campaigns, flows, offers, the global holdout) for people eligible in a period, and in total',
    query: impactQuerySchema,
    handler: async ({ services, storeId, query }) => {
      const to = query.to ?? isoDay(new Date());
      const from = query.from ?? isoDay(new Date(new Date(`${to}T00:00:00Z`).getTime() - 90 * DAY_MS));
      return services.experiments.impact(storeId, { from, to, window: query.window });
    },
  }),
  route({
    method: 'POST', url: '/api/v1/experiments/power', operationId: 'planExperimentPower', response: powerPlanSchema, permission: 'read', tag,
    summary: 'How many people and days an experiment needs to detect a lift of a given size (baseline from a flow or a segment when asked)',
    body: powerRequestSchema,
    handler: async ({ services, storeId, body }) => services.experiments.power(storeId, body),
  }),
  route({
    method: 'POST', url: '/api/v1/experiments/calibration', operationId: 'calibrateExperiments', response: calibrationSchema, permission: 'write', tag,
    summary: 'A/A simulations on the store\'s own customers: how often the 95 % intervals cover zero, with and without CUPED, and the always-valid monitor\'s false positives under daily looks (seconds of CPU in a worker thread)',
    body: z.strictObject({
      runs: z.number().int().min(10, 'must be at least 10').max(5_000, 'must be at most 5000').optional(),
      holdout_share: z.number().min(0.01, 'must be at least 0.01').max(0.5, 'must be at most 0.5').optional(),
      window_days: z.union([z.literal(7), z.literal(30), z.literal(90)], { error: 'must be 7, 30 or 90' }).optional(),
    }),
    handler: async ({ services, storeId, body }) => services.experiments.calibrate(storeId, { runs: body.runs, holdoutShare: body.holdout_share, windowDays: body.window_days }),
  }),
  route({
    method: 'GET', url: '/api/v1/experiments/:id', operationId: 'getExperiment', response: experimentResultsSchema, permission: 'read', tag,
    summary: 'An experiment\'s results: per window (7, 30, 90 days) each arm against the control, per metric, with intervals, CUPED and the always-valid monitor',
    params: z.object({ id: z.string().min(1) }),
    handler: async ({ services, storeId, params }) => services.experiments.results(storeId, params.id),
  }),
];
