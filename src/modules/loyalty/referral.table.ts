/** The referral tables (migration 2026-12-03T001300); docs/loyalty.md, "Referrals". */

/** A referral's states; `rewarded` is derived (the referrer's award became spendable), never written. */
export const referralStates = ['clicked', 'signed_up', 'ordered', 'rewarded', 'rejected'] as const;
export type ReferralState = (typeof referralStates)[number];
/** The states a step row records. */
export type StepState = Exclude<ReferralState, 'rewarded'>;

/** Why a referral was rejected: one code per fraud check, and the friend's order given back. */
export const rejectionReasons = [
  'same_customer', 'same_email', 'same_address', 'same_payment', 'same_device', 'existing_customer', 'too_many_referrals',
  'order_refunded', 'order_cancelled',
] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

/** hearth: made here; smile, loyaltylion: imported so the old links keep working. */
export type CodeOrigin = 'hearth' | 'smile' | 'loyaltylion';

export interface ReferralCodeTable {
  store_id: string;
  code: string;
  customer_id: number;
  origin: CodeOrigin;
  created_at: Date;
}

export interface ReferralFactTable {
  store_id: string;
  customer_id: number;
  /** address: a normalised shipping address; payment: a payment fingerprint. */
  kind: 'address' | 'payment';
  value: string;
  created_at: Date;
}

export interface ReferralTable {
  store_id: string;
  id: string;
  code: string;
  referrer_id: number;
  anonymous_id: string | null;
  clicked_at: Date;
  created_at: Date;
}

export interface ReferralStepTable {
  store_id: string;
  referral_id: string;
  seq: number;
  state: StepState;
  reason: RejectionReason | null;
  /** The rejection in words (every check that failed). */
  detail: string | null;
  /** Normalised (referral.normalise.ts). */
  friend_email: string | null;
  friend_customer_id: number | null;
  friend_anonymous_id: string | null;
  friend_address: string | null;
  friend_payment: string | null;
  /** JSON of the friend's first-order offer (kind, value, code). */
  offer: string | null;
  order_id: number | null;
  occurred_at: Date;
}

export interface ReferralRequestTable {
  store_id: string;
  idempotency_key: string;
  operation: string;
  request_hash: string;
  response: string;
  created_at: Date;
}

export type ReferralTables = {
  loyalty_referral_codes: ReferralCodeTable;
  loyalty_referral_facts: ReferralFactTable;
  loyalty_referrals: ReferralTable;
  loyalty_referral_steps: ReferralStepTable;
  loyalty_referral_requests: ReferralRequestTable;
};
