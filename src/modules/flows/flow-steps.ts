/**
 * One small handler per step type. A handler decides where the run goes (`go`), or that it waits
 * (`waitUntil`), from the run, the time and the store's data; its effect (an email, an SMS, a
 * webhook message, a tag) is idempotent — the send key (and a points award's key) is `flow:<run>:<step>` — so a step run
 * twice after a crash has its effect once. Waits count from the moment the run arrived at the step (`step_since`), so a
 * retried wait ends when the first attempt's would have. Nothing sleeps.
 */
import { unitHash } from './hash.js';
import { nextLocalTime } from './local-time.js';
import { durationMs, type Step } from './flow.schema.js';
import type { FlowRunTable, FlowsDb } from './flows.table.js';
import type { ExitFacts } from './runs.repository.js';
import { AppError } from '../../lib/errors.js';
import { compileText, type CompiledText } from '../messaging/index.js';
import type { FlowEffects, FlowEmail, FlowMessage, FlowRule } from './flow-effects.js';
import type { ExitCondition } from './flow.schema.js';

export type StepResult =
  | { go: string | undefined; outcome: string; detail?: string }
  | { waitUntil: Date; outcome?: string };

export interface StepContext {
  storeId: string;
  flowId: string;
  run: FlowRunTable;
  /** When the run arrived at this step. */
  since: Date;
  now: Date;
  read: FlowsDb;
  effects: FlowEffects;
  /** Emails of this batch, queued together before the runs' new states are committed. */
  outbox: FlowEmail[];
  /** SMS and webhook messages of this batch, likewise; their outcome (flow-effects.ts, `MessageOutcome`) replaces the step's when they are queued. */
  messages: FlowMessage[];
  /** Whether a segment rule holds for this run's customer now (evaluated once per rule for the batch's customers). */
  holds: (rule: FlowRule) => Promise<boolean>;
  /** Refuses a template that cannot be sent (checked once per template for the batch). */
  checkTemplate: (templateId: string) => Promise<void>;
  /** The segment a segment-entry flow starts from: its emails recommend what is popular in it to a customer without orders. */
  segmentId?: string;
}

type Handler<T extends Step['type']> = (step: Extract<Step, { type: T }>, context: StepContext) => Promise<StepResult>;

/** Logged on a run waiting for an event when that event arrives. */
export const EVENT_ARRIVED = 'event_arrived';

export const sendKeyOf = (runId: number, stepId: string) => `flow:${runId}:${stepId}`;
export const flowSource = (flowId: string) => `flow:${flowId}`;

/** Texts of steps compiled once (a job renders the same few texts for hundreds of runs). */
const TEXTS_KEPT = 64;
const compiledTexts = new Map<string, CompiledText>();

/** A step's Liquid text compiled; one that no longer compiles ends the run with the reason (as a deleted template does). */
function stepText(text: string): CompiledText {
  const kept = compiledTexts.get(text);
  if (kept) return kept;
  const result = compileText(text);
  if (!result.ok) throw new AppError('validation_failed', `The text does not compile: ${result.problems.map((p) => p.reason).join('; ')}`, result.problems);
  if (compiledTexts.size >= TEXTS_KEPT) compiledTexts.delete(compiledTexts.keys().next().value!);
  compiledTexts.set(text, result.compiled);
  return result.compiled;
}

/** The message of a send_sms or send_webhook step for this run. */
function stepMessage(step: Extract<Step, { type: 'send_sms' | 'send_webhook' }>, { flowId, run }: StepContext): FlowMessage {
  const trigger = { kind: run.trigger_kind, entityId: run.trigger_entity_id === null ? null : Number(run.trigger_entity_id) };
  const base = { sendKey: sendKeyOf(run.id, step.id), purpose: step.purpose, customerId: run.customer_id, source: flowSource(flowId), text: step.text ? stepText(step.text) : null, trigger };
  if (step.type === 'send_sms') return { ...base, channel: 'sms' };
  return {
    ...base, channel: 'webhook',
    about: {
      flowId, stepId: step.id, stepName: step.name ?? null, event: step.event ?? null, runId: run.id, enteredAt: run.entered_at,
      triggerKind: run.trigger_kind, triggerEventId: run.trigger_event_id === null ? null : Number(run.trigger_event_id),
    },
  };
}

const handlers: { [T in Step['type']]: Handler<T> } = {
  wait: async (step, { since, now, storeId, run, effects }) => {
    let until = new Date(since.getTime() + (step.duration ? durationMs(step.duration) : 0));
    if (step.until_time) until = nextLocalTime(until, step.until_time, await effects.timeZoneOf(storeId, run.customer_id));
    return now >= until ? { go: step.next, outcome: 'waited' } : { waitUntil: until };
  },

  wait_for_event: async (step, { since, now, storeId, run, read }) => {
    // The flows subscriber notes the event on the run when it arrives (the run waiting here).
    const seen = await read.selectFrom('flow_run_steps').select('seq')
      .where('store_id', '=', storeId).where('run_id', '=', run.id).where('step_id', '=', step.id).where('outcome', '=', EVENT_ARRIVED)
      .where('recorded_at', '>=', since)
      .limit(1).executeTakeFirst();
    if (seen) return { go: step.next, outcome: 'event', detail: step.event };
    const timeout = new Date(since.getTime() + durationMs(step.timeout));
    return now >= timeout ? { go: step.timeout_next, outcome: 'timed_out' } : { waitUntil: timeout };
  },

  condition: async (step, { holds }) => {
    return (await holds(step.rule as FlowRule)) ? { go: step.yes, outcome: 'yes' } : { go: step.no, outcome: 'no' };
  },

  split: async (step, { flowId, run }) => {
    const total = step.branches.reduce((sum, b) => sum + b.weight, 0);
    let point = unitHash(`${flowId}:${step.id}`, run.customer_id) * total;
    for (const [i, branch] of step.branches.entries()) {
      if (point < branch.weight) return { go: branch.next, outcome: `branch ${i + 1}` };
      point -= branch.weight;
    }
    return { go: step.branches.at(-1)!.next, outcome: `branch ${step.branches.length}` };
  },

  send_email: async (step, { flowId, run, outbox, checkTemplate, segmentId }) => {
    if (run.holdout) return { go: step.next, outcome: 'held_out', detail: 'in the holdout: nothing sent' };
    await checkTemplate(step.template_id);
    outbox.push({
      sendKey: sendKeyOf(run.id, step.id), purpose: step.purpose, customerId: run.customer_id, templateId: step.template_id, source: flowSource(flowId),
      trigger: { kind: run.trigger_kind, entityId: run.trigger_entity_id === null ? null : Number(run.trigger_entity_id) }, ...(step.offer_id && { offerId: step.offer_id }),
      ...(segmentId !== undefined && { segmentId }),
    });
    return { go: step.next, outcome: 'queued', detail: step.template_id };
  },

  send_sms: async (step, context) => {
    if (context.run.holdout) return { go: step.next, outcome: 'held_out', detail: 'in the holdout: nothing sent' };
    context.messages.push(stepMessage(step, context));
    return { go: step.next, outcome: 'sms_queued' };
  },

  send_webhook: async (step, context) => {
    if (context.run.holdout) return { go: step.next, outcome: 'held_out', detail: 'in the holdout: nothing sent' };
    context.messages.push(stepMessage(step, context));
    return { go: step.next, outcome: 'webhook_queued' };
  },

  tag: async (step, { storeId, run, effects }) => {
    if (run.holdout) return { go: step.next, outcome: 'held_out', detail: 'in the holdout: profile unchanged' };
    const result = await effects.addTag(storeId, run.customer_id, step.tag);
    return { go: step.next, outcome: result, detail: step.tag };
  },

  set_attribute: async (step, { storeId, run, effects }) => {
    if (run.holdout) return { go: step.next, outcome: 'held_out', detail: 'in the holdout: profile unchanged' };
    const result = await effects.setAttribute(storeId, run.customer_id, step.attribute, step.value);
    return { go: step.next, outcome: result === 'set' ? 'attribute_set' : result, detail: `${step.attribute} = ${JSON.stringify(step.value)}` };
  },

  award_points: async (step, { storeId, flowId, run, effects, now }) => {
    if (run.holdout) return { go: step.next, outcome: 'held_out', detail: 'in the holdout: no points' };
    const result = await effects.awardPoints(storeId, { key: sendKeyOf(run.id, step.id), flowId, customerId: run.customer_id, points: step.points, reason: step.reason }, now);
    return { go: step.next, outcome: result.outcome, detail: result.detail };
  },

  notify_store: async (step, { storeId, flowId, run, effects }) => {
    if (run.holdout) return { go: step.next, outcome: 'held_out', detail: 'in the holdout: the store is not told' };
    const notice = await effects.notifyStore(storeId, {
      sendKey: sendKeyOf(run.id, step.id), flowId, to: step.to, subject: step.subject, message: step.message,
      run: { customer_id: run.customer_id, trigger_kind: run.trigger_kind, trigger_event_id: run.trigger_event_id === null ? null : Number(run.trigger_event_id) },
    });
    if (notice.outcome === 'no_address') return { go: step.next, outcome: 'no_team_address', detail: 'no address: set the store\'s reply-to address in Settings or name one in the step' };
    return { go: step.next, outcome: notice.outcome === 'queued' ? 'store_notified' : 'store_already_notified', detail: notice.to };
  },

  review_request: async (step, { storeId, run, effects }) => {
    if (run.holdout) return { go: step.next, outcome: 'held_out', detail: 'in the holdout: not asked' };
    // The `order.delivered` event names the order (its row id).
    const delivered = run.trigger_kind === 'order_delivered' ? run.trigger_entity_id : null;
    const result = await effects.requestReview(storeId, run.customer_id, delivered === null ? null : Number(delivered));
    return { go: step.next, outcome: result.outcome, detail: result.detail };
  },

  exit: async () => ({ go: undefined, outcome: 'exit' }),
};

export function runStep(step: Step, context: StepContext): Promise<StepResult> {
  return (handlers[step.type] as Handler<typeof step.type>)(step, context);
}

/** The reason a run must leave before its next step, if any (`exit_when`, checked before every step). */
export async function exitReason(
  conditions: readonly ExitCondition[],
  context: Pick<StepContext, 'run' | 'holds'>,
  facts: ExitFacts,
): Promise<string | undefined> {
  const { run } = context;
  for (const condition of conditions) {
    if (condition.kind === 'ordered') {
      // The order that triggered the run does not count.
      const triggering = run.trigger_kind === 'order_placed' ? run.trigger_entity_id : null;
      if ((facts.orders.get(run.customer_id) ?? []).some((o) => o.placed_at > run.entered_at && o.id !== triggering)) return 'ordered';
    } else if (condition.kind === 'unsubscribed') {
      if (facts.consent.get(run.customer_id) !== 'subscribed') return 'unsubscribed';
    } else if (await context.holds(condition.rule as FlowRule)) {
      return condition.name;
    }
  }
  return undefined;
}
