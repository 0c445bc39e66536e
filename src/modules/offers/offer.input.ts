/** The requests of the offers API, one schema for the API, the CLI and the service (docs/offers.md). */
import { z } from 'zod';
import { MIN_RANDOM_CHARACTERS, patternRule, patternSpace } from './offer-codes.js';
import { codeSources, valueKinds } from './offers.table.js';

export const DEFAULT_HOLDOUT_SHARE = 0.1;
export const DEFAULT_POOL_SIZE = 100;
/** A Shopify code discount's global id (the DiscountCodeNode a price rule's codes belong to). */
export const SHOPIFY_DISCOUNT_ID = /^gid:\/\/shopify\/DiscountCodeNode\/\d{1,20}$/;
/** A shop's own domain. */
export const SHOPIFY_SHOP = /^[a-z0-9][a-z0-9-]{0,60}\.myshopify\.com$/;

export const shopifyConnectionSchema = z.strictObject({
  shop: z.string().trim().toLowerCase().regex(SHOPIFY_SHOP, 'the shop\'s myshopify.com domain, such as demo-outfitters.myshopify.com'),
  access_token: z.string().min(10, 'an Admin API access token (shpat_…) with the write_discounts scope').max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
});

export const offerInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  value_kind: z.enum(valueKinds).meta({ description: 'fixed: an amount off in minor units; percent: a percentage off; free_shipping' }),
  value: z.number().int().min(0).max(100_000_000).meta({ description: 'fixed: minor units of the store currency (at least 1); percent: 1–100; free_shipping: 0' }),
  minimum_spend: z.number().int().min(0).max(100_000_000).default(0).meta({ description: 'Minor units the order must reach for the code to apply' }),
  expires_at: z.iso.datetime({ offset: true, error: 'an ISO 8601 time, such as 2027-01-31T23:59:59Z' }).optional()
    .meta({ description: 'Every code lapses at this time (give this or valid_days)' }),
  valid_days: z.number().int().min(1).max(3650).optional().meta({ description: 'Each code lapses this many days after it was issued (give this or expires_at)' }),
  source: z.enum(codeSources).default('pattern').meta({ description: 'pattern: codes made from the pattern, the pool extends itself; import: codes imported from a CSV' }),
  pattern: z.string().max(40).optional()
    .meta({ description: `Letters, digits and dashes; each ? becomes a random character (at least ${MIN_RANDOM_CHARACTERS}), e.g. WB-????-????` }),
  pool_size: z.number().int().min(1).max(10_000).default(DEFAULT_POOL_SIZE).meta({ description: 'Codes a pattern makes at a time (at creation, and each time the pool runs out)' }),
  segment_id: z.string().min(1).max(100).nullable().default(null).meta({ description: 'Only members of this segment get a code' }),
  guardrail: z.strictObject({
    max_offers: z.number().int().min(1).max(1000),
    days: z.number().int().min(1).max(3650),
  }).nullable().default(null).meta({ description: 'A customer who got max_offers codes (of any offer) in the last `days` days gets none from this one' }),
  holdout_share: z.number().min(0).max(0.5).default(DEFAULT_HOLDOUT_SHARE).meta({ description: 'Share of eligible customers held out (no code), to measure the offer against' }),
  shopify_discount_id: z.string().regex(SHOPIFY_DISCOUNT_ID, 'a Shopify code discount id, such as gid://shopify/DiscountCodeNode/1057371930').optional()
    .meta({ description: 'Add the codes made from the pattern to this Shopify code discount (the store must be connected to Shopify); codes are handed out once Shopify confirms them' }),
}).superRefine((offer, ctx) => {
  if (offer.value_kind === 'fixed' && offer.value < 1) ctx.addIssue({ code: 'custom', path: ['value'], message: 'an amount off must be at least 1 minor unit' });
  if (offer.value_kind === 'percent' && (offer.value < 1 || offer.value > 100)) ctx.addIssue({ code: 'custom', path: ['value'], message: 'a percentage off must be 1 to 100' });
  if (offer.value_kind === 'free_shipping' && offer.value !== 0) ctx.addIssue({ code: 'custom', path: ['value'], message: 'free shipping has value 0' });
  if ((offer.expires_at === undefined) === (offer.valid_days === undefined)) {
    ctx.addIssue({ code: 'custom', path: [offer.expires_at === undefined ? 'valid_days' : 'expires_at'], message: 'give exactly one of expires_at and valid_days' });
  }
  if (offer.source === 'pattern') {
    if (offer.pattern === undefined) ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'required for codes made from a pattern' });
    else if (!patternRule.test(offer.pattern)) ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'upper-case letters, digits, dashes and ?, up to 40 characters' });
    else if ([...offer.pattern].filter((c) => c === '?').length < MIN_RANDOM_CHARACTERS) ctx.addIssue({ code: 'custom', path: ['pattern'], message: `needs at least ${MIN_RANDOM_CHARACTERS} ? (random characters)` });
    else if (patternSpace(offer.pattern) < offer.pool_size * 1000) ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'too few random characters for the pool size' });
  } else if (offer.pattern !== undefined) ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'an imported offer takes its codes from the file, not a pattern' });
  if (offer.source === 'import' && offer.shopify_discount_id !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['shopify_discount_id'], message: 'imported codes come from the shop already; only codes made from a pattern are added to Shopify' });
  }
});
export type OfferInput = z.input<typeof offerInputSchema>;
export type ParsedOfferInput = z.output<typeof offerInputSchema>;

export const issueInputSchema = z.strictObject({
  customer_id: z.union([z.number().int().min(1), z.string().min(1).max(300)]).meta({ description: 'Customer id, or ext:<external id>' }),
});

export const importCodesSchema = z.strictObject({
  csv: z.string().min(1, 'the CSV text of the codes').max(16 * 1024 ** 2).meta({ description: 'A CSV with a Code column (Shopify\'s discount code export)' }),
});
