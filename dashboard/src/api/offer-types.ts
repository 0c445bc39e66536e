/** The offers API's answers, as the dashboard reads them (docs/offers.md). */
export type OfferValueKind = 'fixed' | 'percent' | 'free_shipping';
export type OfferStatus = 'active' | 'paused' | 'ended';

export interface Offer {
  id: string;
  name: string;
  value_kind: OfferValueKind;
  value: number;
  minimum_spend: number;
  currency: string;
  expires_at: string | null;
  valid_days: number | null;
  source: 'pattern' | 'import';
  pattern: string | null;
  segment_id: string | null;
  guardrail: { max_offers: number; days: number } | null;
  holdout_share: number;
  status: OfferStatus;
  pool: { codes: number; available: number };
  /** The Shopify discount the codes are added to, and where they stand there (null: not pushed). */
  shopify: { discount_id: string; confirmed: number; pending: number; refused: number; unsent: number } | null;
  created_at: string;
  updated_at: string;
}

export interface OfferEstimate { value: number; low: number; high: number }

export interface OfferResults {
  currency: string;
  issued: number;
  held_out: number;
  redeemed: number;
  redemption_rate: number;
  revenue: number;
  discount_cost: number;
  experiment_id: string | null;
  incremental: {
    days: number;
    people: number;
    control_people: number;
    orders: OfferEstimate;
    revenue: OfferEstimate;
    margin: OfferEstimate;
    discount_cost: number;
    verdict: string;
  }[];
}

export type OfferDetail = Offer & { results: OfferResults };

export interface OfferCode {
  code: string;
  status: 'available' | 'issued' | 'redeemed' | 'expired';
  customer_id: number | null;
  issued_at: string | null;
  expires_at: string | null;
  order_id: number | null;
  redeemed_at: string | null;
}
