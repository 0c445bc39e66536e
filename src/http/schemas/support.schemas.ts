/** Response schemas of the support and surveys API (docs/listen.md). */
import { z } from 'zod';
import { orderStages, ticketChannels, ticketSources, ticketStatuses, topicRuleSchema } from '../../modules/support/index.js';
import { surveyKinds } from '../../modules/surveys/index.js';
import { component, count, list, timestamp } from './common.schemas.js';

export const ticketSchema = component('Ticket', z.strictObject({
  id: z.string(),
  source: z.enum(ticketSources),
  source_ticket_id: z.string().meta({ description: 'The source\'s id: the helpdesk\'s ticket id, your external_id, or the contact form\'s key' }),
  customer_id: z.number().int().nullable().meta({ description: 'Null until the requester is matched to a customer' }),
  requester_ref: z.string().nullable(),
  requester_email: z.string().nullable(),
  status: z.enum(ticketStatuses),
  channel: z.enum(ticketChannels),
  topic: z.string().nullable(),
  subject: z.string().nullable(),
  body: z.string().nullable(),
  order_id: z.number().int().nullable(),
  opened_at: timestamp,
  first_response_at: timestamp.nullable(),
  resolved_at: timestamp.nullable(),
  satisfaction_score: z.number().int().nullable(),
  satisfied: z.boolean().nullable(),
  escalated: z.string().nullable().meta({ description: 'detractor or high_value when the rules escalated the ticket' }),
  created_at: timestamp,
  updated_at: timestamp,
  first_response_minutes: z.number().nullable(),
  resolution_hours: z.number().nullable(),
}));

export const ticketListSchema = list(ticketSchema);

export const webhookOutcomeSchema = z.strictObject({
  received: count, created: count, updated: count, unchanged: count.meta({ description: 'A replayed post: nothing changed' }),
  stale: count.meta({ description: 'Older than the stored state: ignored' }), requesters: count, ignored: z.string().nullable(),
});

export const supportSettingsViewSchema = z.strictObject({
  zendesk_signing_secret_set: z.boolean(),
  topic_rules: z.array(topicRuleSchema),
  high_value_clv: z.number().int().nullable(),
  webhook_urls: z.strictObject({ zendesk: z.string(), gorgias: z.string() }).meta({ description: 'Paste these into Zendesk (webhook endpoint) and Gorgias (HTTP integration URL)' }),
});

export const signedLinkSchema = z.strictObject({ url: z.string(), expires_at: timestamp });

export const deflectionSchema = z.strictObject({
  views: count.meta({ description: 'Order-status page views (one per order and day)' }),
  deflected: count.meta({ description: 'Views not followed by a ticket of that order or customer within window_days' }),
  tickets_after_view: count, wismo_tickets: count.meta({ description: 'Tickets tagged where_is_my_order in the period' }), window_days: count,
});

export const surveyAnswerSchema = component('SurveyAnswer', z.strictObject({
  id: z.string(), kind: z.enum(surveyKinds), customer_id: z.number().int(), score: z.number().int(),
  comment: z.string().nullable(), follow_up: z.string().nullable(),
  sentiment: z.number().nullable().meta({ description: 'AFINN-165 comparative score (English only); null without text' }),
  answered_at: timestamp, updated_at: timestamp,
  category: z.string().meta({ description: 'NPS: promoter, passive, detractor; CSAT: satisfied, neutral, dissatisfied' }),
}));

export const surveyAnswerListSchema = list(surveyAnswerSchema);

const theme = z.strictObject({ term: z.string(), answers: count });
export const surveyResultsSchema = z.strictObject({
  kind: z.enum(surveyKinds), from: timestamp, to: timestamp,
  nps: z.strictObject({ answers: count, promoters: count, passives: count, detractors: count, nps: z.number().nullable(), low: z.number().nullable(), high: z.number().nullable() }).nullable(),
  csat: z.strictObject({ answers: count, satisfied: count, share: z.number().nullable(), low: z.number().nullable(), high: z.number().nullable(), mean: z.number().nullable() }).nullable(),
  trend: z.array(z.strictObject({ month: z.string(), answers: count, score: z.number().nullable(), low: z.number().nullable(), high: z.number().nullable() })),
  sentiment: z.strictObject({ with_text: count, mean: z.number().nullable(), language_note: z.string() }),
  themes: z.array(theme), detractor_themes: z.array(theme),
});

export const surveySendResultSchema = z.strictObject({ send_key: z.string(), message_id: z.number().int(), created: z.boolean() });

export const orderStageSchema = z.enum(orderStages);

const retentionRow = z.strictObject({
  group: z.string(), customers: count.meta({ description: 'Sample size' }), repeaters: count.meta({ description: 'Of them, ordered again within window_days' }),
  rate: z.number().nullable(), low: z.number().nullable().meta({ description: 'Wilson 95 % interval' }), high: z.number().nullable(),
});
export const retentionSchema = z.strictObject({
  as_of: timestamp, window_days: count,
  nps_category: z.array(retentionRow).meta({ description: 'By the category of each customer\'s first NPS answer (promoter, passive, detractor)' }),
  review_rating: z.array(retentionRow).meta({ description: 'By the rating of each customer\'s first review ("5" … "1"; rejected reviews left out)' }),
  resolved_within_24h: z.array(retentionRow).meta({ description: 'By whether the customer\'s first ticket was resolved within 24 hours (yes, no)' }),
  first_response: z.array(retentionRow).meta({ description: 'By the first response time of the customer\'s first ticket' }),
  note: z.string(),
});
