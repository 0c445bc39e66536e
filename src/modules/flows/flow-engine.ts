/**
 * The engine: runs the due steps of one store's runs, a batch at a time. Before every step the
 * flow's exit conditions are checked; then the step's handler says where the run goes or until
 * when it waits. A run moves through instant steps (conditions, splits, sends) in one go and stops
 * at a wait, which only sets its due time — the job queue wakes the store again then.
 *
 * Durability: a batch's effects are idempotent (emails, SMS and webhook messages by send key `flow:<run>:<step>`), and the
 * runs' new states and their step log are committed together after them. A crash in between
 * repeats the batch's steps, which repeats no effect.
 */
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { FlowEffects, FlowEmail, FlowMessage, FlowRule } from './flow-effects.js';
import { exitReason, runStep, sendKeyOf, type StepResult } from './flow-steps.js';
import type { FlowDocument, Step } from './flow.schema.js';
import type { FlowRunTable, FlowsDb } from './flows.table.js';
import { dueRuns, exitFacts, nextDue, saveProgress, type ExitFacts, type RunState, type StepLogEntry } from './runs.repository.js';

/** Most runs one job moves; more due runs get another job, queued behind other stores' jobs. */
export const RUNS_PER_JOB = 500;
/** A run passes through at most this many steps in one job (a graph without instant loops needs fewer). */
const STEPS_PER_RUN = 100;
/** What a send_sms or send_webhook step logs until its message's outcome is known. */
const QUEUED = new Set(['sms_queued', 'webhook_queued']);

export interface BatchOutcome {
  runs: number;
  steps: number;
  /** More runs were due than one job moves. */
  more: boolean;
  /** When the store's next run is due (to wake the store then). */
  next_due: Date | null;
}

export interface FlowVersions {
  document(storeId: string, flowId: string, version: number): Promise<FlowDocument>;
}

export class FlowEngine {
  constructor(
    private readonly write: FlowsDb,
    private readonly read: FlowsDb,
    private readonly versions: FlowVersions,
    private readonly effects: FlowEffects,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async runDue(storeId: string, limit = RUNS_PER_JOB): Promise<BatchOutcome> {
    const now = this.clock.now();
    const runs = await dueRuns(this.read, storeId, now, limit);
    const states: RunState[] = [];
    const log: StepLogEntry[] = [];
    const outbox: FlowEmail[] = [];
    const messages: FlowMessage[] = [];
    const facts = await exitFacts(this.read, storeId, runs, now);
    // A rule is evaluated once for every customer of the batch, the first time a run needs it.
    const customers = runs.map((r) => r.customer_id);
    const matching = new Map<string, Promise<Set<number>>>();
    const checked = new Map<string, Promise<void>>();
    const checkTemplate = (templateId: string) => {
      let found = checked.get(templateId);
      if (!found) checked.set(templateId, (found = this.effects.checkTemplate(storeId, templateId)));
      return found;
    };
    const holdsFor = (customerId: number) => async (rule: FlowRule) => {
      const key = JSON.stringify(rule);
      let found = matching.get(key);
      if (!found) matching.set(key, (found = this.effects.matching(storeId, rule, customers, now)));
      return (await found).has(customerId);
    };
    let steps = 0;
    for (const run of runs) {
      const document = await this.versions.document(storeId, run.flow_id, run.version);
      const moved = await this.advance(storeId, run, document, now, { log, outbox, messages, facts, holds: holdsFor(run.customer_id), checkTemplate });
      steps += moved.steps;
      states.push(moved.state);
    }
    // The messages first (idempotent by send key), then the states: a crash between repeats no message.
    await this.effects.sendEmails(storeId, outbox, now);
    const outcomes = await this.effects.sendMessages(storeId, messages, now);
    for (const entry of log) {
      const sent = entry.stepId === null || !QUEUED.has(entry.outcome) ? undefined : outcomes.get(sendKeyOf(entry.runId, entry.stepId));
      if (sent) Object.assign(entry, { outcome: sent.outcome, detail: sent.detail });
    }
    await saveProgress(this.write, storeId, states, log, now);
    const more = runs.length === limit;
    // With more due now, the next job comes at once: no need to look for the next due time.
    const due = more ? now : await nextDue(this.read, storeId);
    return { runs: runs.length, steps, more, next_due: due ?? null };
  }

  /** Moves one run as far as it goes now. */
  private async advance(
    storeId: string, run: FlowRunTable, document: FlowDocument, now: Date,
    batch: { log: StepLogEntry[]; outbox: FlowEmail[]; messages: FlowMessage[]; facts: ExitFacts; holds: (rule: FlowRule) => Promise<boolean>; checkTemplate: (id: string) => Promise<void> },
  ): Promise<{ state: RunState; steps: number }> {
    const { log, outbox, messages, facts, holds, checkTemplate } = batch;
    const byId = new Map(document.steps.map((s) => [s.id, s]));
    const state: RunState = {
      id: run.id, status: run.status, step_id: run.step_id, step_since: run.step_since ?? now, due_at: run.due_at, exit_reason: null, finished_at: null,
    };
    const finish = (status: 'completed' | 'exited', reason: string | null) => {
      Object.assign(state, { status, exit_reason: reason, step_id: null, due_at: null, finished_at: now });
    };
    let steps = 0;
    while (state.status === 'active') {
      const step: Step | undefined = state.step_id === null ? undefined : byId.get(state.step_id);
      if (!step) {
        finish('completed', null);
        log.push({ runId: run.id, stepId: null, outcome: 'completed' });
        break;
      }
      const context = {
        storeId, flowId: run.flow_id, run, since: state.step_since ?? now, now, read: this.read, effects: this.effects, outbox, messages, holds, checkTemplate,
        ...(document.trigger.kind === 'segment_entered' && { segmentId: document.trigger.segment_id }),
      };
      const reason = await exitReason(document.exit_when, context, facts);
      if (reason) {
        finish('exited', reason);
        log.push({ runId: run.id, stepId: step.id, outcome: 'exited', detail: reason });
        break;
      }
      if (steps >= STEPS_PER_RUN) {
        state.due_at = now;
        this.logger.warn({ run: run.id, flow: run.flow_id }, 'flow run stopped after the most steps per job; it continues in the next');
        break;
      }
      let result: StepResult;
      try {
        result = await runStep(step, context);
      } catch (error) {
        // A step that cannot run (its template was deleted, its rule refers to a removed segment)
        // ends this run, logged with the reason, instead of blocking the store's other runs.
        const message = error instanceof Error ? error.message : String(error);
        finish('exited', 'error');
        log.push({ runId: run.id, stepId: step.id, outcome: 'error', detail: message });
        break;
      }
      steps += 1;
      if ('waitUntil' in result) {
        state.due_at = result.waitUntil;
        break;
      }
      log.push({ runId: run.id, stepId: step.id, outcome: result.outcome, detail: result.detail ?? null });
      if (step.type === 'exit') {
        finish('completed', null);
        break;
      }
      state.step_id = result.go ?? null;
      state.step_since = now;
      state.due_at = now;
    }
    return { state, steps };
  }
}
