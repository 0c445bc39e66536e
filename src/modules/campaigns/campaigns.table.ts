import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';

export const campaignStatuses = ['draft', 'scheduled', 'sending', 'sent', 'paused', 'cancelled'] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];

export const campaignChannels = ['email', 'sms', 'webhook'] as const;
export type CampaignChannel = (typeof campaignChannels)[number];

export interface CampaignTable {
  store_id: string;
  id: string;
  name: string;
  channel: CampaignChannel;
  template_id: string | null;
  /** SMS and webhook: the Liquid text sent instead of a template (migration 2026-12-05T000300); null for email. */
  message_text: string | null;
  /** The email topic; null: the campaign belongs to none (only an unsubscribe from all stops it). */
  topic_id: string | null;
  /** The offer whose code each recipient's email carries (migration 2026-12-03T001400); null: none. */
  offer_id: string | null;
  /** JSON arrays of segment ids. */
  segment_ids: string;
  exclude_segment_ids: string;
  holdout_share: number;
  /** JSON of the A/B test (see campaign.input.ts), or null. */
  ab_test: string | null;
  attribution_days: number;
  status: CampaignStatus;
  send_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  paused_reason: string | null;
  /** With an A/B test: the variant the rest receive, once picked, and why it won. */
  winner_variant: number | null;
  winner_reason: string | null;
  /** JSON of when each recipient gets it (see campaign.input.ts); null: at the start. */
  delivery: string | null;
  created_at: Date;
  updated_at: Date;
}

export type RecipientGroup = 'holdout' | 'variant' | 'rest';

export interface CampaignRecipientTable {
  store_id: string;
  campaign_id: string;
  customer_id: number;
  group_kind: RecipientGroup;
  /** The variant index (0 = A) for `variant`; null otherwise. */
  variant: number | null;
  assigned_at: Date;
}

export type CampaignTables = {
  campaigns: CampaignTable;
  campaign_recipients: CampaignRecipientTable;
};

export type CampaignsDb = Kysely<Database & CampaignTables>;

/** This module's tables added to its own view of the connection (the shared map needs no edit). */
export function campaignsDb(db: Kysely<Database>): CampaignsDb {
  return db.withTables<CampaignTables>();
}
