/** Answers of the segments, personas and customer-profile APIs. */
import { z } from 'zod';
import { segments as rfmSegments } from '../../modules/analytics/index.js';
import { sendStates } from '../../modules/messaging/index.js';
import { PROFILE_MESSAGES } from '../../modules/profiles/index.js';
import { operators, ruleSchema } from '../../modules/segments/index.js';
import { component, count, currency, list, minorUnits, page, ratio, timestamp, day } from './common.schemas.js';
import { churnRisk } from './predictions.schemas.js';
import { consentSchema } from './data.schemas.js';
import { reviewSchema } from './reviews.schemas.js';
import { surveyAnswerSchema, ticketSchema } from './support.schemas.js';

export const segmentRule = component('SegmentRule', ruleSchema);
const refreshMode = z.enum(['on_change', 'scheduled']);

export const segmentSchema = component('Segment', z.strictObject({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  rule: segmentRule,
  builtin_key: z.string().nullable().meta({ description: 'Set for the starting segments every store gets' }),
  refresh_mode: refreshMode,
  member_count: count,
  refreshed_at: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
}));
export const segmentListSchema = list(segmentSchema);

export const fieldType = z.enum(['string', 'number', 'money', 'boolean', 'date', 'list']);
export const fieldInfoSchema = z.strictObject({ name: z.string(), type: fieldType, label: z.string(), operators: z.array(z.enum(operators)).readonly() });
/** Fields a rule can use, grouped by rule kind (profile, orders, prediction, rfm). */
export const fieldCatalogSchema = z.record(z.string(), z.array(fieldInfoSchema));

export const previewSchema = z.strictObject({
  count,
  sample: z.array(z.strictObject({
    id: z.number().int(),
    external_id: z.string().nullable(),
    email: z.string().nullable(),
    name: z.string(),
    country: z.string().nullable(),
    why: z.record(z.string(), z.unknown()).meta({ description: 'The values behind the rule, by field label' }),
  })),
  refresh_mode: refreshMode,
  took_ms: z.number(),
});

export const refreshOutcomeSchema = z.strictObject({ size: count, entered: count, exited: count });

export const memberPageSchema = page(z.strictObject({
  customer_id: z.number().int(),
  external_id: z.string().nullable(),
  email: z.string().nullable(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  country: z.string().nullable(),
  entered_at: timestamp,
}));

export const segmentChangesSchema = z.strictObject({
  data: z.array(z.strictObject({ id: z.number().int(), customer_id: z.number().int(), change: z.enum(['entered', 'exited']), changed_at: timestamp })),
  next_after: z.number().int().nullable().meta({ description: 'Pass as `after` for the next changes' }),
});

export const segmentSizesSchema = list(z.strictObject({ day, size: count }));

export const personaSchema = component('Persona', z.strictObject({
  id: z.string(),
  run_id: z.string(),
  name: z.string(),
  description: z.string(),
  size: count,
  revenue_share: ratio,
  predicted_clv: minorUnits.nullable().meta({ description: 'Mean predicted 12-month CLV of the members, rounded to whole minor units' }),
  profile: z.array(z.strictObject({
    key: z.string(),
    label: z.string(),
    persona: z.number().meta({ description: 'The persona\'s mean, in natural units (for the days between orders: over members with two or more orders)' }),
    store: z.number().meta({ description: 'The store\'s mean over all buyers, in the same units' }),
    z: z.number().meta({ description: 'Standardised difference: the persona\'s mean z-score (log scale for counts, money and ratios)' }),
    coverage: ratio.meta({ description: 'Share of the members the feature is known for (below 1 only for the days between orders)' }),
    clustered: z.boolean().meta({ description: 'False for recency, orders and spend, which describe a persona but are not clustered on' }),
    distinguishing: z.boolean().meta({ description: 'Named in the description: what sets this persona apart' }),
    text: z.string().meta({ description: 'The persona\'s figure beside the store\'s, in words' }),
  })).meta({ description: 'Every feature, the distinguishing ones first' }),
  needs: z.array(z.string()).meta({ description: 'What the persona needs from the store, from its traits by fixed rules (docs/segments.md)' }),
  motivators: z.array(z.string()).meta({ description: 'What it responds to, one per need' }),
  retention: z.array(z.strictObject({ days: z.number().int(), share: ratio.nullable(), eligible: count })),
  created_at: timestamp,
}));
const personaRunInfo = {
  run_id: z.string(),
  k: z.number().int().meta({ description: 'Number of personas chosen' }),
  reason: z.string().meta({ description: 'Why this k, in words' }),
  silhouettes: z.array(z.strictObject({ k: z.number().int(), silhouette: z.number() }))
    .meta({ description: 'Mean silhouette (−1…1; higher is tighter, better separated personas) for every k tried' }),
  buyers: count.meta({ description: 'Buyers clustered' }),
  created_at: timestamp,
};
export const personaRunInfoSchema = component('PersonaRunInfo', z.strictObject(personaRunInfo));
export const personaListSchema = z.strictObject({
  data: z.array(personaSchema),
  run: personaRunInfoSchema.nullable().meta({ description: 'How the latest run chose its number of personas; null before the first run' }),
});
export const personaRunSchema = z.strictObject({ ...personaRunInfo, personas: z.array(personaSchema) });

export const customerSearchSchema = list(z.strictObject({
  id: z.number().int(),
  external_id: z.string().nullable(),
  email: z.string().nullable(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  country: z.string().nullable(),
}));

export const timelineItemSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('order'), at: timestamp, id: z.number().int(), external_id: z.string(), total: minorUnits, currency, status: z.string(), items: count, discount_codes: z.array(z.string()) }),
  z.strictObject({ type: z.literal('return'), at: timestamp, id: z.number().int(), order_id: z.number().int().nullable(), amount: minorUnits, currency, reason: z.string().nullable() }),
  z.strictObject({ type: z.literal('browsing_session'), at: timestamp, ended_at: timestamp, events: count, pages: count, names: z.record(z.string(), count) }),
  z.strictObject({ type: z.literal('segment'), at: timestamp, segment_id: z.string(), name: z.string(), change: z.string() }),
  z.strictObject({
    type: z.literal('message'), at: timestamp.meta({ description: 'When it was queued' }), id: z.number().int().meta({ description: 'The message in the Outbox: GET /api/v1/messages/{id}' }),
    subject: z.string(), channel: z.enum(['email', 'sms', 'webhook']), purpose: z.enum(['marketing', 'transactional']),
    source: z.string().nullable().meta({ description: 'campaign:<id>, or null for a single message' }), topic_id: z.string().nullable(),
    state: z.enum(sendStates), reason: z.string().nullable(), opened: z.boolean().meta({ description: 'Its open pixel was fetched (mail privacy proxies fetch it too)' }),
    clicked: z.boolean(), created_at: timestamp, updated_at: timestamp,
  }).meta({ description: `One of the latest ${PROFILE_MESSAGES} messages sent to the customer; all of them: GET /api/v1/messages?customer_id=` }),
  z.strictObject({ type: z.literal('topic'), at: timestamp, topic: z.string(), name: z.string(), subscribed: z.boolean(), source: z.string() })
    .meta({ description: 'The customer kept (subscribed) or dropped an email topic' }),
  z.strictObject({
    type: z.literal('ticket'), at: timestamp.meta({ description: 'When it was opened' }), id: z.string(), source: z.string(), status: z.string(), channel: z.string(),
    topic: z.string().nullable(), subject: z.string().nullable(), first_response_minutes: z.number().nullable(), resolution_hours: z.number().nullable(),
  }).meta({ description: 'A support ticket (GET /api/v1/tickets/{id})' }),
  z.strictObject({
    type: z.literal('survey_answer'), at: timestamp, id: z.string(), kind: z.string(), score: z.number().int(), category: z.string(), comment: z.string().nullable(),
  }).meta({ description: 'An NPS or CSAT answer' }),
  z.strictObject({
    type: z.literal('review'), at: timestamp, id: z.string(), product_id: z.string().meta({ description: "The product's id in the store" }), product_title: z.string().nullable(),
    rating: z.number().int(), title: z.string().nullable(), status: z.string(), verified: z.boolean(),
    photos: z.number().int().min(0).meta({ description: 'How many photos it has (listed in the profile\'s reviews)' }),
  }).meta({ description: 'A review the customer wrote (GET /api/v1/reviews/{id})' }),
]);

const topItem = z.strictObject({ name: z.string(), orders: count, quantity: z.number(), spend: minorUnits });

export const customerProfileSchema = component('CustomerProfile', z.strictObject({
  identity: z.strictObject({
    id: z.number().int(), external_id: z.string().nullable(), email: z.string().nullable(), first_name: z.string().nullable(), last_name: z.string().nullable(),
    phone: z.string().nullable(), country: z.string().nullable(), city: z.string().nullable(), tags: z.array(z.string()),
    attributes: z.record(z.string(), z.unknown()), created_at: timestamp,
    birthday: z.string().nullable(), language: z.string().nullable(), timezone: z.string().nullable(),
  }),
  consent: z.strictObject({
    accepts_marketing: z.boolean(), email: consentSchema.shape.email, sms: consentSchema.shape.sms,
    topics: z.array(z.strictObject({ id: z.string(), name: z.string(), subscribed: z.boolean() })).meta({ description: "The store's email topics with the customer's choice" }),
  }),
  kpis: z.strictObject({
    orders: count,
    revenue: z.number().int().describe('Net of returns, in minor units (below zero when returns exceed the orders)'),
    gross_revenue: minorUnits,
    average_order_value: z.number().int().nullable().describe('Net revenue ÷ orders, in minor units'),
    first_order_at: timestamp.nullable(),
    last_order_at: timestamp.nullable(),
    average_days_between_orders: z.number().nullable(),
    days_since_last_order: z.number().int().nullable(),
    returns: count,
    returned_amount: minorUnits,
    currency: currency.nullable(),
  }),
  predictions: z.strictObject({
    p_alive: ratio, expected_orders_90d: z.number(), expected_orders_365d: z.number(), clv_12m: minorUnits.nullable(),
    expected_order_value: minorUnits.nullable(), next_order_on: day.nullable(), churn_risk: churnRisk, scored_at: timestamp, fit_id: z.string(),
    explanation: z.string(),
  }).nullable(),
  rfm: z.strictObject({ r: z.number().int(), f: z.number().int(), m: z.number().int(), segment: z.string().meta({ description: `One of ${rfmSegments.join(', ')}` }) }).nullable(),
  segments: z.array(z.strictObject({ id: z.string(), name: z.string(), builtin_key: z.string().nullable(), entered_at: timestamp })),
  personas: z.array(z.strictObject({ id: z.string(), name: z.string(), motivators: z.array(z.string()).meta({ description: 'What the persona responds to' }), assigned_at: timestamp })),
  timeline: z.array(timelineItemSchema),
  tickets: z.array(ticketSchema).meta({ description: `The customer's latest ${PROFILE_MESSAGES} support tickets` }),
  survey_answers: z.array(surveyAnswerSchema).meta({ description: `The customer's latest ${PROFILE_MESSAGES} survey answers` }),
  reviews: z.array(reviewSchema).meta({ description: `The customer's latest ${PROFILE_MESSAGES} reviews, whatever their moderation status` }),
  top_categories: z.array(topItem),
  top_products: z.array(topItem),
}));

export type SegmentRule = z.input<typeof segmentRule>;
export type Segment = z.input<typeof segmentSchema>;
export type FieldType = z.infer<typeof fieldType>;
export type FieldInfo = z.input<typeof fieldInfoSchema>;
export type Operator = FieldInfo['operators'][number];
export type FieldCatalog = z.input<typeof fieldCatalogSchema>;
export type Preview = z.input<typeof previewSchema>;
export type SegmentSize = z.input<typeof segmentSizesSchema>['data'][number];
export type Persona = z.input<typeof personaSchema>;
export type PersonaRunInfo = z.input<typeof personaRunInfoSchema>;
export type PersonaList = z.input<typeof personaListSchema>;
export type CustomerSearchHit = z.input<typeof customerSearchSchema>['data'][number];
export type TimelineItem = z.input<typeof timelineItemSchema>;
export type CustomerProfile = z.input<typeof customerProfileSchema>;
