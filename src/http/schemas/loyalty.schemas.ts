/** Answers of the loyalty API (docs/loyalty.md). */
import { z } from 'zod';
import { entryKinds, entryStates, loyaltySettingsSchema, redemptionStatuses, rewardSchema } from '../../modules/loyalty/index.js';
import { component, count, currency, minorUnits, page, timestamp } from './common.schemas.js';

const points = z.number().int();

export const loyaltySettingsAnswer = component('LoyaltySettings', z.strictObject({
  settings: loyaltySettingsSchema,
  version: count.meta({ description: 'Saved versions so far (0: never saved, the defaults)' }),
  updated_at: timestamp.nullable(),
}));

export const loyaltyBalanceSchema = component('LoyaltyBalance', z.strictObject({
  customer_id: z.number().int(),
  available: points.meta({ description: 'Spendable now; negative only where the store allows a negative balance' }),
  pending: count.meta({ description: 'Earned, spendable once the pending period has passed' }),
  owed: count.meta({ description: 'Taken back beyond what the customer had; covered by the next awards' }),
  lapsed: count.meta({ description: 'Past expiry, written down by the next daily expiry' }),
  ledger: points.meta({ description: 'The sum of the customer\'s ledger rows (= available + pending + lapsed, before the display floor)' }),
  value: minorUnits.meta({ description: 'What the available points are worth at the point value' }),
  currency,
  tier: z.string().nullable(),
  tier_since: timestamp.nullable(),
  tier_figure: z.number().int().min(0).meta({ description: 'Points earned, or minor units spent, in the last 12 months' }),
  next_tier: z.strictObject({ name: z.string(), threshold: z.number().int(), missing: count }).nullable(),
}));

export const loyaltyEntrySchema = component('LoyaltyEntry', z.strictObject({
  id: z.number().int(),
  kind: z.enum(entryKinds),
  points: points.meta({ description: 'Signed: awards and returned points positive, what is drawn negative' }),
  state: z.enum(entryStates).meta({ description: 'As written' }),
  standing: z.enum(['available', 'pending', 'lapsed', 'owed', 'settled', 'void']).meta({ description: 'Where the row stands now' }),
  remaining: points.meta({ description: 'An award\'s unspent points; points still owed as a negative number' }),
  available_at: timestamp.nullable(),
  expires_at: timestamp.nullable(),
  source: z.string(),
  order_id: z.number().int().nullable(),
  redemption_id: z.string().nullable(),
  reason: z.string().nullable(),
  actor: z.string().nullable(),
  idempotency_key: z.string(),
  created_at: timestamp,
}));
export const loyaltyHistorySchema = page(loyaltyEntrySchema);

export const loyaltyRedemptionSchema = component('LoyaltyRedemption', z.strictObject({
  id: z.string(),
  customer_id: z.number().int(),
  reward: rewardSchema,
  points: count,
  code: z.string().meta({ description: 'The unique code the shop honours for the reward' }),
  status: z.enum(redemptionStatuses),
  balance_after: points,
  created_at: timestamp,
  cancelled_at: timestamp.nullable(),
  returned_points: count,
}));
export const loyaltyRedemptionListSchema = z.strictObject({ data: z.array(loyaltyRedemptionSchema) });

export const loyaltyMemberPageSchema = page(component('LoyaltyMember', z.strictObject({
  customer_id: z.number().int(),
  label: z.string().meta({ description: 'The customer\'s name, else email, else external id' }),
  available: points,
  pending: count,
  owed: count,
  tier: z.string().nullable(),
})));

export const loyaltyLiabilitySchema = component('LoyaltyLiability', z.strictObject({
  currency,
  point_value: z.number().min(0).meta({ description: 'Minor units one point is worth' }),
  members: count,
  available_points: count,
  value: minorUnits.meta({ description: 'available_points × point_value, rounded half up' }),
  pending_points: count,
  pending_value: minorUnits,
}));

const cohort = z.strictObject({
  customers: count.meta({ description: 'Customers with an order (not cancelled) placed before the period\'s end' }),
  repeat_rate: z.number().nullable().meta({ description: 'Share of them with two orders or more' }),
  orders_per_customer: z.number().nullable(),
  revenue_per_customer: z.number().int().nullable().meta({ description: 'Net of refunds, minor units' }),
});

export const loyaltyAnalyticsSchema = component('LoyaltyAnalytics', z.strictObject({
  from: timestamp, to: timestamp,
  points: z.strictObject({
    issued: count.meta({ description: 'Earned on orders, rules and referrals, and added by hand, in the period' }),
    redeemed: count.meta({ description: 'Spent on rewards, net of cancelled redemptions' }),
    expired: count,
    taken_back: count.meta({ description: 'Taken back on refunds, cancellations and rejected referrals, and by hand' }),
  }),
  redemption_rate: z.number().nullable().meta({ description: 'Redeemed ÷ issued' }),
  breakage: z.number().nullable().meta({ description: 'Expired ÷ issued: points never spent' }),
  redemptions: z.strictObject({ count, members: count }),
  comparison: z.strictObject({ members: cohort, others: cohort }).meta({ description: 'Members against the other customers who ordered: a comparison, not the programme\'s effect' }),
  tiers: z.array(z.strictObject({ tier: z.string().nullable(), members: count })).meta({ description: 'Members by their tier at the period\'s end (null: none)' }),
  movements: z.array(z.strictObject({ from: z.string().nullable(), to: z.string().nullable(), customers: count })).meta({ description: 'Tier changes in the period' }),
}));

export type LoyaltyBalance = z.input<typeof loyaltyBalanceSchema>;
export type LoyaltyAnalyticsView = z.input<typeof loyaltyAnalyticsSchema>;
export type LoyaltyEntry = z.input<typeof loyaltyEntrySchema>;

export const loyaltyBackfillSchema = component('LoyaltyBackfill', z.strictObject({
  since: timestamp.nullable().meta({ description: 'Only orders placed at or after this time (null: every order)' }),
  orders: count.meta({ description: 'Past orders awarded by this run (cancelled ones not counted)' }),
  points: count.meta({ description: 'Points of those awards' }),
  voided: count.meta({ description: 'Cancelled orders recorded with a void award (no points; their key is taken)' }),
  refunds: count.meta({ description: 'Claw-backs written for the awarded orders\' refunds' }),
  refunded_points: count.meta({ description: 'Points those claw-backs took back' }),
  tier_changes: count.meta({ description: 'Customers moved up a tier afterwards' }),
  chunks: count.meta({ description: 'Chunks of orders, each committed on its own' }),
  ms: count.meta({ description: 'Time the run took, in milliseconds' }),
}));
