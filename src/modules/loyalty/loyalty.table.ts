import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { ReferralTables } from './referral.table.js';

/** What a ledger row records: points earned, spent on a reward, lapsed, set by hand, or taken back / given back. */
export const entryKinds = ['earn', 'redeem', 'expire', 'adjust', 'reverse'] as const;
export type EntryKind = (typeof entryKinds)[number];

/**
 * The state a row was written in. An award written `pending` counts as available from its
 * `available_at` on (or its release's): the change is derived from the time, never written.
 * `void`: kept for the audit, counts nothing (an award for an order already cancelled).
 */
export const entryStates = ['pending', 'available', 'void'] as const;
export type EntryState = (typeof entryStates)[number];

export interface LoyaltySettingsTable {
  store_id: string;
  version: number;
  /** JSON of the settings (loyalty.settings.ts). */
  settings: string;
  created_by: string | null;
  created_at: Date;
}

export interface LoyaltyEntryTable {
  store_id: string;
  id: number;
  customer_id: number;
  kind: EntryKind;
  /** Signed: awards and returned points are positive, everything drawn is negative. */
  points: number;
  state: EntryState;
  /** An award's start; null while it waits for its order's delivery (see loyalty_releases). */
  available_at: Date | null;
  /** An award's end (per-award expiry); null: no date of its own. */
  expires_at: Date | null;
  /** order, refund, cancel, rule:<name>, admin, reward, expiry. */
  source: string;
  order_id: number | null;
  redemption_id: string | null;
  /** An adjustment's reason, a claw-back's account (how much was taken, how much is owed). */
  reason: string | null;
  /** Who made a manual change (user or key id). */
  actor: string | null;
  idempotency_key: string;
  created_at: Date;
}

/** Points a drawing row (`entry_id`) took from an award (`award_id`); negative when given back. */
export interface LoyaltyAllocationTable {
  store_id: string;
  customer_id: number;
  entry_id: number;
  award_id: number;
  points: number;
  created_at: Date;
}

export interface LoyaltyReleaseTable {
  store_id: string;
  award_id: number;
  customer_id: number;
  available_at: Date;
  created_at: Date;
}

export interface LoyaltyRedemptionTable {
  store_id: string;
  id: string;
  customer_id: number;
  idempotency_key: string;
  reward_id: string;
  /** JSON of the reward as it was when redeemed. */
  reward: string;
  points: number;
  code: string;
  entry_id: number;
  /** JSON of the first answer, returned again to a retry with the same key. */
  response: string;
  created_at: Date;
}

export interface LoyaltyTierChangeTable {
  store_id: string;
  customer_id: number;
  tier: string | null;
  previous_tier: string | null;
  /** The qualifying figure (points earned or minor units spent in 12 months) when it changed. */
  figure: number;
  /** upgrade, review. */
  reason: string;
  changed_at: Date;
}

export interface LoyaltyReminderTable {
  store_id: string;
  customer_id: number;
  expires_on: string;
  lead_days: number;
  points: number;
  created_at: Date;
}

export type LoyaltyTables = {
  loyalty_settings: LoyaltySettingsTable;
  loyalty_entries: LoyaltyEntryTable;
  loyalty_allocations: LoyaltyAllocationTable;
  loyalty_releases: LoyaltyReleaseTable;
  loyalty_redemptions: LoyaltyRedemptionTable;
  loyalty_tier_changes: LoyaltyTierChangeTable;
  loyalty_reminders: LoyaltyReminderTable;
} & ReferralTables;

export type LoyaltyDb = Kysely<Database & LoyaltyTables>;
export type LoyaltyTx = Transaction<Database & LoyaltyTables>;

/** This module's tables added to its own view of the connection (the shared map needs no edit). */
export function loyaltyDb(db: Kysely<Database>): LoyaltyDb {
  return db.withTables<LoyaltyTables>();
}
