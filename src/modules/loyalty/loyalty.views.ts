/** What the loyalty API answers, as the service returns it (timestamps as Dates). */
import type { Reward } from './loyalty.settings.js';
import type { Standing } from './ledger.repository.js';
import type { EntryKind, EntryState } from './loyalty.table.js';

export interface BalanceView {
  customer_id: number;
  /** Spendable now (negative only where the store allows a negative balance). */
  available: number;
  pending: number;
  /** Taken back beyond what the customer had; covered by the next awards. */
  owed: number;
  /** Past expiry, written down by the next daily expiry. */
  lapsed: number;
  /** The sum of the customer's ledger rows. */
  ledger: number;
  /** `available` in minor units of the store currency at the point value. */
  value: number;
  currency: string;
  tier: string | null;
  tier_since: Date | null;
  /** Points earned, or minor units spent, in the last 12 months. */
  tier_figure: number;
  next_tier: { name: string; threshold: number; missing: number } | null;
}

export interface EntryView {
  id: number;
  kind: EntryKind;
  points: number;
  /** As written. */
  state: EntryState;
  /** Where the row stands now: an award available, pending, lapsed or used up (settled); a row with points still owed. */
  standing: Standing | 'void';
  /** An award's unspent points; points still owed as a negative number. */
  remaining: number;
  available_at: Date | null;
  expires_at: Date | null;
  source: string;
  order_id: number | null;
  redemption_id: string | null;
  reason: string | null;
  actor: string | null;
  idempotency_key: string;
  created_at: Date;
}

export const redemptionStatuses = ['issued', 'used', 'cancelled', 'void'] as const;
export type RedemptionStatus = (typeof redemptionStatuses)[number];

export interface RedemptionView {
  id: string;
  customer_id: number;
  reward: Reward;
  points: number;
  /** The unique code the shop honours for the reward. */
  code: string;
  status: RedemptionStatus;
  /** Available points right after the redemption. */
  balance_after: number;
  created_at: Date;
  /** When it was cancelled, or voided because every order that used its code was refunded or cancelled. */
  cancelled_at: Date | null;
  /** Points given back when cancelled or voided (points that would already have lapsed are not). */
  returned_points: number;
}

export interface MemberView {
  customer_id: number;
  available: number;
  pending: number;
  owed: number;
  tier: string | null;
}

export interface LiabilityView {
  currency: string;
  point_value: number;
  members: number;
  available_points: number;
  /** available_points × point_value, in minor units, rounded half up. */
  value: number;
  pending_points: number;
  pending_value: number;
}
