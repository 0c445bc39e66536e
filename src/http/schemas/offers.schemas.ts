/** Answers of the offers API (docs/offers.md). */
import { z } from 'zod';
import { codeSources, issueOutcomes, offerStatuses, valueKinds } from '../../modules/offers/index.js';
import { component, count, currency, list, minorUnits, page, ratio, timestamp } from './common.schemas.js';

const shopifyStateSchema = z.strictObject({
  discount_id: z.string(),
  confirmed: count.meta({ description: 'Codes Shopify created on the discount: only these are handed out' }),
  pending: count.meta({ description: 'Codes sent, not yet confirmed' }),
  refused: count.meta({ description: 'Codes Shopify refused (never handed out)' }),
  unsent: count.meta({ description: 'Codes not sent yet' }),
});

export const offerPushSchema = component('OfferShopifyPush', z.strictObject({
  data: z.array(z.strictObject({ offer_id: z.string(), discount_id: z.string(), state: shopifyStateSchema.omit({ discount_id: true }) })),
}));

export const shopifyConnectionSchema = component('ShopifyConnection', z.strictObject({
  shop: z.string().meta({ description: 'The shop\'s myshopify.com domain' }),
  connected_at: timestamp,
}));

export const offerSchema = component('Offer', z.strictObject({
  id: z.string(),
  name: z.string(),
  value_kind: z.enum(valueKinds),
  value: z.number().int().min(0).meta({ description: 'fixed: minor units; percent: 1–100; free_shipping: 0' }),
  minimum_spend: minorUnits,
  currency,
  expires_at: timestamp.nullable().meta({ description: 'Every code lapses at this time' }),
  valid_days: z.number().int().nullable().meta({ description: 'Each code lapses this many days after it was issued' }),
  source: z.enum(codeSources),
  pattern: z.string().nullable(),
  segment_id: z.string().nullable(),
  guardrail: z.strictObject({ max_offers: z.number().int(), days: z.number().int() }).nullable(),
  holdout_share: ratio,
  status: z.enum(offerStatuses),
  pool: z.strictObject({ codes: count, available: count.meta({ description: 'Codes nobody was given yet' }) }),
  shopify: shopifyStateSchema.nullable().meta({ description: 'The Shopify discount the codes are added to, and where they stand there (null: they are not pushed)' }),
  created_at: timestamp,
  updated_at: timestamp,
}));

const estimate = z.strictObject({ value: z.number(), low: z.number(), high: z.number() });

export const offerResultsSchema = component('OfferResults', z.strictObject({
  currency,
  issued: count.meta({ description: 'Codes handed out' }),
  held_out: count.meta({ description: 'Eligible customers held out: no code' }),
  redeemed: count.meta({ description: 'Issued codes on a counted order (not cancelled, not fully refunded); a code used twice counts once' }),
  redemption_rate: ratio.meta({ description: 'redeemed / issued' }),
  revenue: minorUnits.meta({ description: 'Totals of the redeeming orders, as paid, less refunds' }),
  discount_cost: minorUnits.meta({ description: 'Discounts of the redeeming orders' }),
  experiment_id: z.string().nullable(),
  incremental: z.array(z.strictObject({
    days: z.number().int(),
    people: count,
    control_people: count,
    orders: estimate.meta({ description: 'Orders the offer brought (offered against holdout), with a 95 % interval' }),
    revenue: estimate.meta({ description: 'Incremental revenue before the offer\'s discounts (minor units)' }),
    margin: estimate.meta({ description: 'Incremental revenue minus discount cost (minor units)' }),
    discount_cost: minorUnits,
    verdict: z.string(),
  })).meta({ description: 'Per window (days from eligibility), against the holdout' }),
}));

export const offerDetailSchema = component('OfferDetail', offerSchema.extend({ results: offerResultsSchema }));
export const offerListSchema = list(offerSchema);

export const offerIssueSchema = component('OfferIssue', z.strictObject({
  offer_id: z.string(),
  customer_id: z.number().int(),
  idempotency_key: z.string(),
  outcome: z.enum(issueOutcomes).meta({ description: 'issued; holdout (held out on purpose); not_in_segment; guardrail (got enough offers lately)' }),
  code: z.string().nullable(),
  expires_at: timestamp.nullable(),
  issued_at: timestamp,
}));

export const offerCodePageSchema = page(component('OfferCode', z.strictObject({
  code: z.string(),
  status: z.enum(['available', 'issued', 'redeemed', 'expired']),
  customer_id: z.number().int().nullable(),
  issued_at: timestamp.nullable(),
  expires_at: timestamp.nullable(),
  order_id: z.number().int().nullable(),
  redeemed_at: timestamp.nullable(),
})));

export const offerImportSchema = component('OfferCodeImport', z.strictObject({
  imported: count,
  already: count.meta({ description: 'Codes of the file the offer already had (skipped)' }),
  pool: z.strictObject({ codes: count, available: count }),
}));
