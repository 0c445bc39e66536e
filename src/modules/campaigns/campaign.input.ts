/**
 * What a store sends to create or change a campaign. Checked here for shape; the service checks
 * what needs the store's data (segments exist, a segment is not both included and excluded).
 */
import { z } from 'zod';
import type { ErrorDetail } from '../../lib/errors.js';
import { isCalendarDay } from '../../lib/time.js';
import { campaignChannels, type CampaignChannel } from './campaigns.table.js';

export const abTestSchema = z.strictObject({
  /** Two to four versions; each names its template (its subject and content). */
  variants: z.array(z.strictObject({ template_id: z.string().min(1).max(100) })).min(2).max(4),
  /** Share of the not-held-out audience that receives a variant during the test window (0 < share ≤ 0.5). */
  test_share: z.number().gt(0).max(0.5),
  /**
   * What picks the winner at the end of the test window: `revenue` per person in the window, or
   * `clicks`: the share of each variant's people who clicked a link in it.
   */
  winner_metric: z.enum(['revenue', 'clicks']),
  /** How long the test runs before the rest receive the winner. */
  test_hours: z.number().int().min(1).max(168),
});

/** A wall-clock date and time with no zone: `2026-12-08T10:00`, read on each recipient's clock. */
const localDateTime = z.string()
  .regex(/^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d$/, 'must be a local date and time YYYY-MM-DDTHH:MM, e.g. 2026-12-08T10:00')
  .refine((v) => isCalendarDay(v.slice(0, 10)), 'is not a date in the calendar');

/**
 * When each recipient gets the message, counted from the campaign's start:
 * - `at_start`: when the campaign starts (at `send_at`, or when started by hand);
 * - `local_time`: at `local_time` on each recipient's own clock (their time zone, else the
 *   store's); a recipient whose time has already passed when the campaign starts gets it at once;
 * - `usual_hour`: at the next occurrence of each recipient's usual hour (from their order and
 *   click times), within a day of the start; `default_hour` (10 unless given) for a recipient
 *   without enough history.
 */
export const deliverySchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('at_start') }),
  z.strictObject({ mode: z.literal('local_time'), local_time: localDateTime }),
  z.strictObject({ mode: z.literal('usual_hour'), default_hour: z.number().int().min(0).max(23).optional() }),
]);
export type Delivery = z.infer<typeof deliverySchema>;

export const campaignInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  /** `email` (the default) sends a template; `sms` and `webhook` send `text` through the store's channel. */
  channel: z.enum(campaignChannels).optional(),
  template_id: z.string().min(1).max(100).nullable().optional(),
  /** SMS and webhook campaigns: the Liquid text (the SMS body, or the webhook's `content.text`), at most 1,600 characters. */
  text: z.string().min(1).max(1600).nullable().optional(),
  /** The email topic (see /api/v1/messaging/topics): recipients who dropped it are not sent the campaign. */
  topic_id: z.string().min(1).max(40).nullable().optional(),
  /** An offer (see /api/v1/offers): each recipient's email carries a unique code of it as `{{ discount_code }}`. */
  offer_id: z.string().min(1).max(100).nullable().optional(),
  segment_ids: z.array(z.string().min(1).max(100)).min(1).max(20),
  exclude_segment_ids: z.array(z.string().min(1).max(100)).max(20).optional(),
  /** Share of the audience that receives nothing, to measure against (default 10 %). */
  holdout_share: z.number().min(0).max(0.5).optional(),
  /** Days after sending in which an order counts for the campaign (default 5). */
  attribution_days: z.number().int().min(1).max(90).optional(),
  ab_test: abTestSchema.nullable().optional(),
  /** When to start (UTC); none: when started by hand (or, for `local_time`, where that time comes first). */
  send_at: z.iso.datetime({ offset: true }).nullable().optional(),
  /** When each recipient gets it once the campaign starts (default `at_start`). */
  delivery: deliverySchema.optional(),
});
export type CampaignInput = z.infer<typeof campaignInputSchema>;
export const campaignPatchSchema = campaignInputSchema.partial();
export type CampaignPatch = z.infer<typeof campaignPatchSchema>;
export type AbTest = z.infer<typeof abTestSchema>;

export const DEFAULT_HOLDOUT_SHARE = 0.1;
export const DEFAULT_ATTRIBUTION_DAYS = 5;

/**
 * What a campaign's channel allows: an email campaign sends a template (and may have a topic, an
 * offer and an A/B test) and has no text; an SMS or webhook campaign sends its text, without those.
 */
export function channelProblems(campaign: { channel: CampaignChannel; template_id: string | null; text: string | null; topic_id: string | null; offer_id: string | null; ab_test: unknown }): ErrorDetail[] {
  if (campaign.channel === 'email') return campaign.text === null ? [] : [{ path: 'text', reason: 'an email campaign sends its template: text is for SMS and webhook campaigns' }];
  const what = campaign.channel === 'sms' ? 'an SMS campaign' : 'a webhook campaign';
  const emailOnly: [string, unknown][] = [['template_id', campaign.template_id], ['topic_id', campaign.topic_id], ['offer_id', campaign.offer_id], ['ab_test', campaign.ab_test]];
  return emailOnly.filter(([, value]) => value !== null).map(([path]) => ({ path, reason: `${what} sends its text: ${path} is for email campaigns` }));
}
