/**
 * A flow is data: a trigger, entry and exit rules, and steps — a discriminated union of small step
 * types, each pointing at the step that follows by id. This schema checks the shape;
 * `flow.validate.ts` checks the graph (every pointer lands, every step is reachable, no loop
 * without a wait) and the references (templates, segments, rules) against the store.
 */
import { z } from 'zod';
import { ruleSchema } from '../segments/index.js';

/** A property name: a plain key, so a filter is never more than a key lookup. */
const jsonKey = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be letters, digits or underscores, starting with a letter');

export const stepId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ or -, at most 64');
const next = stepId.optional().meta({ description: 'The step that follows (none: the run is complete)' });

/** A length of time; at least one part, at most a year in all. */
export const durationSchema = z.strictObject({
  days: z.number().int().min(0).max(365).optional(),
  hours: z.number().int().min(0).max(8_760).optional(),
  minutes: z.number().int().min(0).max(525_600).optional(),
}).refine((d) => durationMs(d) > 0, 'give days, hours or minutes (more than zero)')
  .refine((d) => durationMs(d) <= 366 * 86_400_000, 'at most a year');
export type Duration = z.infer<typeof durationSchema>;

export function durationMs(d: { days?: number | undefined; hours?: number | undefined; minutes?: number | undefined }): number {
  return ((d.days ?? 0) * 1440 + (d.hours ?? 0) * 60 + (d.minutes ?? 0)) * 60_000;
}

const propertyFilter = z.strictObject({
  property: jsonKey,
  op: z.enum(['eq', 'neq', 'contains', 'gt', 'gte', 'lt', 'lte']),
  value: z.union([z.string().max(500), z.number().finite(), z.boolean()]),
});
export type PropertyFilter = z.infer<typeof propertyFilter>;

/** The days a date trigger can start on. */
export const dateKinds = ['birthday', 'first_order_anniversary', 'next_order_predicted', 'reorder_due', 'attribute'] as const;

export const triggerSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('segment_entered'), segment_id: z.string().min(1) }),
  z.strictObject({ kind: z.literal('segment_exited'), segment_id: z.string().min(1) }),
  z.strictObject({
    kind: z.literal('order_placed'),
    /** 1: the customer's first order; n: their n-th. None: every order. */
    nth: z.number().int().min(1).max(1000).optional(),
    /** The product's external id: only orders containing it. */
    product: z.string().min(1).max(200).optional(),
  }),
  z.strictObject({
    kind: z.literal('event'),
    /** The tracked event's name (`Checkout Started`, `Product Viewed`) or page name. */
    name: z.string().min(1).max(200),
    where: z.array(propertyFilter).max(10).optional(),
  }),
  /** A checkout or cart of the customer is stored (Shopify checkouts, the API, a tracked Checkout Started that names a cart). */
  z.strictObject({
    kind: z.literal('checkout_started'),
    /** Only checkouts worth at least this much, in minor units of their currency. */
    min_value: z.number().int().min(0).optional(),
  }),
  /**
   * A product viewed (`Product Viewed`) and, within `wait`, no product added to a cart, no checkout
   * and no order: the customer enters when the wait is over. Views during a wait add nothing.
   */
  z.strictObject({
    kind: z.literal('browse_abandoned'),
    wait: durationSchema.refine((d) => durationMs(d) <= 30 * 86_400_000, 'at most 30 days'),
    /** The product's external id (the view's `product_id`): only views of it. */
    product: z.string().min(1).max(200).optional(),
  }),
  /** A fulfilment of the customer's order is delivered (`order.delivered`). */
  z.strictObject({
    kind: z.literal('order_delivered'),
    /** 1: the customer's first delivered order; n: their n-th (by first delivery). None: every delivery. */
    nth: z.number().int().min(1).max(1000).optional(),
  }),
  /** A refit moved the customer's churn-risk band up (`prediction.band_changed`, direction rose). */
  z.strictObject({ kind: z.literal('churn_risk_rose'), to: z.enum(['medium', 'high']).optional() }),
  /** The customer's loyalty tier changed (`loyalty.tier_changed`). */
  z.strictObject({ kind: z.literal('loyalty_tier_changed'), direction: z.enum(['up', 'down']).optional() }),
  /** A friend the customer referred placed their first order and the customer was awarded for it (`loyalty.referral_ordered`). */
  z.strictObject({ kind: z.literal('referral_ordered') }),
  /** The customer's points will lapse within one of the store's reminder lead times (`loyalty.points_expiring`). */
  z.strictObject({ kind: z.literal('points_expiring') }),
  /** A return (refund) of the customer is stored for the first time (`return.created`). */
  z.strictObject({
    kind: z.literal('return_created'),
    /** Only returns refunding at least this much, in minor units of their currency. */
    min_amount: z.number().int().min(0).optional(),
  }),
  /** The customer's review is stored (`review.submitted`: the API, a tracked `Product Reviewed`, the review form; not imports). */
  z.strictObject({
    kind: z.literal('review_submitted'),
    /** Only reviews of at most this many stars (3: a recovery flow for unhappy reviewers). */
    max_rating: z.number().int().min(1).max(5).optional(),
    /** Only reviews of at least this many stars (5: thank the happiest). */
    min_rating: z.number().int().min(1).max(5).optional(),
  }).refine((t) => t.min_rating === undefined || t.max_rating === undefined || t.min_rating <= t.max_rating, { message: 'min_rating is above max_rating: no review would match', path: ['min_rating'] }),
  /** The customer answers an NPS or CSAT survey (`survey.answered`, once per answer). */
  z.strictObject({
    kind: z.literal('survey_answered'),
    /** Only answers to this survey. */
    survey: z.enum(['nps', 'csat']).optional(),
    /** Only answers of this category: NPS 9–10 / CSAT 4–5 promoter, NPS 0–6 / CSAT 1–2 detractor, passive between. */
    category: z.enum(['promoter', 'passive', 'detractor']).optional(),
  }),
  /**
   * A day of the customer comes (docs/flows.md, "Date triggers"): `birthday` and
   * `first_order_anniversary` every year; `next_order_predicted`, the day the predictions expect
   * their next order, unless they ordered since; `reorder_due`, the day a product they buy again
   * is due by their own (or else the product's usual) interval; `attribute`, the date in a custom
   * attribute (once, or every year with `yearly`). Days are the store's; `offset_days` moves the
   * day (-7: a week before).
   */
  z.strictObject({
    kind: z.literal('date'),
    date: z.enum(dateKinds),
    /** The custom attribute holding a date (YYYY-MM-DD or an ISO date-time), with `date: attribute`. */
    attribute: jsonKey.optional(),
    /** With `date: attribute`: every year on the date's month and day, from the date itself on. */
    yearly: z.boolean().optional(),
    /** With `date: reorder_due`: only this product (its external id). */
    product: z.string().min(1).max(200).optional(),
    offset_days: z.number().int().min(-90).max(90).default(0),
  }).refine((t) => (t.date === 'attribute') === (t.attribute !== undefined), { message: 'give attribute with date "attribute", and only then', path: ['attribute'] })
    .refine((t) => t.yearly === undefined || t.date === 'attribute', { message: 'yearly is for date "attribute" (birthdays and anniversaries are yearly already)', path: ['yearly'] })
    .refine((t) => t.product === undefined || t.date === 'reorder_due', { message: 'product is for date "reorder_due"', path: ['product'] }),
  /** Only enrolled by hand: `POST /api/v1/flows/:id/enrol` with a segment. */
  z.strictObject({ kind: z.literal('manual') }),
]);
export type Trigger = z.infer<typeof triggerSchema>;

export const exitConditionSchema = z.discriminatedUnion('kind', [
  /** An order placed after the customer entered (the order that triggered the run does not count). */
  z.strictObject({ kind: z.literal('ordered') }),
  /** The customer's email consent is no longer `subscribed`. */
  z.strictObject({ kind: z.literal('unsubscribed') }),
  /** The customer matches a segment rule (evaluated for them, now). */
  z.strictObject({ kind: z.literal('rule'), name: z.string().min(1).max(100), rule: ruleSchema }),
]);
export type ExitCondition = z.infer<typeof exitConditionSchema>;

export const entrySchema = z.strictObject({
  /** Whether someone who was in the flow before may enter again, and how long after their last entry. */
  re_entry: z.enum(['never', 'after']).default('never'),
  after_days: z.number().int().min(1).max(3650).optional(),
}).refine((e) => e.re_entry !== 'after' || e.after_days !== undefined, { message: 'give after_days with re_entry "after"', path: ['after_days'] });

const base = { id: stepId, name: z.string().max(200).optional() };

export const stepSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...base, type: z.literal('wait'),
    duration: durationSchema.optional(),
    /** Then (or instead) until this time of day (HH:MM) in the customer's time zone (the store's when unknown). */
    until_time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day, HH:MM').optional(),
    next,
  }).refine((s) => s.duration !== undefined || s.until_time !== undefined, { message: 'give a duration, an until_time or both', path: ['duration'] }),
  z.strictObject({
    ...base, type: z.literal('wait_for_event'),
    event: z.string().min(1).max(200),
    timeout: durationSchema,
    /** When the event arrives in time. */
    next,
    /** When the timeout passes first. */
    timeout_next: next,
  }),
  z.strictObject({ ...base, type: z.literal('condition'), rule: ruleSchema, yes: next, no: next }),
  z.strictObject({
    ...base, type: z.literal('split'),
    branches: z.array(z.strictObject({ weight: z.number().int().min(1).max(1000), next })).min(2).max(10),
  }),
  z.strictObject({ ...base, type: z.literal('send_email'), template_id: z.string().min(1), purpose: z.enum(['marketing', 'transactional']).default('marketing'),
    /** An offer (docs/offers.md): the email carries the recipient's code of it as `discount_code`. */
    offer_id: z.string().min(1).max(100).optional(), next }),
  /** Texts the customer through the store's SMS channel (docs/messaging.md, "SMS"), once per run and step. */
  z.strictObject({
    ...base, type: z.literal('send_sms'),
    text: z.string().min(1).max(1600).meta({ description: 'The SMS body: Liquid with the variables of an email (customer, store, links, order …); a marketing SMS gets "Reply STOP to opt out"' }),
    purpose: z.enum(['marketing', 'transactional']).default('marketing'),
    next,
  }),
  /** Posts a signed JSON message about the customer and this run to the store's webhook URL (docs/messaging.md, "Webhook channel"), once per run and step. */
  z.strictObject({
    ...base, type: z.literal('send_webhook'),
    event: z.string().trim().min(1).max(100).optional().meta({ description: 'A name the receiver acts on (review_thanks, vip_welcome): the body\'s context.event' }),
    text: z.string().max(4096).optional().meta({ description: 'Liquid, as for an SMS: the body\'s content.text (a chat message the receiver may send)' }),
    purpose: z.enum(['marketing', 'transactional']).default('marketing'),
    next,
  }),
  z.strictObject({ ...base, type: z.literal('tag'), tag: z.string().min(1).max(100), next }),
  /** Sets a custom attribute on the customer's profile (segments read it: docs/segments.md, `attribute`). */
  z.strictObject({
    ...base, type: z.literal('set_attribute'),
    attribute: jsonKey,
    value: z.union([z.string().max(500), z.number().finite(), z.boolean()]),
    next,
  }),
  /** Awards loyalty points to the customer (docs/loyalty.md), once per run and step; nothing while the programme is off. */
  z.strictObject({
    ...base, type: z.literal('award_points'),
    points: z.number().int().min(1).max(100_000),
    /** Shown on the customer's points history; default: the flow's name. */
    reason: z.string().trim().min(1).max(200).optional(),
    next,
  }),
  /** Emails the store's team (transactional, once per run and step) about this customer and what started the run. */
  z.strictObject({
    ...base, type: z.literal('notify_store'),
    /** The team address; none: the store's reply-to address (messaging settings), else its first owner's. */
    to: z.email('an email address').max(254).optional(),
    subject: z.string().trim().min(1).max(200),
    /** A note shown above the customer's details. */
    message: z.string().max(2000).optional(),
    next,
  }),
  /** Schedules a review request for the delivered order that triggered the run (docs/listen.md, "Review requests"). */
  z.strictObject({ ...base, type: z.literal('review_request'), next }),
  z.strictObject({ ...base, type: z.literal('exit') }),
]);
export type Step = z.infer<typeof stepSchema>;
export type StepType = Step['type'];
export const stepTypes = ['wait', 'wait_for_event', 'condition', 'split', 'send_email', 'send_sms', 'send_webhook', 'tag', 'set_attribute', 'award_points', 'notify_store', 'review_request', 'exit'] as const satisfies readonly StepType[];

export const DEFAULT_HOLDOUT_SHARE = 0.1;

export const flowDocumentSchema = z.strictObject({
  trigger: triggerSchema,
  entry: entrySchema.default({ re_entry: 'never' }),
  exit_when: z.array(exitConditionSchema).max(10).default([]),
  holdout_share: z.number().min(0).max(0.5).default(DEFAULT_HOLDOUT_SHARE),
  /** The first step is where every run starts. */
  steps: z.array(stepSchema).min(1).max(100),
});
export type FlowDocument = z.infer<typeof flowDocumentSchema>;
export type FlowDocumentInput = z.input<typeof flowDocumentSchema>;

/** Where a step may lead, with the field that says so. */
export function exitsOf(step: Step): { field: string; to: string | undefined }[] {
  switch (step.type) {
    case 'condition': return [{ field: 'yes', to: step.yes }, { field: 'no', to: step.no }];
    case 'split': return step.branches.map((b, i) => ({ field: `branches.${i}.next`, to: b.next }));
    case 'wait_for_event': return [{ field: 'next', to: step.next }, { field: 'timeout_next', to: step.timeout_next }];
    case 'exit': return [];
    default: return [{ field: 'next', to: step.next }];
  }
}
