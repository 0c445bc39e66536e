/** What the offers API answers (docs/offers.md). */
import type { CodeSource, IssueOutcome, OfferStatus, OfferTable, ValueKind } from './offers.table.js';

export interface OfferView {
  id: string;
  name: string;
  value_kind: ValueKind;
  value: number;
  minimum_spend: number;
  currency: string;
  expires_at: Date | null;
  valid_days: number | null;
  source: CodeSource;
  pattern: string | null;
  segment_id: string | null;
  guardrail: { max_offers: number; days: number } | null;
  holdout_share: number;
  status: OfferStatus;
  /** Codes in the pool, and how many of them nobody was given yet. */
  pool: { codes: number; available: number };
  /** The Shopify discount the codes are added to, and where they stand there (null: codes are not pushed). */
  shopify: { discount_id: string; confirmed: number; pending: number; refused: number; unsent: number } | null;
  created_at: Date;
  updated_at: Date;
}

export interface IssueView {
  offer_id: string;
  customer_id: number;
  idempotency_key: string;
  outcome: IssueOutcome;
  /** Null unless the outcome is `issued`. */
  code: string | null;
  expires_at: Date | null;
  issued_at: Date;
}

export interface CodeView {
  code: string;
  /** available: nobody has it; issued: handed out; redeemed: on a counted order; expired: lapsed unused. */
  status: 'available' | 'issued' | 'redeemed' | 'expired';
  customer_id: number | null;
  issued_at: Date | null;
  expires_at: Date | null;
  order_id: number | null;
  redeemed_at: Date | null;
}

export interface Estimate { value: number; low: number; high: number }

export interface OfferResults {
  currency: string;
  issued: number;
  /** Eligible customers held out (no code). */
  held_out: number;
  redeemed: number;
  /** redeemed / issued (0 with nothing issued). */
  redemption_rate: number;
  /** Totals of the counted redeeming orders, as paid, less their refunds. */
  revenue: number;
  /** The discounts of the counted redeeming orders (an order with several codes: its discount split evenly). */
  discount_cost: number;
  /** The offer's experiment against its holdout (null until someone was eligible). */
  experiment_id: string | null;
  incremental: {
    days: number;
    /** Offered people whose window has elapsed (the holdout's in `control_people`). */
    people: number;
    control_people: number;
    orders: Estimate;
    /** Revenue before the offer's discounts: the measured revenue plus the discounts given in the window. */
    revenue: Estimate;
    /** Revenue minus discount cost: what the orders the offer brought actually paid. */
    margin: Estimate;
    discount_cost: number;
    verdict: string;
  }[];
}

export function offerView(row: OfferTable, currency: string, pool: OfferView['pool'], shopify: OfferView['shopify'] = null): OfferView {
  return {
    id: row.id, name: row.name, value_kind: row.value_kind, value: Number(row.value), minimum_spend: Number(row.minimum_spend), currency,
    expires_at: row.expires_at, valid_days: row.valid_days, source: row.source, pattern: row.pattern, segment_id: row.segment_id,
    guardrail: row.guardrail_max !== null && row.guardrail_days !== null ? { max_offers: row.guardrail_max, days: row.guardrail_days } : null,
    holdout_share: row.holdout_share, status: row.status, pool, shopify, created_at: row.created_at, updated_at: row.updated_at,
  };
}
