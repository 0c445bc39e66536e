import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.js';

/** What a code takes off: an amount in minor units, a percentage, or the shipping. */
export const valueKinds = ['fixed', 'percent', 'free_shipping'] as const;
export type ValueKind = (typeof valueKinds)[number];

/** Active offers hand out codes; paused ones refuse for now; ended ones for good. */
export const offerStatuses = ['active', 'paused', 'ended'] as const;
export type OfferStatus = (typeof offerStatuses)[number];

/** Where an offer's codes come from: made from its pattern, or imported from a CSV. */
export const codeSources = ['pattern', 'import'] as const;
export type CodeSource = (typeof codeSources)[number];

/**
 * What one idempotency key (a send key) got: a code, the holdout (nothing, on purpose), or no code
 * because the customer is outside the offer's segment or over the store's guardrail.
 */
export const issueOutcomes = ['issued', 'holdout', 'not_in_segment', 'guardrail'] as const;
export type IssueOutcome = (typeof issueOutcomes)[number];

export interface OfferTable {
  store_id: string;
  id: string;
  name: string;
  value_kind: ValueKind;
  /** fixed: minor units; percent: 1–100; free_shipping: 0. */
  value: number;
  /** Minor units the order must reach for the code to apply (0: none). */
  minimum_spend: number;
  /** Every code lapses at this instant … */
  expires_at: Date | null;
  /** … or this many days after it was issued. */
  valid_days: number | null;
  source: CodeSource;
  pattern: string | null;
  /** Codes a pattern makes at a time. */
  pool_size: number;
  segment_id: string | null;
  guardrail_max: number | null;
  guardrail_days: number | null;
  holdout_share: number;
  /** The holdout hash's key (`offer:<id>`). */
  seed: string;
  status: OfferStatus;
  created_at: Date;
  updated_at: Date;
}

export interface OfferCodeTable {
  store_id: string;
  /** Upper-case, as matched. */
  code: string;
  offer_id: string;
  /** Order in the pool: codes are handed out lowest first. */
  seq: number;
  origin: 'generated' | 'imported';
  created_at: Date;
}

export interface OfferAssignmentTable {
  store_id: string;
  offer_id: string;
  customer_id: number;
  arm: 'offered' | 'holdout';
  eligible_at: Date;
}

export interface OfferIssueTable {
  store_id: string;
  idempotency_key: string;
  offer_id: string;
  customer_id: number;
  outcome: IssueOutcome;
  code: string | null;
  expires_at: Date | null;
  issued_at: Date;
}

export interface OfferRedemptionTable {
  store_id: string;
  code: string;
  order_id: number;
  offer_id: string;
  /** Who the code was issued to. */
  customer_id: number;
  /** Who placed the order (a shared code may be used by someone else). */
  order_customer_id: number | null;
  placed_at: Date;
  created_at: Date;
}

/** The store's Shopify Admin API access (one per store). */
export interface ShopifyConnectionTable {
  store_id: string;
  /** The shop's myshopify.com domain. */
  shop: string;
  access_token: string;
  connected_at: Date;
}

/** The Shopify code discount an offer's generated codes are added to. */
export interface OfferShopifyTable {
  store_id: string;
  offer_id: string;
  /** gid://shopify/DiscountCodeNode/… */
  discount_id: string;
  linked_at: Date;
}

/** A code sent to Shopify: in a bulk creation (null while the request is out), then confirmed or refused. */
export interface OfferCodePushTable {
  store_id: string;
  code: string;
  offer_id: string;
  batch_id: string | null;
  sent_at: Date;
  pushed_at: Date | null;
  error: string | null;
}

export type OfferTables = {
  offers: OfferTable;
  offer_codes: OfferCodeTable;
  offer_assignments: OfferAssignmentTable;
  offer_issues: OfferIssueTable;
  offer_redemptions: OfferRedemptionTable;
  shopify_connections: ShopifyConnectionTable;
  offer_shopify: OfferShopifyTable;
  offer_code_pushes: OfferCodePushTable;
};

export type OffersDb = Kysely<Database & OfferTables>;
export type OffersTx = Transaction<Database & OfferTables>;

/** This module's tables added to its own view of the connection (the shared map needs no edit). */
export function offersDb(db: Kysely<Database>): OffersDb {
  return db.withTables<OfferTables>();
}
