/** Answers of the referral and import API (docs/loyalty.md, "Referrals", "Imports"). */
import { z } from 'zod';
import { referralStates, rejectionReasons } from '../../modules/loyalty/index.js';
import { component, count, page, timestamp } from './common.schemas.js';

const offerTerms = z.strictObject({ kind: z.enum(['amount_off', 'percent_off']), value: z.number().int().meta({ description: 'amount_off: minor units; percent_off: 1–100' }) });
const offer = component('ReferralOffer', z.strictObject({
  kind: z.enum(['amount_off', 'percent_off']),
  value: z.number().int(),
  code: z.string().meta({ description: 'The friend\'s code for the first order (REF-…), which the shop honours' }),
}));

export const referralCodeSchema = component('ReferralCode', z.strictObject({
  customer_id: z.number().int(),
  code: z.string().meta({ description: 'The customer\'s referral code (stable: the same on every call)' }),
  link: z.string().meta({ description: 'The shop page with ?ref=<code>' }),
  share: z.strictObject({
    email: z.string().meta({ description: 'mailto: link with subject and body' }),
    whatsapp: z.string(), x: z.string(), facebook: z.string(),
  }).meta({ description: 'Share links, every parameter percent-encoded' }),
  imported_codes: z.array(z.string()).meta({ description: 'Codes imported from Smile.io or LoyaltyLion, still honoured' }),
}));

export const referralAnswerSchema = component('ReferralAnswer', z.strictObject({
  referral_id: z.string(),
  state: z.enum(referralStates),
  reason: z.enum(rejectionReasons).nullable(),
  offer_terms: offerTerms.meta({ description: 'What the friend gets on the first order' }),
  offer: offer.nullable().meta({ description: 'The friend\'s offer with its code, once signed up (null when rejected)' }),
}));

export const referralSchema = component('Referral', z.strictObject({
  id: z.string(),
  code: z.string(),
  referrer_id: z.number().int(),
  state: z.enum(referralStates),
  reason: z.enum(rejectionReasons).nullable().meta({ description: 'Why it was rejected (the first failed check)' }),
  detail: z.string().nullable().meta({ description: 'Every failed check, in words' }),
  friend_email: z.string().nullable().meta({ description: 'Normalised' }),
  friend_customer_id: z.number().int().nullable(),
  order_id: z.number().int().nullable(),
  offer: offer.nullable(),
  award: z.strictObject({ points: z.number().int(), available_at: timestamp.nullable() }).nullable(),
  clicked_at: timestamp,
  signed_up_at: timestamp.nullable(),
  ordered_at: timestamp.nullable(),
  rewarded_at: timestamp.nullable(),
  rejected_at: timestamp.nullable(),
}));
export const referralPageSchema = page(referralSchema);

export const loyaltyImportSchema = component('LoyaltyImport', z.strictObject({
  from: z.enum(['smile', 'loyaltylion']),
  dry_run: z.boolean(),
  rows: count,
  matched: count,
  balances: z.strictObject({ imported: count, points: z.number().int(), already: count }).meta({ description: 'import ledger rows written, their points, rows already imported' }),
  tiers: z.strictObject({ changed: count, unchanged: count }),
  referral_codes: z.strictObject({ imported: count, already: count }),
  unknown: z.array(z.strictObject({ line: z.number().int(), email: z.string() })).meta({ description: 'Lines whose email matches no customer of the store (nothing imported for them)' }),
}));
