/** Answers of the storefront routes a shop's pages call for a signed-in customer (docs/storefront.md). */
import { z } from 'zod';
import { rewardKinds, rewardSchema } from '../../modules/loyalty/index.js';
import { component, count, currency, minorUnits, timestamp } from './common.schemas.js';

export const storefrontKeySchema = component('StorefrontKey', z.strictObject({
  key: z.string().meta({ description: 'Hex; the shop\'s server signs with it and never sends it to a browser' }),
  algorithm: z.string(),
  example: z.strictObject({ customer: z.string(), signature: z.string() }),
}));

export const storefrontLoyaltySchema = component('StorefrontLoyalty', z.strictObject({
  enabled: z.boolean().meta({ description: 'Whether the store\'s programme is on' }),
  known: z.boolean().meta({ description: 'False for a customer Hearth has no record of yet: no points so far' }),
  available: z.number().int(),
  pending: count,
  value: minorUnits.meta({ description: 'What the available points are worth' }),
  currency,
  tier: z.string().nullable(),
  next_tier: z.strictObject({
    name: z.string(), basis: z.enum(['points_earned', 'amount_spent']), threshold: z.number().int(),
    missing: count.meta({ description: 'Points to earn, or minor units to spend, in the 12 months the tier counts' }),
  }).nullable(),
  earning: z.strictObject({
    points_per_currency_unit: z.number(),
    points_per_order: count,
    signup_points: count,
    birthday_points: count,
  }),
  rewards: z.array(z.strictObject({
    id: z.string(), name: z.string(), kind: z.enum(rewardKinds), points: count, value: z.number().int(),
    product_id: z.string().optional().meta({ description: 'free_product: the external id of the product given' }),
    affordable: z.boolean().meta({ description: 'The available points cover it' }),
  })),
  history: z.array(z.strictObject({
    kind: z.string(), points: z.number().int(), standing: z.string(), reason: z.string().nullable(), created_at: timestamp,
  })).meta({ description: 'The latest ten ledger rows, newest first' }),
}));

export const storefrontRedemptionSchema = component('StorefrontRedemption', z.strictObject({
  reward: rewardSchema,
  points: count,
  code: z.string().meta({ description: 'The unique code to use at checkout' }),
  balance_after: z.number().int(),
  created_at: timestamp,
}));
