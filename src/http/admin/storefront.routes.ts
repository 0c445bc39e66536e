/**
 * A shop's pages reading and spending a signed-in customer's own loyalty points, and the key the
 * shop's server signs customers with (docs/storefront.md). The store is named by its public write
 * key; the customer by their external id and the signature only the shop's server can make, so a
 * page cannot read or spend another customer's points. Origins and rate limits as for every
 * storefront route; a redemption takes an Idempotency-Key and a retry gets the first answer.
 */
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { LOYALTY_WIDGET_SOURCE } from '../../modules/loyalty/index.js';
import { route } from '../route.js';
import { idempotencyHeader } from '../schemas/common.schemas.js';
import { storefrontKeySchema, storefrontLoyaltySchema, storefrontRedemptionSchema } from '../schemas/storefront.schemas.js';
import { checkStorefrontOrigin, signedCustomer, signedCustomerParams, storefrontKeyOf, storefrontKeyParam, storefrontStore } from '../storefront.js';

const tag = 'Storefront';
/** Per address: a customer's account page loads once or twice; a script trying signatures is slowed. */
const storefrontLimit = { max: 60, timeWindow: '1 minute' };
const idempotency = idempotencyHeader('required: a key unique to this redemption; a retry with the same key gets the first answer');

export const storefrontRoutes = [
  route({
    method: 'GET', url: '/api/v1/storefront/key', operationId: 'getStorefrontKey', response: storefrontKeySchema, permission: 'write', tag,
    summary: 'The key the shop\'s server signs a signed-in customer\'s external id with, for the storefront\'s personal routes (keep it secret)',
    handler: async ({ services, storeId }) => storefrontKeyOf(services, storeId),
  }),
  route({
    method: 'GET', url: '/v1/loyalty', operationId: 'getStorefrontLoyalty', response: storefrontLoyaltySchema, permission: 'public', tag,
    rateLimit: storefrontLimit, errors: [401, 403],
    summary: 'Storefront (key: the store\'s write key): a signed-in customer\'s points, tier, how to earn, the rewards they can afford and their latest history',
    query: z.strictObject({ key: storefrontKeyParam, ...signedCustomerParams }),
    handler: async ({ services, query, request }) => {
      const storeId = await storefrontStore(services, query.key, request.headers.origin, 'show loyalty points');
      const customerId = await signedCustomer(services, storeId, query.customer, query.signature);
      const { settings } = await services.loyalty.settings(storeId);
      const balance = customerId === undefined ? undefined : await services.loyalty.balance(storeId, customerId);
      const history = customerId === undefined ? [] : (await services.loyalty.history(storeId, customerId, { limit: 10 })).data;
      const available = balance?.available ?? 0;
      return {
        enabled: settings.enabled, known: customerId !== undefined, available, pending: balance?.pending ?? 0, value: balance?.value ?? 0,
        currency: balance?.currency ?? (await services.accounts.getStore(storeId)).currency,
        tier: balance?.tier ?? null, next_tier: balance?.next_tier ? { name: balance.next_tier.name, basis: settings.tiers.basis, threshold: balance.next_tier.threshold, missing: balance.next_tier.missing } : null,
        earning: {
          points_per_currency_unit: settings.earning.points_per_currency_unit, points_per_order: settings.earning.points_per_order,
          signup_points: settings.earning.signup_points, birthday_points: settings.earning.birthday_points,
        },
        rewards: settings.rewards.map((r) => ({ id: r.id, name: r.name, kind: r.kind, points: r.points, value: r.value, ...(r.product_id !== undefined && { product_id: r.product_id }), affordable: settings.enabled && available >= r.points })),
        history: history.map((e) => ({ kind: e.kind, points: e.points, standing: e.standing, reason: e.reason, created_at: e.created_at })),
      };
    },
  }),
  route({
    method: 'POST', url: '/v1/loyalty/redemptions', operationId: 'redeemStorefrontReward', response: storefrontRedemptionSchema, permission: 'track', tag,
    rateLimit: storefrontLimit, status: 201, alsoStatus: [200], errors: [403, 404, 409],
    statusDescriptions: { 201: 'Redeemed: points drawn, code issued', 200: 'A retry with the same Idempotency-Key: the first answer' },
    summary: 'Storefront (write key): a signed-in customer redeems a reward for its points and gets its unique code (Idempotency-Key header required)',
    headers: idempotency, body: z.strictObject({ ...signedCustomerParams, reward_id: z.string().min(1).max(40) }),
    handler: async ({ services, storeId, body, headers, request, reply }) => {
      await checkStorefrontOrigin(services, storeId, request.headers.origin, 'redeem loyalty rewards');
      const customerId = await signedCustomer(services, storeId, body.customer, body.signature);
      if (customerId === undefined) throw new AppError('not_found', `Customer "${body.customer}" has no points in this store yet`);
      // The key is scoped to the storefront so it cannot replay an answer made through the admin API.
      const { redemption, replayed } = await services.loyalty.redeem(storeId, customerId, { reward_id: body.reward_id, key: `storefront:${headers['idempotency-key']}` });
      reply.status(replayed ? 200 : 201);
      return { reward: redemption.reward, points: redemption.points, code: redemption.code, balance_after: redemption.balance_after, created_at: redemption.created_at };
    },
  }),
  route({
    method: 'GET', url: '/v1/loyalty/widget.js', operationId: 'getLoyaltyWidget', permission: 'public', tag, produces: ['application/javascript'],
    summary: 'The storefront loyalty widget: points, tier, how to earn, rewards to redeem and history for the signed-in customer (see docs/storefront.md)',
    handler: async ({ reply }) => reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(LOYALTY_WIDGET_SOURCE),
  }),
];
