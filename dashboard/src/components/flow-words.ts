/**
 * Flows in words: the trigger ("When a customer enters VIP"), each step ("Send email Welcome"),
 * the edges' labels and the step log's outcomes, for the list, the graph and the profile.
 */
import type { FlowDocument, FlowStep, FlowSummary, FlowTrigger } from '../api/flow-types';
import { exitsOf } from './flow-layout';

/** The badge class of a flow's status. */
export const flowStatusBadge: Record<FlowSummary['status'], string> = { draft: 'badge', live: 'badge good', paused: 'badge warn' };

/** Names of the store's segments and templates by id, for the sentences. */
export interface Names {
  segments: Map<string, string>;
  templates: Map<string, string>;
}

export const noNames: Names = { segments: new Map(), templates: new Map() };

type Duration = { days?: number | undefined; hours?: number | undefined; minutes?: number | undefined };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function durationWords(d: Duration | undefined): string {
  if (!d) return '';
  return [d.days && plural(d.days, 'day'), d.hours && plural(d.hours, 'hour'), d.minutes && plural(d.minutes, 'minute')].filter(Boolean).join(' ');
}

const ordinal = (n: number) => (n === 1 ? 'first' : n === 2 ? 'second' : n === 3 ? 'third' : `${n}th`);

const opWords: Record<string, string> = { eq: 'is', neq: 'is not', contains: 'contains', gt: '>', gte: '≥', lt: '<', lte: '≤' };

export function triggerWords(trigger: FlowTrigger, names: Names = noNames): string {
  switch (trigger.kind) {
    case 'segment_entered': return `Enters segment ${names.segments.get(trigger.segment_id) ?? trigger.segment_id}`;
    case 'segment_exited': return `Leaves segment ${names.segments.get(trigger.segment_id) ?? trigger.segment_id}`;
    case 'order_placed': return [trigger.nth ? `Places their ${ordinal(trigger.nth)} order` : 'Places an order', trigger.product && `containing ${trigger.product}`].filter(Boolean).join(' ');
    case 'event': return [`Tracked event “${trigger.name}”`, ...(trigger.where ?? []).map((w) => `where ${w.property} ${opWords[w.op] ?? w.op} ${String(w.value)}`)].join(' ');
    case 'checkout_started': return trigger.min_value ? `Starts a checkout worth at least ${trigger.min_value} (minor units)` : 'Starts a checkout';
    case 'browse_abandoned': return `Views ${trigger.product ? `product ${trigger.product}` : 'a product'} and adds nothing to a cart within ${durationWords(trigger.wait)}`;
    case 'order_delivered': return trigger.nth ? `Their ${ordinal(trigger.nth)} order is delivered` : 'An order is delivered';
    case 'churn_risk_rose': return trigger.to ? `Churn risk rises to ${trigger.to}` : 'Churn risk rises';
    case 'loyalty_tier_changed': return trigger.direction ? `Loyalty tier goes ${trigger.direction}` : 'Loyalty tier changes';
    case 'points_expiring': return 'Loyalty points are about to expire';
    case 'referral_ordered': return 'A friend they referred places a first order';
    case 'return_created': return trigger.min_amount ? `Returns something worth at least ${trigger.min_amount} (minor units)` : 'Returns something';
    case 'review_submitted': {
      const stars = trigger.min_rating && trigger.max_rating ? `of ${trigger.min_rating}–${trigger.max_rating} stars`
        : trigger.max_rating ? `of at most ${plural(trigger.max_rating, 'star')}` : trigger.min_rating ? `of at least ${plural(trigger.min_rating, 'star')}` : '';
      return ['Writes a review', stars].filter(Boolean).join(' ');
    }
    case 'survey_answered': return ['Answers', trigger.survey ? `the ${trigger.survey.toUpperCase()} survey` : 'a survey', trigger.category && `as a ${trigger.category}`].filter(Boolean).join(' ');
    case 'date': return dateWords(trigger);
    case 'manual': return 'Enrolled by hand (a segment)';
  }
}

const dateNames: Record<Extract<FlowTrigger, { kind: 'date' }>['date'], string> = {
  birthday: 'their birthday',
  first_order_anniversary: 'the anniversary of their first order',
  next_order_predicted: 'the day their next order is expected',
  reorder_due: 'the day a product they buy again is due',
  attribute: '',
};

/** "3 days before their birthday", "The anniversary of their first order", "Every year on signed_up_on". */
function dateWords(trigger: Extract<FlowTrigger, { kind: 'date' }>): string {
  const what = trigger.date === 'attribute' ? `${trigger.yearly ? 'every year on ' : ''}the date in ${trigger.attribute}` : dateNames[trigger.date] + (trigger.product ? ` (${trigger.product})` : '');
  const offset = trigger.offset_days ?? 0;
  const shift = offset === 0 ? '' : `${plural(Math.abs(offset), 'day')} ${offset < 0 ? 'before' : 'after'} `;
  const words = `${shift}${what}`;
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The rule of a condition in a few words (its kind and field; the JSON has the rest). */
function ruleWords(rule: unknown): string {
  const r = rule as { kind?: string; field?: string; metric?: string; op?: string; value?: unknown; rules?: unknown[] };
  if (r.rules) return `${r.kind ?? 'all'} of ${plural(r.rules.length, 'rule')}`;
  const subject = [r.kind, r.field ?? r.metric].filter(Boolean).join(' ');
  return [subject, r.op && (opWords[r.op] ?? r.op.replace(/_/g, ' ')), r.value !== undefined ? JSON.stringify(r.value) : undefined].filter(Boolean).join(' ');
}

/** A message's text on one line, cut to a readable length. */
const clip = (text: string, max = 60) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
};

/** What a step does, in one line. */
export function stepWords(step: FlowStep, names: Names = noNames): string {
  switch (step.type) {
    case 'wait': return ['Wait', durationWords(step.duration), step.until_time && `${step.duration ? 'then ' : ''}until ${step.until_time} local time`].filter(Boolean).join(' ');
    case 'wait_for_event': return `Wait up to ${durationWords(step.timeout)} for “${step.event}”`;
    case 'condition': return `If ${ruleWords(step.rule)}`;
    case 'split': return `Random split ${step.branches.map((b) => b.weight).join(' / ')}`;
    case 'send_email': return `Send email ${names.templates.get(step.template_id) ?? step.template_id}${step.purpose === 'transactional' ? ' (transactional)' : ''}`;
    case 'send_sms': return `Send SMS “${clip(step.text)}”${step.purpose === 'transactional' ? ' (transactional)' : ''}`;
    case 'send_webhook': return `Post to the store's webhook${step.event ? ` (event “${step.event}”)` : ''}${step.text ? `: “${clip(step.text)}”` : ''}${step.purpose === 'transactional' ? ' (transactional)' : ''}`;
    case 'tag': return `Tag the customer “${step.tag}”`;
    case 'set_attribute': return `Set ${step.attribute} to ${JSON.stringify(step.value)} on the profile`;
    case 'award_points': return `Award ${plural(step.points, 'loyalty point')}`;
    case 'notify_store': return `Email the team at ${step.to ?? 'the store\'s reply-to address'}: “${step.subject}”`;
    case 'review_request': return 'Ask for a review of the delivered order (signed link, reminders)';
    case 'exit': return 'Exit';
  }
}

/** The label of an edge by the field that names it. */
export function edgeLabel(field: string): string {
  if (field === 'next') return '';
  if (field === 'timeout_next') return 'timed out';
  const branch = /^branches\.(\d+)\.next$/.exec(field);
  if (branch) return `branch ${Number(branch[1]) + 1}`;
  return field;
}

/** A readable line per step: "1. welcome — Send email Welcome → wait". */
export function stepSummary(document: FlowDocument, names: Names = noNames): { id: string; text: string; leads: string }[] {
  return document.steps.map((step) => ({
    id: step.id,
    text: `${step.name ? `${step.name}: ` : ''}${stepWords(step, names)}`,
    leads: exitsOf(step).map((e) => `${edgeLabel(e.field) ? `${edgeLabel(e.field)} → ` : '→ '}${e.to ?? 'end'}`).join(', '),
  }));
}

const outcomeWords: Record<string, string> = {
  entered: 'entered', queued: 'email queued', held_out: 'held out (nothing sent)', waited: 'waited', yes: 'yes', no: 'no',
  event: 'event arrived', event_arrived: 'event noted', timed_out: 'timed out', tagged: 'tagged',
  sms_queued: 'SMS queued', webhook_queued: 'webhook message queued', already_queued: 'already queued (sent once)', suppressed: 'not sent (suppressed)', not_set_up: 'channel not set up: nothing sent',
  attribute_set: 'attribute set', awarded: 'points awarded', already_awarded: 'points already awarded', store_notified: 'store notified', store_already_notified: 'store already notified', no_team_address: 'no team address to notify', exit: 'reached the exit', completed: 'completed', exited: 'exited', error: 'error',
};

/** One entry of a run's step log in words. */
export function outcomeText(entry: { step_id: string | null; outcome: string; detail: string | null }, names: Names = noNames): string {
  const words = outcomeWords[entry.outcome] ?? entry.outcome.replace(/_/g, ' ');
  if (entry.outcome === 'exited') return `exited: ${entry.detail ?? 'exit condition'}`;
  if (entry.outcome === 'queued' && entry.detail) return `email “${names.templates.get(entry.detail) ?? entry.detail}” queued`;
  if (entry.outcome === 'entered') return entry.detail === 'holdout' ? 'entered (holdout)' : 'entered';
  if (entry.outcome === 'error') return `error${entry.detail ? `: ${entry.detail}` : ''}`;
  // Why an SMS or webhook message was not sent is the point of the line.
  if ((entry.outcome === 'suppressed' || entry.outcome === 'not_set_up') && entry.detail) return `${entry.step_id ? `${entry.step_id}: ` : ''}${words} (${entry.detail})`;
  return entry.step_id ? `${entry.step_id}: ${words}` : words;
}
