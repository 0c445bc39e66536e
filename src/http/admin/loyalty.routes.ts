import { z } from 'zod';
import { loyaltySettingsSchema } from '../../modules/loyalty/index.js';
import { invalid } from '../../lib/errors.js';
import { isCalendarDay } from '../../lib/time.js';
import { route } from '../route.js';
import { idempotencyHeader } from '../schemas/common.schemas.js';
import { referralRoutes } from './loyalty-referrals.routes.js';
import {
  loyaltyAnalyticsSchema, loyaltyBackfillSchema, loyaltyBalanceSchema, loyaltyEntrySchema, loyaltyHistorySchema, loyaltyLiabilitySchema, loyaltyMemberPageSchema,
  loyaltyRedemptionListSchema, loyaltyRedemptionSchema, loyaltySettingsAnswer,
} from '../schemas/loyalty.schemas.js';

const tag = 'Loyalty';
const customerParams = z.object({ id: z.string().min(1).max(300).meta({ description: 'Customer id, or ext:<external id>' }) });
const idempotency = idempotencyHeader('required: a key unique to this change; a retry with the same key gets the first answer');
const cursor = z.string().regex(/^\d{1,15}$/, 'a cursor returned by this endpoint');

export const loyaltyRoutes = [
  route({
    method: 'GET', url: '/api/v1/loyalty/settings', operationId: 'getLoyaltySettings', response: loyaltySettingsAnswer, permission: 'read', tag,
    summary: 'The loyalty programme\'s rules: earning, pending period, expiry, negative balances, point value, tiers, rewards',
    handler: async ({ services, storeId }) => services.loyalty.settings(storeId),
  }),
  route({
    method: 'PUT', url: '/api/v1/loyalty/settings', operationId: 'updateLoyaltySettings', response: loyaltySettingsAnswer, permission: 'write', tag,
    summary: 'Save the programme\'s rules (a new version; the earlier ones are kept)', body: loyaltySettingsSchema,
    handler: async ({ services, storeId, body, principal }) => {
      if (body.fulfilment?.webhook) {
        const messaging = await services.messages.settings(storeId);
        if (!messaging.webhook_url || !messaging.webhook_secret) {
          throw invalid('Invalid loyalty settings', [{ path: 'fulfilment.webhook', reason: 'needs the webhook channel: set a webhook URL in the messaging settings first' }]);
        }
      }
      return services.loyalty.saveSettings(storeId, body, `${principal.kind}:${principal.id}`);
    },
  }),
  route({
    method: 'GET', url: '/api/v1/loyalty/members', operationId: 'listLoyaltyMembers', response: loyaltyMemberPageSchema, permission: 'read', tag,
    summary: 'Customers with points, by customer id, with their name (else email), balance and tier',
    query: z.strictObject({ cursor: cursor.optional(), limit: z.coerce.number().int().min(1).max(1000).optional() }),
    handler: async ({ services, storeId, query }) => {
      const page = await services.loyalty.members(storeId, { ...(query.cursor && { after: Number(query.cursor) }), ...(query.limit && { limit: query.limit }) });
      const labels = await services.customers.labels(storeId, page.data.map((m) => m.customer_id));
      return { ...page, data: page.data.map((m) => ({ ...m, label: labels.get(m.customer_id) ?? String(m.customer_id) })) };
    },
  }),
  route({
    method: 'GET', url: '/api/v1/loyalty/liability', operationId: 'getLoyaltyLiability', response: loyaltyLiabilitySchema, permission: 'read', tag,
    summary: 'What the points customers hold are worth in the store currency (available and pending points × point value)',
    handler: async ({ services, storeId }) => services.loyalty.liability(storeId),
  }),
  route({
    method: 'GET', url: '/api/v1/loyalty/analytics', operationId: 'getLoyaltyAnalytics', response: loyaltyAnalyticsSchema, permission: 'read', tag,
    summary: 'The programme over the last `days` (365 by default): points issued, redeemed and expired, redemption rate, breakage, members against other customers, tiers',
    query: z.strictObject({ days: z.coerce.number().int().min(1).max(3650).optional() }),
    handler: async ({ services, storeId, query }) => services.loyalty.analytics(storeId, query.days ?? 365),
  }),
  route({
    method: 'POST', url: '/api/v1/loyalty/backfill', operationId: 'backfillLoyaltyOrders', response: loyaltyBackfillSchema, permission: 'write', tag, errors: [409],
    summary: 'Award the store\'s past orders that have no points yet, as their events would have (synchronous; a rerun skips what is done); 409 while the programme is off',
    body: z.strictObject({
      since: z.string().refine(isCalendarDay, 'a date written YYYY-MM-DD').optional().meta({ description: 'Only orders placed on or after this day (from 00:00 UTC)' }),
    }).optional(),
    handler: async ({ services, storeId, body }) => services.loyalty.backfill(storeId, { since: body?.since ? new Date(`${body.since}T00:00:00Z`) : undefined }),
  }),
  route({
    method: 'GET', url: '/api/v1/loyalty/customers/:id', operationId: 'getLoyaltyBalance', response: loyaltyBalanceSchema, permission: 'read', tag, params: customerParams,
    summary: 'A customer\'s points: available, pending, owed, lapsed, their value, tier and the next tier',
    // A member's id is known to the loyalty module without a query; anyone else is looked up (404 if unknown).
    handler: async ({ services, storeId, params }) => services.loyalty.balance(storeId, services.loyalty.memberId(storeId, params.id) ?? (await services.customers.get(storeId, params.id)).id),
  }),
  route({
    method: 'GET', url: '/api/v1/loyalty/customers/:id/history', operationId: 'listLoyaltyHistory', response: loyaltyHistorySchema, permission: 'read', tag, params: customerParams,
    summary: 'A customer\'s ledger, newest first: every movement with its source, key and where it stands now',
    query: z.strictObject({ cursor: cursor.optional(), limit: z.coerce.number().int().min(1).max(500).optional() }),
    handler: async ({ services, storeId, params, query }) => services.loyalty.history(storeId, (await services.customers.get(storeId, params.id)).id,
      { ...(query.cursor && { before: Number(query.cursor) }), ...(query.limit && { limit: query.limit }) }),
  }),
  route({
    method: 'GET', url: '/api/v1/loyalty/customers/:id/redemptions', operationId: 'listLoyaltyRedemptions', response: loyaltyRedemptionListSchema, permission: 'read', tag, params: customerParams,
    summary: 'A customer\'s redeemed rewards, newest first, each issued, used or cancelled',
    handler: async ({ services, storeId, params }) => ({ data: await services.loyalty.redemptions(storeId, (await services.customers.get(storeId, params.id)).id) }),
  }),
  route({
    method: 'POST', url: '/api/v1/loyalty/customers/:id/redemptions', operationId: 'redeemLoyaltyReward', response: loyaltyRedemptionSchema, permission: 'write', tag,
    status: 201, alsoStatus: [200], statusDescriptions: { 201: 'Redeemed: points drawn, code issued', 200: 'A retry with the same Idempotency-Key: the first answer' }, errors: [409],
    summary: 'Redeem a reward for its points (Idempotency-Key header required); draws from the points that expire first and issues a unique code',
    params: customerParams, headers: idempotency, body: z.strictObject({ reward_id: z.string().min(1).max(40) }),
    handler: async ({ services, storeId, params, body, headers, reply }) => {
      const customerId = services.loyalty.memberId(storeId, params.id) ?? (await services.customers.get(storeId, params.id)).id;
      const { redemption, replayed } = await services.loyalty.redeem(storeId, customerId, { reward_id: body.reward_id, key: headers['idempotency-key'] });
      reply.status(replayed ? 200 : 201);
      return redemption;
    },
  }),
  route({
    method: 'POST', url: '/api/v1/loyalty/redemptions/:id/cancel', operationId: 'cancelLoyaltyRedemption', response: loyaltyRedemptionSchema, permission: 'write', tag, errors: [409],
    summary: 'Cancel an unused reward: its points go back to the awards they came from (cancelling again changes nothing)',
    params: z.object({ id: z.string().min(1).max(100) }),
    handler: async ({ services, storeId, params }) => services.loyalty.cancelRedemption(storeId, params.id),
  }),
  route({
    method: 'POST', url: '/api/v1/loyalty/customers/:id/adjustments', operationId: 'adjustLoyaltyPoints', response: loyaltyEntrySchema, permission: 'write', tag,
    status: 201, alsoStatus: [200], statusDescriptions: { 201: 'Recorded', 200: 'A retry with the same Idempotency-Key: the first row' }, errors: [409],
    summary: 'Add or take points by hand, with a reason (owner or admin; Idempotency-Key header required)',
    params: customerParams, headers: idempotency,
    body: z.strictObject({
      points: z.number().int().min(-1_000_000).max(1_000_000).refine((n) => n !== 0, 'must not be 0'),
      reason: z.string().trim().min(1, 'a reason is required').max(500),
    }),
    handler: async ({ services, storeId, params, body, headers, principal, reply }) => {
      const customer = await services.customers.get(storeId, params.id);
      const { entry, replayed } = await services.loyalty.adjust(storeId, customer.id, {
        points: body.points, reason: body.reason, key: headers['idempotency-key'], actor: `${principal.kind}:${principal.id}`,
      });
      reply.status(replayed ? 200 : 201);
      return entry;
    },
  }),
  ...referralRoutes,
];
