/** The loyalty API's answers, as the dashboard reads them (docs/loyalty.md). */
export type { LoyaltyAnalyticsView as LoyaltyAnalytics, LoyaltyBalance, LoyaltyEntry } from '../../../src/http/schemas/loyalty.schemas';
export interface LoyaltyTier { name: string; threshold: number; multiplier: number }
export interface LoyaltyReward { id: string; name: string; kind: 'amount_off' | 'percent_off' | 'free_shipping' | 'free_product'; points: number; value: number; product_id?: string }

export interface LoyaltySettings {
  settings: {
    enabled: boolean;
    earning: { points_per_currency_unit: number; points_per_order: number; signup_points: number; subscribe_points: number; birthday_points: number; survey_points: number; review_points: number; review_photo_points: number; events: { name: string; points: number }[] };
    pending: { days: number; from: 'delivery' | 'payment' };
    expiry: { mode: 'never' | 'per_award' | 'inactivity'; months: number };
    point_value: number;
    tiers: { basis: 'points_earned' | 'amount_spent'; levels: LoyaltyTier[] };
    rewards: LoyaltyReward[];
  };
  version: number;
  updated_at: string | null;
}

export interface LoyaltyLiability {
  currency: string;
  point_value: number;
  members: number;
  available_points: number;
  value: number;
  pending_points: number;
  pending_value: number;
}

export interface LoyaltyMember { customer_id: number; label: string; available: number; pending: number; owed: number; tier: string | null }

export type ReferralState = 'clicked' | 'signed_up' | 'ordered' | 'rewarded' | 'rejected';

export interface Referral {
  id: string;
  code: string;
  referrer_id: number;
  state: ReferralState;
  reason: string | null;
  detail: string | null;
  friend_email: string | null;
  friend_customer_id: number | null;
  award: { points: number; available_at: string | null } | null;
  clicked_at: string;
  rewarded_at: string | null;
  rejected_at: string | null;
}
