/** Answers of the campaigns API. */
import { z } from 'zod';
import { abTestSchema, campaignChannels, campaignStatuses, deliverySchema } from '../../modules/campaigns/index.js';
import { component, count, currency, list, minorUnits, ratio, timestamp } from './common.schemas.js';

export const campaignSchema = component('Campaign', z.strictObject({
  id: z.string(),
  name: z.string(),
  channel: z.enum(campaignChannels).meta({ description: 'email sends template_id; sms and webhook send text through the store\'s channel' }),
  template_id: z.string().nullable(),
  text: z.string().nullable().meta({ description: 'SMS and webhook campaigns: the Liquid text sent (the SMS body, or the webhook\'s content.text); null for email' }),
  topic_id: z.string().nullable().meta({ description: 'The email topic; recipients who dropped it on the preference page are not sent the campaign' }),
  offer_id: z.string().nullable().meta({ description: 'The offer whose unique code each recipient\'s email carries as {{ discount_code }} (its holdout gets the email without one)' }),
  segment_ids: z.array(z.string()),
  exclude_segment_ids: z.array(z.string()),
  holdout_share: z.number().min(0).max(0.5).meta({ description: 'Share of the audience that receives nothing, to measure against' }),
  attribution_days: z.number().int().meta({ description: 'Days after the start in which an order counts for the campaign' }),
  ab_test: abTestSchema.nullable(),
  status: z.enum(campaignStatuses),
  send_at: timestamp.nullable(),
  started_at: timestamp.nullable(),
  finished_at: timestamp.nullable(),
  paused_reason: z.string().nullable(),
  winner_variant: z.number().int().nullable().meta({ description: 'With an A/B test: the variant (0 = A) the rest receive, once picked' }),
  winner_reason: z.string().nullable(),
  delivery: deliverySchema.meta({ description: "When each recipient gets it once the campaign starts: at_start, local_time (on each recipient's clock) or usual_hour" }),
  created_at: timestamp,
  updated_at: timestamp,
}));
export const campaignListSchema = list(campaignSchema);

export const audienceCountSchema = component('CampaignAudience', z.strictObject({
  in_segments: count.meta({ description: 'Customers in any of the chosen segments' }),
  excluded: count.meta({ description: 'Of those, in an excluded segment' }),
  without_email: count.meta({ description: 'Not excluded, without an email address' }),
  without_address: count.meta({ description: 'Not excluded, without an address on the campaign\'s channel: an email address, or a phone number for SMS (and for a webhook campaign when the store\'s webhook consent is SMS)' }),
  without_consent: count.meta({ description: 'With an address on the channel but no marketing consent on it' }),
  audience: count.meta({ description: 'Who the campaign is for: holdout and recipients together' }),
  holdout_expected: count,
}));

export const campaignStartSchema = z.strictObject({
  campaign: campaignSchema,
  audience: count,
  holdout: count,
  recipients: count,
});

export const recipientPageSchema = z.strictObject({
  data: z.array(z.strictObject({ customer_id: z.number().int(), group: z.string().meta({ description: 'sent, holdout, rest, or a variant A, B, …' }) })),
  next_cursor: z.string().nullable(),
});

const interval = z.strictObject({ low: z.number(), high: z.number() });
const moneyInterval = z.strictObject({ low: minorUnits, high: minorUnits });
const countInterval = z.strictObject({ low: z.number().int(), high: z.number().int() });

export const campaignResultsSchema = component('CampaignResults', z.strictObject({
  campaign_id: z.string(),
  currency,
  started_at: timestamp.nullable(),
  window_ends_at: timestamp.nullable(),
  complete: z.boolean().meta({ description: 'False while the attribution window is open' }),
  groups: z.array(z.strictObject({
    group: z.string().meta({ description: 'sent, holdout, or a variant A, B, …' }),
    people: count,
    buyers: count,
    orders: count,
    revenue: minorUnits,
    conversion: ratio,
    revenue_per_person: minorUnits,
  })),
  lift: z.strictObject({
    conversion_difference: z.number(),
    conversion_interval: interval,
    incremental_buyers: z.number().int(),
    incremental_buyers_interval: countInterval,
    revenue_per_person_difference: minorUnits,
    revenue_per_person_interval: moneyInterval,
    incremental_revenue: minorUnits,
    incremental_revenue_interval: moneyInterval,
    significant: z.boolean(),
  }).nullable(),
  messages: z.strictObject({
    queued: count, sent: count, failed: count, suppressed: count, uncertain: count,
    opened: count.meta({ description: 'Recipients who opened; inflated by mail privacy proxies that fetch every image' }),
    clicked: count, unsubscribed: count, complained: count, bounced: count,
  }).nullable(),
  attributed: z.strictObject({ buyers: count, orders: count, revenue: minorUnits }).nullable()
    .meta({ description: 'Orders within the attribution window after a recipient\'s first click (last touch; the holdout comparison measures the effect)' }),
  schedule: z.strictObject({ first_at: timestamp, last_at: timestamp, hours: z.number().meta({ description: 'Hours between the first and the last planned send' }) }).nullable()
    .meta({ description: 'When the messages are planned to go out, each at its not-before time (local time, usual hour, quiet hours) or when queued' }),
}));

export type Campaign = z.input<typeof campaignSchema>;
export type CampaignAudience = z.input<typeof audienceCountSchema>;
export type CampaignResults = z.input<typeof campaignResultsSchema>;
export type CampaignStart = z.input<typeof campaignStartSchema>;
