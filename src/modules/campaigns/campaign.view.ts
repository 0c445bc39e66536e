/** A campaign as the API shows it. */
import { DAY_MS } from '../../lib/time.js';
import type { AbTest, Delivery } from './campaign.input.js';
import type { CampaignChannel, CampaignStatus, CampaignTable } from './campaigns.table.js';

export interface CampaignView {
  id: string;
  name: string;
  channel: CampaignChannel;
  template_id: string | null;
  /** SMS and webhook: the Liquid text sent; null for email. */
  text: string | null;
  topic_id: string | null;
  offer_id: string | null;
  segment_ids: string[];
  exclude_segment_ids: string[];
  holdout_share: number;
  attribution_days: number;
  ab_test: AbTest | null;
  status: CampaignStatus;
  send_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  paused_reason: string | null;
  /** With an A/B test: the winning variant (0 = A) once picked, and why. */
  winner_variant: number | null;
  winner_reason: string | null;
  /** When each recipient gets it once the campaign starts. */
  delivery: Delivery;
  created_at: Date;
  updated_at: Date;
}

export const viewOf = (row: CampaignTable): CampaignView => ({
  id: row.id, name: row.name, channel: row.channel, template_id: row.template_id, text: row.message_text ?? null, topic_id: row.topic_id ?? null, offer_id: row.offer_id ?? null,
  segment_ids: JSON.parse(row.segment_ids) as string[], exclude_segment_ids: JSON.parse(row.exclude_segment_ids) as string[],
  holdout_share: row.holdout_share, attribution_days: row.attribution_days, ab_test: row.ab_test ? JSON.parse(row.ab_test) as AbTest : null,
  status: row.status, send_at: row.send_at, started_at: row.started_at, finished_at: row.finished_at, paused_reason: row.paused_reason, winner_variant: row.winner_variant, winner_reason: row.winner_reason,
  delivery: row.delivery ? JSON.parse(row.delivery) as Delivery : { mode: 'at_start' },
  created_at: row.created_at, updated_at: row.updated_at,
});

/** The end of a campaign's attribution window. */
export function windowEnd(campaign: Pick<CampaignView, 'started_at' | 'attribution_days'>): Date | null {
  return campaign.started_at ? new Date(campaign.started_at.getTime() + campaign.attribution_days * DAY_MS) : null;
}
