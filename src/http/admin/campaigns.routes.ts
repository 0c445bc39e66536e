import { z } from 'zod';
import { campaignChannels, campaignInputSchema, campaignPatchSchema } from '../../modules/campaigns/index.js';
import { route } from '../route.js';
import { audienceCountSchema, campaignListSchema, recipientPageSchema, campaignResultsSchema, campaignSchema, campaignStartSchema } from '../schemas/campaigns.schemas.js';

const tag = 'Campaigns';
const idParams = z.object({ id: z.string().min(1) });

export const campaignRoutes = [
  route({
    method: 'GET', url: '/api/v1/campaigns', operationId: 'listCampaigns', response: campaignListSchema, permission: 'read', tag, summary: 'Campaigns, newest first',
    handler: async ({ services, storeId }) => ({ data: await services.campaigns.list(storeId) }),
  }),
  route({
    method: 'POST', url: '/api/v1/campaigns', operationId: 'createCampaign', response: campaignSchema, permission: 'write', tag, status: 201,
    summary: 'Create a campaign: segments, exclusions, holdout share, template, optional A/B test and send time',
    body: campaignInputSchema,
    handler: async ({ services, storeId, body, reply }) => {
      reply.status(201);
      return services.campaigns.create(storeId, body);
    },
  }),
  route({
    method: 'POST', url: '/api/v1/campaigns/audience', operationId: 'countCampaignAudience', response: audienceCountSchema, permission: 'read', tag,
    summary: 'Who a campaign to these segments would reach now, and why the others would not',
    body: z.strictObject({
      segment_ids: z.array(z.string().min(1)).min(1).max(20), exclude_segment_ids: z.array(z.string().min(1)).max(20).optional(), holdout_share: z.number().min(0).max(0.5).optional(),
      channel: z.enum(campaignChannels).optional().meta({ description: 'Whose address and consent count: email (the default), sms, or webhook (by the store\'s webhook consent)' }),
    }),
    handler: async ({ services, storeId, body }) => services.campaigns.audience(storeId, body),
  }),
  route({
    method: 'GET', url: '/api/v1/campaigns/:id', operationId: 'getCampaign', response: campaignSchema, permission: 'read', tag, summary: 'One campaign', params: idParams,
    handler: async ({ services, storeId, params }) => services.campaigns.get(storeId, params.id),
  }),
  route({
    method: 'PATCH', url: '/api/v1/campaigns/:id', operationId: 'updateCampaign', response: campaignSchema, errors: [409], permission: 'write', tag,
    summary: 'Change a draft or scheduled campaign', params: idParams, body: campaignPatchSchema,
    handler: async ({ services, storeId, params, body }) => services.campaigns.update(storeId, params.id, body),
  }),
  route({
    method: 'DELETE', url: '/api/v1/campaigns/:id', operationId: 'deleteCampaign', errors: [409], permission: 'write', tag, status: 204, params: idParams,
    summary: 'Delete a campaign that never started (a started one is kept for its results)',
    handler: async ({ services, storeId, params, reply }) => {
      await services.campaigns.remove(storeId, params.id);
      return reply.status(204).send();
    },
  }),
  route({
    method: 'POST', url: '/api/v1/campaigns/:id/start', operationId: 'startCampaign', response: campaignStartSchema, errors: [409], permission: 'write', tag, params: idParams,
    summary: 'Start a campaign: freeze its audience with the holdout drawn, and send to the others (starting again changes nothing)',
    handler: async ({ services, storeId, params }) => services.campaigns.start(storeId, params.id),
  }),
  route({
    method: 'GET', url: '/api/v1/campaigns/:id/recipients', operationId: 'listCampaignRecipients', response: recipientPageSchema, permission: 'read', tag, params: idParams,
    summary: 'The audience frozen when the campaign started, with each person\'s group (sent, holdout, a variant, or rest)',
    query: z.strictObject({
      group: z.enum(['holdout', 'sent']).optional(),
      cursor: z.string().regex(/^\d+$/, 'a cursor returned by this endpoint').optional(),
      limit: z.coerce.number().int().min(1).max(1000).optional(),
    }),
    handler: async ({ services, storeId, params, query }) => services.campaigns.recipients(storeId, params.id, {
      ...(query.group && { group: query.group }), ...(query.cursor && { after: Number(query.cursor) }), ...(query.limit && { limit: query.limit }),
    }),
  }),
  route({
    method: 'GET', url: '/api/v1/campaigns/:id/results', operationId: 'getCampaignResults', response: campaignResultsSchema, permission: 'read', tag, params: idParams,
    summary: 'Orders and revenue of each group in the attribution window, and the lift over the holdout with 95 % intervals',
    handler: async ({ services, storeId, params }) => services.campaigns.results(storeId, params.id),
  }),
];
