/**
 * The library of ready flows: each a flow document over the starter templates (and, where the
 * trigger is a segment, a segment the library creates), with why it works. Installing one makes an
 * editable draft; nothing here runs until the store publishes it.
 */
import type { z } from 'zod';
import type { ruleSchema } from '../../segments/index.js';
import type { FlowDocumentInput } from '../flow.schema.js';

type Rule = z.infer<typeof ruleSchema>;

/** A template the flow sends: a copy of a starter under this name (found again by starter and name). */
export interface TemplateNeed { starter: string; name: string }
/** A segment the trigger listens to (found again by name). */
export interface SegmentNeed {
  name: string;
  description: string;
  rule: Rule;
  /** The rule for a store whose predictions are not fitted yet (prediction rules are refused until they are). */
  fallback?: { description: string; rule: Rule };
}

export interface ReadyFlow {
  key: string;
  name: string;
  /** What it does, in a sentence. */
  summary: string;
  /** Why it works: one paragraph. */
  why: string;
  /** Where the trigger is an approximation of the ideal one, what it does instead. */
  note?: string;
  templates: Record<string, TemplateNeed>;
  segment?: SegmentNeed;
  /** The document, given the ids of the installed templates (by local name) and segment. */
  document: (refs: { templates: Record<string, string>; segment: string | null }) => FlowDocumentInput;
}

const ordersCount = (op: 'eq' | 'gte', value: number): Rule => ({ kind: 'orders', metric: 'count', op, value });
const stopOnOrder = [{ kind: 'ordered' as const }, { kind: 'unsubscribed' as const }];
const unsubscribed = [{ kind: 'unsubscribed' as const }];

export const readyFlows: readonly ReadyFlow[] = [
  {
    key: 'welcome_series', name: 'Welcome series',
    summary: 'A new subscriber without an order gets the welcome email at once and, three days later if they still have not ordered, a second one with best sellers.',
    why: 'The first days after someone subscribes are when their interest is highest; a welcome that says who you are and what to expect, followed by a nudge towards a first order, turns a visitor into a buyer while they still remember you. It stops as soon as they order, so a new customer never receives a "still thinking it over?" after buying.',
    segment: { name: 'Subscribed, no order yet', description: 'Accepts marketing and has not ordered (the welcome series listens to entries).', rule: { kind: 'all', rules: [{ kind: 'profile', field: 'accepts_marketing', op: 'eq', value: true }, ordersCount('eq', 0)] } },
    templates: { welcome: { starter: 'welcome', name: 'Welcome' }, second: { starter: 'welcome', name: 'Welcome, part two' } },
    document: ({ templates, segment }) => ({
      trigger: { kind: 'segment_entered', segment_id: segment! },
      exit_when: stopOnOrder,
      steps: [
        { id: 'welcome', name: 'Welcome email', type: 'send_email', template_id: templates.welcome!, next: 'wait' },
        { id: 'wait', name: 'Three days', type: 'wait', duration: { days: 3 }, next: 'no_order' },
        { id: 'no_order', name: 'Still no order?', type: 'condition', rule: ordersCount('eq', 0), yes: 'second', no: 'done' },
        { id: 'second', name: 'Second welcome email', type: 'send_email', template_id: templates.second!, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    }),
  },
  {
    key: 'abandoned_checkout', name: 'Abandoned checkout',
    summary: 'A checkout left open gets a reminder after one hour and a second one a day later; an order ends the flow at once.',
    why: 'Most abandoned checkouts are interruptions, not decisions: the reminder an hour later catches the customer while the purchase is still on their mind, and the second a day later reaches those who were away. The cart is already chosen, so this is the flow closest to revenue; exiting on an order keeps it from nagging someone who came back on their own.',
    templates: { first: { starter: 'abandoned_cart', name: 'Abandoned cart' }, second: { starter: 'abandoned_cart', name: 'Abandoned cart, reminder' } },
    document: ({ templates }) => ({
      trigger: { kind: 'checkout_started' },
      entry: { re_entry: 'after', after_days: 7 },
      exit_when: stopOnOrder,
      steps: [
        { id: 'hour', name: 'One hour', type: 'wait', duration: { hours: 1 }, next: 'first' },
        { id: 'first', name: 'First reminder', type: 'send_email', template_id: templates.first!, next: 'day' },
        { id: 'day', name: 'A day later', type: 'wait', duration: { hours: 23 }, next: 'second' },
        { id: 'second', name: 'Second reminder', type: 'send_email', template_id: templates.second!, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    }),
  },
  {
    key: 'browse_abandonment', name: 'Browse abandonment',
    summary: 'A customer who views a product and, within four hours, adds nothing to a cart, starts no checkout and places no order gets a second look at it with similar picks.',
    why: 'A product view is the clearest signal of interest a store gets before a cart. A gentle reminder with what they looked at and similar picks brings back those who were comparing or got distracted, at a fraction of the volume of a newsletter; leaving alone anyone who added to a cart, started a checkout or ordered meanwhile keeps it from nagging those who are already buying (the abandoned-checkout flow speaks to them).',
    templates: { email: { starter: 'browse_abandonment', name: 'Browse abandonment' } },
    document: ({ templates }) => ({
      trigger: { kind: 'browse_abandoned', wait: { hours: 4 } },
      entry: { re_entry: 'after', after_days: 7 },
      exit_when: stopOnOrder,
      steps: [
        { id: 'email', name: 'A second look', type: 'send_email', template_id: templates.email!, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    }),
  },
  {
    key: 'post_purchase', name: 'Post-purchase onboarding',
    summary: 'Two days after an order is delivered, the customer gets tips for using and caring for what they bought.',
    why: 'Buyer’s remorse sets in after the product arrives, when the first use decides whether the purchase felt right. Helping the customer get the most from it — how to use it, how to care for it, a person to reply to — is what the seeds call reducing buyer’s remorse and helping customers reach what they bought for; a customer who succeeds with the product comes back.',
    templates: { tips: { starter: 'post_purchase', name: 'Post-purchase: getting the most from it' } },
    document: ({ templates }) => ({
      trigger: { kind: 'order_delivered' },
      entry: { re_entry: 'after', after_days: 30 },
      steps: [
        { id: 'settle', name: 'Two days after delivery', type: 'wait', duration: { days: 2 }, next: 'tips' },
        { id: 'tips', name: 'How to use it', type: 'send_email', template_id: templates.tips!, purpose: 'transactional', next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    }),
  },
  {
    key: 'review_request', name: 'Review request',
    summary: 'A week after an order is delivered, the customer is asked to review what they bought, with a signed link to the review page and a reminder.',
    why: 'Reviews build the trust that brings the next customer, and asking is what gets them: a week after delivery the customer has used the product but still remembers the purchase. Feedback, good or bad, also tells the store what to fix — the seeds insist on seeking it actively and responding.',
    // The request email is the reviews module's own: it carries the signed link to the review page.
    templates: {},
    document: () => ({
      trigger: { kind: 'order_delivered' },
      // Every delivered order may be asked about: the review rules, not the flow, space the requests.
      entry: { re_entry: 'after', after_days: 1 },
      exit_when: unsubscribed,
      // The request waits the store's delay after delivery (7 days unless changed), obeys the
      // review rules (once per product a year, a cap per 30 days, no unsubscribed or suppressed
      // address) and sends its reminders: the reviews module keeps them (docs/listen.md).
      steps: [
        { id: 'ask', name: 'Ask for a review', type: 'review_request', next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    }),
  },
  {
    key: 'replenishment', name: 'Replenishment',
    summary: 'When a customer’s predicted next order is a week away, they get a reminder to reorder; an order ends the flow.',
    why: 'Customers who buy consumables run out on a rhythm the predictions know: reminding them just before their expected next order date turns a likely reorder into a sure one, and keeps it with you rather than with whoever they search for when they run out.',
    note: 'Triggered by entering the segment "Next order due within 7 days" (the expected next order date from the predictions), which refreshes as the predictions and the calendar move; for a reminder per product, timed by its reorder interval, use the date trigger `reorder_due`. Installed before the predictions are fitted, the segment holds customers whose last order was more than 45 days ago: change its rule once they are.',
    segment: {
      name: 'Next order due within 7 days', description: 'Customers with an order whose expected next order date (predictions) is within the next 7 days.',
      rule: { kind: 'all', rules: [ordersCount('gte', 1), { kind: 'prediction', field: 'next_order_on', op: 'within_next_days', value: 7 }] },
      fallback: { description: 'Until predictions are fitted: customers whose last order was more than 45 days ago.', rule: { kind: 'all', rules: [ordersCount('gte', 1), { kind: 'orders', metric: 'last_order_at', op: 'more_than_days_ago', value: 45 }] } },
    },
    templates: { reminder: { starter: 'replenishment', name: 'Replenishment' } },
    document: ({ templates, segment }) => ({
      trigger: { kind: 'segment_entered', segment_id: segment! },
      entry: { re_entry: 'after', after_days: 30 },
      exit_when: stopOnOrder,
      steps: [
        { id: 'reminder', name: 'Time to reorder', type: 'send_email', template_id: templates.reminder!, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    }),
  },
  {
    key: 'win_back', name: 'Win-back',
    summary: 'A customer who is slipping away (high churn risk, P(alive) below 0.3, or no order in 120 days) gets a "we miss you" email, then an offer a week later; an order ends the flow.',
    why: 'The seeds ask to re-engage inactive customers: winning back someone who already knows the store costs far less than finding a new customer. The first email reminds without discounting, so customers who only needed a nudge do not learn to wait for codes; the offer comes second, for those the reminder did not move.',
    note: 'Triggered by entering the segment "Slipping away". Installed before the predictions are fitted, the segment holds only the 120-day rule: change its rule once they are.',
    segment: {
      name: 'Slipping away', description: 'Customers with an order whose churn risk is high, whose P(alive) is below 0.3, or who have not ordered in 120 days.',
      rule: { kind: 'all', rules: [ordersCount('gte', 1), { kind: 'any', rules: [
        { kind: 'prediction', field: 'churn_risk', op: 'eq', value: 'high' },
        { kind: 'prediction', field: 'p_alive', op: 'lt', value: 0.3 },
        { kind: 'orders', metric: 'last_order_at', op: 'more_than_days_ago', value: 120 },
      ] }] },
      fallback: { description: 'Until predictions are fitted: customers with an order who have not ordered in 120 days.', rule: { kind: 'all', rules: [ordersCount('gte', 1), { kind: 'orders', metric: 'last_order_at', op: 'more_than_days_ago', value: 120 }] } },
    },
    templates: { miss: { starter: 'win_back', name: 'Win-back: we miss you' }, offer: { starter: 'win_back', name: 'Win-back: an offer' } },
    document: ({ templates, segment }) => ({
      trigger: { kind: 'segment_entered', segment_id: segment! },
      entry: { re_entry: 'after', after_days: 180 },
      exit_when: stopOnOrder,
      steps: [
        { id: 'miss', name: 'We miss you', type: 'send_email', template_id: templates.miss!, next: 'wait' },
        { id: 'wait', name: 'A week', type: 'wait', duration: { days: 7 }, next: 'offer' },
        { id: 'offer', name: 'An offer', type: 'send_email', template_id: templates.offer!, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    }),
  },
  {
    key: 'vip_welcome', name: 'VIP / tier welcome',
    summary: 'A customer who moves up a loyalty tier is welcomed to it with their new perks.',
    why: 'Recognition is the cheapest reward: telling a customer at once that they reached a tier, and what it gives them, makes the programme visible and gives them a reason to use their perks. Loyal customers spend more and become the advocates who refer others.',
    templates: { welcome: { starter: 'vip_welcome', name: 'VIP / tier welcome' } },
    document: ({ templates }) => ({
      trigger: { kind: 'loyalty_tier_changed', direction: 'up' },
      entry: { re_entry: 'after', after_days: 1 },
      exit_when: unsubscribed,
      steps: [
        { id: 'welcome', name: 'Welcome to the tier', type: 'send_email', template_id: templates.welcome!, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    }),
  },
  {
    key: 'points_expiring', name: 'Points expiring reminder',
    summary: 'A member whose points are about to lapse is reminded of their balance and what it buys.',
    why: 'Points a customer forgets are a reward that never worked. A reminder before they lapse gives the member a concrete reason to come back now, and a redeemed reward is the moment the programme proves its worth to them.',
    templates: { reminder: { starter: 'points_reminder', name: 'Points reminder' } },
    document: ({ templates }) => ({
      trigger: { kind: 'points_expiring' },
      entry: { re_entry: 'after', after_days: 7 },
      exit_when: unsubscribed,
      steps: [
        { id: 'reminder', name: 'Your points are waiting', type: 'send_email', template_id: templates.reminder!, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    }),
  },
  {
    key: 'birthday', name: 'Birthday',
    summary: 'On the customer’s birthday they get good wishes and a gift.',
    why: 'A birthday message is personal, expected and welcome: it is one of the few marketing emails customers look forward to, and a small gift on the day gives a reason to visit that has nothing to do with a sale.',
    note: 'Starts on the customer’s birthday (their `birthday`, sent by the store or an import) in the store’s time zone; customers without one never enter.',
    templates: { wishes: { starter: 'birthday', name: 'Birthday' } },
    document: ({ templates }) => ({
      trigger: { kind: 'date', date: 'birthday' },
      entry: { re_entry: 'after', after_days: 300 },
      exit_when: unsubscribed,
      steps: [
        { id: 'wishes', name: 'Happy birthday', type: 'send_email', template_id: templates.wishes!, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    }),
  },
  {
    key: 'nps_after_second_delivery', name: 'NPS after the second delivery',
    summary: 'Three days after a customer’s second order is delivered, they are asked how likely they are to recommend the store.',
    why: 'A second order means the customer has chosen the store twice: their answer says whether they are becoming loyal or only returned by chance. Asking then, not after the first order, measures the relationship rather than one parcel, and a detractor found early can still be won over.',
    templates: { survey: { starter: 'nps_survey', name: 'NPS survey' } },
    document: ({ templates }) => ({
      trigger: { kind: 'order_delivered', nth: 2 },
      exit_when: unsubscribed,
      steps: [
        { id: 'settle', name: 'Three days after delivery', type: 'wait', duration: { days: 3 }, next: 'survey' },
        { id: 'survey', name: 'Ask the question', type: 'send_email', template_id: templates.survey!, purpose: 'transactional', next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    }),
  },
  {
    key: 'referral_thanks', name: 'Referral thank-you',
    summary: 'When a friend a customer referred places their first order, the customer is thanked and told about their points.',
    why: 'Loyal customers become advocates who bring new ones — the cheapest customers a store gets. Thanking them when a referral succeeds tells them it mattered, and makes the next recommendation more likely.',
    templates: { thanks: { starter: 'referral_thanks', name: 'Referral thank-you' } },
    document: ({ templates }) => ({
      trigger: { kind: 'referral_ordered' },
      entry: { re_entry: 'after', after_days: 1 },
      exit_when: unsubscribed,
      steps: [
        { id: 'thanks', name: 'Thank you', type: 'send_email', template_id: templates.thanks!, next: 'done' },
        { id: 'done', type: 'exit' },
      ],
    }),
  },
];

export function readyFlow(key: string): ReadyFlow | undefined {
  return readyFlows.find((f) => f.key === key);
}
