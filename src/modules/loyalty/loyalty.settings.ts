/**
 * The programme's rules, one schema for the API, the service and the docs (docs/loyalty.md).
 * Rates and multipliers take at most two decimals and the point value four, so every figure is
 * computed in integers (see earning.ts): no float ever decides a point.
 */
import { z } from 'zod';

const points = z.number().int().min(0).max(1_000_000);

/** A number with at most `places` decimals. */
function decimal(places: number) {
  const scale = 10 ** places;
  return z.number().refine((n) => Math.abs(n * scale - Math.round(n * scale)) < 1e-7, `at most ${places} decimals`);
}

export const rewardKinds = ['amount_off', 'percent_off', 'free_shipping', 'free_product'] as const;
export type RewardKind = (typeof rewardKinds)[number];

export const rewardSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, - and _, up to 40'),
  name: z.string().trim().min(1).max(120),
  kind: z.enum(rewardKinds),
  points: z.number().int().min(1).max(1_000_000).meta({ description: 'Points the reward costs' }),
  value: z.number().int().min(0).max(100_000_000).meta({ description: 'amount_off: minor units of the store currency; percent_off: 1–100; free_shipping and free_product: 0' }),
  product_id: z.string().trim().min(1).max(200).optional().meta({ description: 'free_product: the external id of the product given' }),
}).superRefine((reward, ctx) => {
  if (reward.kind === 'amount_off' && reward.value < 1) ctx.addIssue({ code: 'custom', path: ['value'], message: 'an amount off must be at least 1 minor unit' });
  if (reward.kind === 'percent_off' && (reward.value < 1 || reward.value > 100)) ctx.addIssue({ code: 'custom', path: ['value'], message: 'a percentage off must be 1 to 100' });
  if (reward.kind === 'free_shipping' && reward.value !== 0) ctx.addIssue({ code: 'custom', path: ['value'], message: 'free shipping has value 0' });
  if (reward.kind === 'free_product' && reward.value !== 0) ctx.addIssue({ code: 'custom', path: ['value'], message: 'a free product has value 0' });
  if (reward.kind === 'free_product' && reward.product_id === undefined) ctx.addIssue({ code: 'custom', path: ['product_id'], message: 'required for a free product: the external id of the product given' });
  if (reward.kind !== 'free_product' && reward.product_id !== undefined) ctx.addIssue({ code: 'custom', path: ['product_id'], message: 'only a free product names a product' });
});
export type Reward = z.infer<typeof rewardSchema>;

export const eventRuleSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).meta({ description: 'The tracked event\'s name, exactly (e.g. "Instagram Followed")' }),
  points: z.number().int().min(1).max(1_000_000),
  cap: z.number().int().min(1).max(1000).meta({ description: 'Awards at most this many times per period' }),
  per: z.enum(['day', 'week', 'month', 'year', 'ever']),
});

export const tierSchema = z.strictObject({
  name: z.string().trim().min(1).max(60),
  threshold: z.number().int().min(0).max(1_000_000_000_000).meta({ description: 'Points earned, or minor units spent, in the last 12 months' }),
  multiplier: decimal(2).pipe(z.number().min(1).max(10)).meta({ description: 'Earning multiplier for orders while in the tier' }),
});

/**
 * The referral programme (docs/loyalty.md, "Referrals"). Optional, so settings saved before it
 * existed still read; `referralSettingsOf` gives the defaults for a store without it.
 */
export const referralSettingsSchema = z.strictObject({
  enabled: z.boolean().meta({ description: 'Referral codes, clicks and sign-ups are taken only while on (and the programme is on)' }),
  referrer_points: z.number().int().min(0).max(1_000_000).meta({ description: 'Points the referrer earns once the friend\'s first order has passed the return window' }),
  friend_offer: z.strictObject({
    kind: z.enum(['amount_off', 'percent_off']),
    value: z.number().int().min(1).max(100_000_000).meta({ description: 'amount_off: minor units of the store currency; percent_off: 1–100' }),
  }),
  link_base: z.url({ protocol: /^https?$/, error: 'an http(s) URL of the shop, such as https://shop.example/' }).max(500).nullable()
    .meta({ description: 'The shop page a referral link opens; the link adds ?ref=<code>' }),
  share_message: z.string().trim().min(1).max(280).meta({ description: 'The text of the share links (the link is added)' }),
  limit: z.strictObject({
    max: z.number().int().min(1).max(10_000).meta({ description: 'Sign-ups one referrer may bring per period; more are rejected (too_many_referrals)' }),
    per: z.enum(['day', 'week', 'month', 'year']),
  }),
}).superRefine((referrals, ctx) => {
  if (referrals.friend_offer.kind === 'percent_off' && referrals.friend_offer.value > 100) ctx.addIssue({ code: 'custom', path: ['friend_offer', 'value'], message: 'a percentage off must be 1 to 100' });
  if (referrals.enabled && referrals.link_base === null) ctx.addIssue({ code: 'custom', path: ['link_base'], message: 'required while referrals are on: the shop page the links open' });
});
export type ReferralSettings = z.infer<typeof referralSettingsSchema>;

export const defaultReferralSettings: ReferralSettings = {
  enabled: false, referrer_points: 500, friend_offer: { kind: 'percent_off', value: 10 }, link_base: null,
  share_message: 'Here is a discount on your first order', limit: { max: 10, per: 'month' },
};

export const referralSettingsOf = (settings: { referrals?: ReferralSettings | undefined }): ReferralSettings => settings.referrals ?? defaultReferralSettings;

export const loyaltySettingsSchema = z.strictObject({
  enabled: z.boolean().meta({ description: 'Orders and rules award points only while the programme is on' }),
  earning: z.strictObject({
    points_per_currency_unit: decimal(2).pipe(z.number().min(0).max(10_000)).meta({ description: 'Points per whole unit of the order currency on the net of discounts' }),
    points_per_order: points,
    include_shipping: z.boolean(),
    include_tax: z.boolean(),
    signup_points: points,
    subscribe_points: points,
    birthday_points: points,
    survey_points: points.default(0).meta({ description: 'Points a member earns once per survey answer (NPS or CSAT, any channel); 0: none' }),
    review_points: points.default(0).meta({ description: 'Points a member earns once per product review they write (not for one rejected at once); 0: none' }),
    review_photo_points: points.default(0).meta({ description: 'More points, on top of review_points, for a review that comes with a photo; 0: none' }),
    events: z.array(eventRuleSchema).max(50),
  }),
  pending: z.strictObject({
    days: z.number().int().min(0).max(365).meta({ description: 'Order points stay pending this many days (the return window)' }),
    from: z.enum(['delivery', 'payment']).meta({ description: 'Counted from the first delivery, or from the order (payment)' }),
  }),
  expiry: z.strictObject({
    mode: z.enum(['never', 'per_award', 'inactivity']),
    months: z.number().int().min(1).max(120).meta({ description: 'per_award: each award lapses this many months after it was earned; inactivity: all points lapse after this many months without earning or redeeming' }),
    reminder_days: z.array(z.number().int().min(1).max(365)).max(5).meta({ description: 'Days before a lapse at which loyalty.points_expiring is recorded' }),
  }),
  negative_balance: z.enum(['allow', 'owed']).meta({ description: 'A claw-back of spent points: a negative balance, or owed and taken from later earnings' }),
  point_value: decimal(4).pipe(z.number().min(0).max(1_000_000)).meta({ description: 'What one point is worth, in minor units of the store currency (for the liability)' }),
  tiers: z.strictObject({
    basis: z.enum(['points_earned', 'amount_spent']),
    levels: z.array(tierSchema).max(10),
  }),
  rewards: z.array(rewardSchema).max(100),
  referrals: referralSettingsSchema.optional(),
  fulfilment: z.strictObject({
    webhook: z.boolean().meta({ description: 'Post each redemption, and each reward cancelled or void, to the store\'s webhook channel (messaging settings) for the shop to create or disable the discount' }),
  }).optional(),
}).superRefine((settings, ctx) => {
  const levels = settings.tiers.levels;
  levels.forEach((level, i) => {
    if (i > 0 && level.threshold <= levels[i - 1]!.threshold) ctx.addIssue({ code: 'custom', path: ['tiers', 'levels', i, 'threshold'], message: 'thresholds must rise from one tier to the next' });
    if (levels.findIndex((l) => l.name === level.name) < i) ctx.addIssue({ code: 'custom', path: ['tiers', 'levels', i, 'name'], message: `a tier named "${level.name}" comes earlier` });
  });
  settings.rewards.forEach((reward, i) => {
    if (settings.rewards.findIndex((r) => r.id === reward.id) < i) ctx.addIssue({ code: 'custom', path: ['rewards', i, 'id'], message: `a reward with id "${reward.id}" comes earlier` });
  });
  settings.earning.events.forEach((rule, i) => {
    if (settings.earning.events.findIndex((r) => r.name === rule.name) < i) ctx.addIssue({ code: 'custom', path: ['earning', 'events', i, 'name'], message: `a rule for "${rule.name}" comes earlier` });
  });
});
export type LoyaltySettings = z.infer<typeof loyaltySettingsSchema>;

/** A store that never saved settings: the programme off, with common rules ready to switch on. */
export const defaultLoyaltySettings: LoyaltySettings = {
  enabled: false,
  earning: {
    points_per_currency_unit: 1, points_per_order: 0, include_shipping: false, include_tax: false,
    signup_points: 0, subscribe_points: 0, birthday_points: 0, survey_points: 0, review_points: 0, review_photo_points: 0, events: [],
  },
  pending: { days: 30, from: 'delivery' },
  expiry: { mode: 'never', months: 12, reminder_days: [30, 7] },
  negative_balance: 'owed',
  point_value: 1,
  tiers: { basis: 'points_earned', levels: [] },
  rewards: [],
};
