/**
 * What a store sends to create or change a campaign. Checked here for shape; the service checks
 * what needs the store's data (segments exist, a segment is not both included and excluded).
 */
import { z } from 'zod';

export const abTestSchema = z.strictObject({
  /** Two to four versions; each names its template (its subject and content). */
  variants: z.array(z.strictObject({ template_id: z.string().min(1).max(100) })).min(2).max(4),
  /** Share of the not-held-out audience that receives a variant during the test window (0 < share ≤ 0.5). */
  test_share: z.number().gt(0).max(0.5),
  /** What picks the winner at the end of the test window: revenue per person in the window. */
  winner_metric: z.enum(['revenue']),
  /** How long the test runs before the rest receive the winner. */
  test_hours: z.number().int().min(1).max(168),
});

export const campaignInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  template_id: z.string().min(1).max(100).nullable().optional(),
  /** The email topic (see /api/v1/messaging/topics): recipients who dropped it are not sent the campaign. */
  topic_id: z.string().min(1).max(40).nullable().optional(),
  segment_ids: z.array(z.string().min(1).max(100)).min(1).max(20),
  exclude_segment_ids: z.array(z.string().min(1).max(100)).max(20).optional(),
  /** Share of the audience that receives nothing, to measure against (default 10 %). */
  holdout_share: z.number().min(0).max(0.5).optional(),
  /** Days after sending in which an order counts for the campaign (default 5). */
  attribution_days: z.number().int().min(1).max(90).optional(),
  ab_test: abTestSchema.nullable().optional(),
  /** When to send (UTC); none: when started. */
  send_at: z.iso.datetime({ offset: true }).nullable().optional(),
});
export type CampaignInput = z.infer<typeof campaignInputSchema>;
export const campaignPatchSchema = campaignInputSchema.partial();
export type CampaignPatch = z.infer<typeof campaignPatchSchema>;
export type AbTest = z.infer<typeof abTestSchema>;

export const DEFAULT_HOLDOUT_SHARE = 0.1;
export const DEFAULT_ATTRIBUTION_DAYS = 5;
