/**
 * Flows: documents with versions (a draft that publishing freezes into version n+1; runs keep the
 * version they started on), statuses draft / live / paused, enrolment from domain events or by
 * hand, and the `flows.step` job that moves a store's due runs. The engine is `flow-engine.ts`;
 * the steps are `flow-steps.ts`.
 */
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, detailsFromZod, notFound, type ErrorDetail } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { localDay } from '../../lib/zoned-time.js';
import type { Logger } from '../../lib/logger.js';
import type { DomainEvent } from '../domain-events/index.js';
import { compileText } from '../messaging/index.js';
import { serviceEffects, type FlowEffects, type FlowServices } from './flow-effects.js';
import { FlowEngine, type BatchOutcome } from './flow-engine.js';
import { EVENT_ARRIVED, flowSource } from './flow-steps.js';
import { flowStats, type FlowStats } from './flow-stats.js';
import { dateMatches } from './date-triggers.js';
import { browsedOn, browseView, triggerMatches } from './flow-triggers.js';
import { durationMs, flowDocumentSchema, type FlowDocument, type FlowDocumentInput } from './flow.schema.js';
import { graphProblems } from './flow.validate.js';
import { flowsDb, type FlowRunTable, type FlowsDb, type FlowStatus, type FlowTable } from './flows.table.js';
import { inHoldout } from './hash.js';
import { appendSteps, insertRuns, storesWithActiveRuns, wakeWaiting, type NewRun } from './runs.repository.js';
import { runViewOf, type FlowSummary, type FlowView, type RunView } from './flow.view.js';

export const FLOW_STEP_JOB = 'flows.step';
/** Whether a product view was abandoned: runs when the browse-abandonment trigger's wait is over. */
export const FLOW_BROWSE_JOB = 'flows.browse';
/** Every hour per store: queues the day's date-trigger enrolment of each live flow with a date trigger, once per flow version and day. */
export const FLOW_DATES_JOB = 'flows.dates';
/** Enrols the customers whose day it is in one flow (one version, one store day). */
export const FLOW_DATE_JOB = 'flows.date';
/** Members read and enrolled at a time when a segment is enrolled by hand. */
const ENROL_PAGE = 5_000;

export interface DateEnrolment {
  storeId: string;
  flowId: string;
  version: number;
  /** The store's calendar day (YYYY-MM-DD). */
  day: string;
}

export interface BrowseCheck {
  storeId: string;
  flowId: string;
  customerId: number;
  /** The domain event of the view and its row in `events`. */
  eventId: number;
  viewId: number;
  /** When the product was viewed (ISO 8601). */
  viewedAt: string;
}

interface Enrolment {
  flow: { id: string; version: number; document: FlowDocument };
  customerId: number;
  key: string;
  kind: string;
  eventId: number | null;
  entityId: number | null;
}

export class FlowsService {
  private readonly write: FlowsDb;
  private readonly read: FlowsDb;
  private readonly engine: FlowEngine;
  private readonly documents = new Map<string, FlowDocument>();
  /** Enrolments run one at a time, so entry rules see the runs the previous one created. */
  private enrolling: Promise<unknown> = Promise.resolve();

  constructor(
    storage: Storage,
    private readonly jobs: JobQueue,
    private readonly clock: Clock,
    private readonly services: () => FlowServices,
    logger: Logger,
    effects: FlowEffects = serviceEffects(services),
  ) {
    this.write = flowsDb(storage.write);
    this.read = flowsDb(storage.read);
    this.engine = new FlowEngine(this.write, this.read, { document: (s, f, v) => this.document(s, f, v) }, effects, clock, logger);
  }

  // ── Documents ────────────────────────────────────────────────────────────

  /** Parses and checks a document: shape, graph, and what it refers to in the store. Problems name their path. */
  async validate(storeId: string, input: unknown): Promise<FlowDocument> {
    const parsed = flowDocumentSchema.safeParse(input);
    if (!parsed.success) throw new AppError('validation_failed', 'Invalid flow', detailsFromZod(parsed.error.issues).map((d) => ({ ...d, path: d.path === '(body)' ? 'document' : d.path })));
    const document = parsed.data;
    const problems: ErrorDetail[] = [...graphProblems(document)];
    const { templates, segments, offers } = this.services();
    const trigger = document.trigger;
    if (trigger.kind === 'segment_entered' || trigger.kind === 'segment_exited') {
      if (!(await segments.get(storeId, trigger.segment_id).catch(() => undefined))) problems.push({ path: 'trigger.segment_id', reason: `no segment "${trigger.segment_id}" in this store` });
    }
    const checkRule = async (rule: unknown, path: string) => {
      try {
        await segments.compile(storeId, rule, this.clock.now());
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const details = error.details.length ? error.details : [{ path: 'rule', reason: error.message }];
        problems.push(...details.map((d) => ({ path: d.path.replace(/^rule/, path), reason: d.reason })));
      }
    };
    for (const [i, condition] of document.exit_when.entries()) if (condition.kind === 'rule') await checkRule(condition.rule, `exit_when.${i}.rule`);
    for (const [i, step] of document.steps.entries()) {
      if (step.type === 'send_email') {
        const template = await templates.get(storeId, step.template_id).catch(() => undefined);
        if (!template) problems.push({ path: `steps.${i}.template_id`, reason: `no template "${step.template_id}" in this store` });
        else if (template.archived_at) problems.push({ path: `steps.${i}.template_id`, reason: `template "${template.name}" is archived` });
        if (step.offer_id) {
          const offer = await offers.get(storeId, step.offer_id).catch(() => undefined);
          if (!offer) problems.push({ path: `steps.${i}.offer_id`, reason: `no offer "${step.offer_id}" in this store` });
          else if (offer.status === 'ended') problems.push({ path: `steps.${i}.offer_id`, reason: `offer "${offer.name}" has ended` });
        }
      }
      if ((step.type === 'send_sms' || step.type === 'send_webhook') && step.text !== undefined) {
        const text = compileText(step.text);
        if (!text.ok) problems.push(...text.problems.map((p) => ({ ...p, path: `steps.${i}.text`, reason: `step "${step.id}"${p.line ? `, line ${p.line}${p.column ? `, column ${p.column}` : ''}` : ''}: ${p.reason}` })));
      }
      if (step.type === 'condition') await checkRule(step.rule, `steps.${i}.rule`);
    }
    if (problems.length) throw new AppError('validation_failed', 'Invalid flow', problems);
    return document;
  }

  async list(storeId: string): Promise<FlowSummary[]> {
    const rows = await this.read.selectFrom('flows').selectAll().where('store_id', '=', storeId).orderBy('created_at', 'desc').execute();
    const runs = await sql<{ flow_id: string; entrants: number; in_progress: number; holdout: number }>`
      select flow_id, count(*) as entrants, count(*) filter (where status = 'active') as in_progress, count(*) filter (where holdout) as holdout
      from flow_runs where store_id = ${storeId} group by flow_id`.execute(this.read);
    const messages = await sql<{ source: string; n: number }>`
      select source, count(*) as n from message_sends where store_id = ${storeId} and source like 'flow:%' group by source`.execute(this.read);
    const figures = new Map(runs.rows.map((r) => [r.flow_id, r]));
    const sent = new Map(messages.rows.map((r) => [r.source, Number(r.n)]));
    // Revenue is measured by the experiments module, from the sums it keeps per flow and arm.
    const measured = await this.services().experiments.flowResults(storeId, rows.map((r) => r.id), this.clock.now());
    return rows.map((row) => {
      const f = figures.get(row.id);
      const { revenue, incremental_revenue, ...measurement } = measured.get(row.id)!;
      return {
        id: row.id, name: row.name, status: row.status, live_version: row.live_version, trigger: (JSON.parse(row.draft) as FlowDocument).trigger,
        entrants: Number(f?.entrants ?? 0), in_progress: Number(f?.in_progress ?? 0), holdout: Number(f?.holdout ?? 0), messages: sent.get(flowSource(row.id)) ?? 0,
        revenue, incremental_revenue, measurement, created_at: row.created_at, updated_at: row.updated_at,
      };
    });
  }

  async get(storeId: string, id: string): Promise<FlowView> {
    const row = await this.row(storeId, id);
    const versions = await this.read.selectFrom('flow_versions').select(['version', 'published_at']).where('store_id', '=', storeId).where('flow_id', '=', id).orderBy('version').execute();
    return { id: row.id, name: row.name, status: row.status, live_version: row.live_version, document: JSON.parse(row.draft) as FlowDocument, versions, created_at: row.created_at, updated_at: row.updated_at };
  }

  /** `id`: a fixed id instead of a new one (the demo's, so that the holdout hash gives the same holdout on every build). */
  async create(storeId: string, input: { name: string; document: FlowDocumentInput; id?: string }): Promise<FlowView> {
    const document = await this.validate(storeId, input.document);
    const now = this.clock.now();
    const id = input.id ?? newId('flow');
    await this.write.insertInto('flows').values({ store_id: storeId, id, name: input.name, status: 'draft', draft: JSON.stringify(document), live_version: null, created_at: now, updated_at: now }).execute();
    return this.get(storeId, id);
  }

  /** Changes the draft (a live flow keeps running its published version until the next publish). */
  async update(storeId: string, id: string, patch: { name?: string; document?: FlowDocumentInput }): Promise<FlowView> {
    await this.row(storeId, id);
    const document = patch.document === undefined ? undefined : await this.validate(storeId, patch.document);
    await this.write.updateTable('flows')
      .set({ ...(patch.name !== undefined && { name: patch.name }), ...(document && { draft: JSON.stringify(document) }), updated_at: this.clock.now() })
      .where('store_id', '=', storeId).where('id', '=', id).execute();
    return this.get(storeId, id);
  }

  /** Freezes the draft as the next version and makes it live: new runs start on it, runs in progress keep theirs. */
  async publish(storeId: string, id: string): Promise<FlowView> {
    const row = await this.row(storeId, id);
    const document = await this.validate(storeId, JSON.parse(row.draft));
    const now = this.clock.now();
    await this.write.transaction().execute(async (tx) => {
      const last = await tx.selectFrom('flow_versions').select((eb) => eb.fn.max('version').as('v')).where('store_id', '=', storeId).where('flow_id', '=', id).executeTakeFirst();
      const version = Number(last?.v ?? 0) + 1;
      await tx.insertInto('flow_versions').values({ store_id: storeId, flow_id: id, version, document: JSON.stringify(document), published_at: now }).execute();
      await tx.updateTable('flows').set({ live_version: version, status: 'live', updated_at: now }).where('store_id', '=', storeId).where('id', '=', id).execute();
    });
    return this.get(storeId, id);
  }

  /** Paused: nobody enters and runs in progress hold at their step; resuming moves them on. */
  async setPaused(storeId: string, id: string, paused: boolean): Promise<FlowView> {
    const row = await this.row(storeId, id);
    if (row.live_version === null) throw new AppError('conflict', 'Publish the flow first', [{ path: 'status', reason: 'a draft that was never published cannot be paused or resumed' }]);
    const status: FlowStatus = paused ? 'paused' : 'live';
    await this.write.updateTable('flows').set({ status, updated_at: this.clock.now() }).where('store_id', '=', storeId).where('id', '=', id).execute();
    if (!paused) await this.wake(storeId, this.clock.now());
    return this.get(storeId, id);
  }

  /** Runs oldest first (`after`: ids above it), or newest first (`after`: ids below it). */
  async runs(storeId: string, flowId: string, options: { status?: FlowRunTable['status']; after?: number; limit?: number; order?: 'oldest' | 'newest' } = {}): Promise<{ data: RunView[]; next_after: number | null }> {
    await this.row(storeId, flowId);
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    const newest = options.order === 'newest';
    let query = this.read.selectFrom('flow_runs').selectAll().where('store_id', '=', storeId).where('flow_id', '=', flowId);
    if (options.after !== undefined) query = query.where('id', newest ? '<' : '>', options.after);
    if (options.status) query = query.where('status', '=', options.status);
    const rows = await query.orderBy('id', newest ? 'desc' : 'asc').limit(limit + 1).execute();
    const data = await this.withSteps(storeId, rows.slice(0, limit));
    return { data, next_after: rows.length > limit ? data.at(-1)!.id : null };
  }

  /**
   * Per step: runs that reached it, wait there and left the flow there (by reason); per edge: runs
   * that took it. The graph is the given version's, else the live one's, else the draft's.
   */
  async stats(storeId: string, flowId: string, version?: number): Promise<FlowStats> {
    const row = await this.row(storeId, flowId);
    const shown = version ?? row.live_version;
    const document = shown === null ? (JSON.parse(row.draft) as FlowDocument) : await this.document(storeId, flowId, shown);
    return flowStats(this.read, storeId, flowId, document, shown, version);
  }

  /** A customer's runs, newest first, each with what happened at its steps. */
  async customerRuns(storeId: string, customerId: number): Promise<RunView[]> {
    const customer = await this.read.selectFrom('customers').select('id').where('store_id', '=', storeId).where('id', '=', customerId).executeTakeFirst();
    if (!customer) throw notFound(`Customer ${customerId}`);
    const rows = await this.read.selectFrom('flow_runs').selectAll().where('store_id', '=', storeId).where('customer_id', '=', customerId).orderBy('id', 'desc').limit(200).execute();
    return this.withSteps(storeId, rows);
  }

  private async withSteps(storeId: string, rows: FlowRunTable[]): Promise<RunView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => Number(r.id));
    const steps = await this.read.selectFrom('flow_run_steps').select(['run_id', 'step_id', 'outcome', 'detail', 'recorded_at as at'])
      .where('store_id', '=', storeId).where('run_id', 'in', ids).orderBy('seq').execute();
    const byRun = new Map<number, typeof steps>();
    for (const s of steps) byRun.set(Number(s.run_id), [...(byRun.get(Number(s.run_id)) ?? []), s]);
    return rows.map((row) => runViewOf(row, byRun.get(Number(row.id)) ?? []));
  }

  // ── Enrolment ────────────────────────────────────────────────────────────

  /** Enrols the current members of a segment in a live flow (each once: entry rules apply). */
  async enrolSegment(storeId: string, flowId: string, segmentId: string, pageSize = ENROL_PAGE): Promise<{ members: number; enrolled: number }> {
    const row = await this.row(storeId, flowId);
    if (row.status !== 'live' || row.live_version === null) throw new AppError('conflict', 'The flow is not live', [{ path: 'status', reason: `is ${row.status}: publish or resume the flow first` }]);
    const members = await this.services().segments.memberIds(storeId, segmentId);
    const flow = { id: flowId, version: row.live_version, document: await this.document(storeId, flowId, row.live_version) };
    const batch = newId('enrol');
    // A page of members at a time, in customer order: a segment of a million holds only a page in memory.
    let counted = 0;
    let enrolled = 0;
    for (let after = 0; ;) {
      const { rows } = await sql<{ customer_id: number }>`select customer_id from (${members}) m where customer_id > ${after} order by customer_id limit ${pageSize}`.execute(this.read);
      if (rows.length === 0) break;
      counted += rows.length;
      after = Number(rows.at(-1)!.customer_id);
      enrolled += await this.enrol(storeId, rows.map((m) => ({
        flow, customerId: Number(m.customer_id), key: `${flowId}:${m.customer_id}:manual:${batch}`, kind: 'manual', eventId: null, entityId: null,
      })));
      if (rows.length < pageSize) break;
    }
    return { members: counted, enrolled };
  }

  /** The flows subscriber: starts runs for matching triggers and notes events that runs wait for. */
  async handleEvents(events: readonly DomainEvent[]): Promise<void> {
    const byStore = new Map<string, DomainEvent[]>();
    for (const event of events) byStore.set(event.storeId, [...(byStore.get(event.storeId) ?? []), event]);
    for (const [storeId, storeEvents] of byStore) {
      const live = await this.liveFlows(storeId);
      if (live.length === 0) continue;
      const enrolments: Enrolment[] = [];
      for (const event of storeEvents) {
        if (event.customerId === null) continue;
        for (const flow of live) {
          const trigger = flow.document.trigger;
          if (trigger.kind === 'browse_abandoned') {
            const view = await browseView(trigger, event, this.read);
            if (view) await this.scheduleBrowseCheck({ storeId, flowId: flow.id, customerId: event.customerId, eventId: event.id, viewId: view.id, viewedAt: view.at.toISOString() }, durationMs(trigger.wait));
            continue;
          }
          if (await triggerMatches(trigger, event, this.read)) {
            enrolments.push({ flow, customerId: event.customerId, key: `${flow.id}:${event.customerId}:event:${event.id}`, kind: flow.document.trigger.kind, eventId: event.id, entityId: event.entityId });
          }
        }
      }
      await this.noteAwaitedEvents(storeId, storeEvents.filter((e) => e.type === 'event.received'));
      await this.enrol(storeId, enrolments);
    }
  }

  /**
   * A view starts the browse-abandonment wait: one check per flow and customer is queued at a time
   * (a view during the wait adds nothing; the check looks at everything since the first view).
   */
  private async scheduleBrowseCheck(check: BrowseCheck, waitMs: number): Promise<void> {
    const runAt = new Date(Math.max(this.clock.now().getTime(), new Date(check.viewedAt).getTime() + waitMs));
    await this.jobs.enqueue(FLOW_BROWSE_JOB, check, { storeId: check.storeId, runAt, dedupeKey: `${FLOW_BROWSE_JOB}:${check.storeId}:${check.flowId}:${check.customerId}` });
  }

  /** The `flows.browse` job: enrols the viewer unless they added to a cart, started a checkout or ordered since the view (or the flow is no longer live). */
  async runBrowseCheck(check: BrowseCheck): Promise<{ enrolled: number; reason?: string }> {
    const row = await this.read.selectFrom('flows').select(['status', 'live_version']).where('store_id', '=', check.storeId).where('id', '=', check.flowId).executeTakeFirst();
    if (row?.status !== 'live' || row.live_version === null) return { enrolled: 0, reason: 'flow not live' };
    const document = await this.document(check.storeId, check.flowId, row.live_version);
    if (document.trigger.kind !== 'browse_abandoned') return { enrolled: 0, reason: 'trigger changed' };
    if (await browsedOn(this.read, check.storeId, check.customerId, new Date(check.viewedAt))) return { enrolled: 0, reason: 'went on to buy' };
    const enrolled = await this.enrol(check.storeId, [{
      flow: { id: check.flowId, version: row.live_version, document }, customerId: check.customerId,
      key: `${check.flowId}:${check.customerId}:event:${check.eventId}`, kind: 'browse_abandoned', eventId: check.eventId, entityId: check.viewId,
    }]);
    return { enrolled };
  }

  /**
   * The hourly `flows.dates` job: for each live flow with a date trigger, the enrolment of the
   * store's today — and of yesterday, which a stopped server may have missed, if the version was
   * live then — is queued once (its dedupe key names the flow, version and day).
   */
  async runDateTriggers(payload: { storeId: string }): Promise<{ queued: number }> {
    const { storeId } = payload;
    const now = this.clock.now();
    const zone = (await this.services().accounts.getStore(storeId)).timezone;
    const today = localDay(now, zone);
    const yesterday = localDay(new Date(now.getTime() - 86_400_000), zone);
    let queued = 0;
    for (const flow of await this.liveFlows(storeId)) {
      if (flow.document.trigger.kind !== 'date') continue;
      const published = await this.read.selectFrom('flow_versions').select('published_at').where('store_id', '=', storeId).where('flow_id', '=', flow.id).where('version', '=', flow.version).executeTakeFirst();
      const liveSince = published ? localDay(published.published_at, zone) : today;
      for (const day of [yesterday, today]) {
        if (day < liveSince) continue;
        const key = `${FLOW_DATE_JOB}:${storeId}:${flow.id}@${flow.version}:${day}`;
        if (await this.jobs.exists(key)) continue;
        await this.jobs.enqueue(FLOW_DATE_JOB, { storeId, flowId: flow.id, version: flow.version, day } satisfies DateEnrolment, { storeId, dedupeKey: key });
        queued += 1;
      }
    }
    return { queued };
  }

  /** The `flows.date` job: enrols everyone whose day it is (each once per day: the key names it; entry rules apply). */
  async runDateEnrolment(job: DateEnrolment): Promise<{ due: number; enrolled: number; reason?: string }> {
    const row = await this.read.selectFrom('flows').select(['status', 'live_version']).where('store_id', '=', job.storeId).where('id', '=', job.flowId).executeTakeFirst();
    if (row?.status !== 'live' || row.live_version !== job.version) return { due: 0, enrolled: 0, reason: 'flow not live on this version' };
    const document = await this.document(job.storeId, job.flowId, job.version);
    if (document.trigger.kind !== 'date') return { due: 0, enrolled: 0, reason: 'trigger changed' };
    const zone = (await this.services().accounts.getStore(job.storeId)).timezone;
    const { rows } = await sql<{ customer_id: number; entity_id: number | null }>`
      select customer_id, entity_id from (${dateMatches(job.storeId, document.trigger, zone, job.day, job.day)}) m order by customer_id`.execute(this.read);
    const flow = { id: job.flowId, version: job.version, document };
    const enrolled = await this.enrol(job.storeId, rows.map((r) => ({
      flow, customerId: Number(r.customer_id), key: `${job.flowId}:${r.customer_id}:date:${job.day}`, kind: 'date', eventId: null, entityId: r.entity_id === null ? null : Number(r.entity_id),
    })));
    return { due: rows.length, enrolled };
  }

  private enrol(storeId: string, enrolments: readonly Enrolment[]): Promise<number> {
    const run = this.enrolling.then(() => this.enrolNow(storeId, enrolments));
    this.enrolling = run.catch(() => undefined);
    return run;
  }

  private async enrolNow(storeId: string, enrolments: readonly Enrolment[]): Promise<number> {
    if (enrolments.length === 0) return 0;
    const now = this.clock.now();
    const flowIds = [...new Set(enrolments.map((e) => e.flow.id))];
    const customerIds = [...new Set(enrolments.map((e) => e.customerId))];
    // Earlier runs of these customers in these flows: one in progress, or the last entry, decide re-entry.
    const prior = new Map<string, { active: boolean; last: Date }>();
    for (let i = 0; i < customerIds.length; i += 5000) {
      const rows = await this.read.selectFrom('flow_runs').select(['flow_id', 'customer_id', 'status', 'entered_at'])
        .where('store_id', '=', storeId).where('flow_id', 'in', flowIds)
        .where('customer_id', 'in', sql<number>`(select unnest(${customerIds.slice(i, i + 5000)}::bigint[]))`).execute();
      for (const r of rows) {
        const key = `${r.flow_id}:${r.customer_id}`;
        const seen = prior.get(key);
        prior.set(key, { active: (seen?.active ?? false) || r.status === 'active', last: seen && seen.last > r.entered_at ? seen.last : r.entered_at });
      }
    }
    const runs: NewRun[] = [];
    for (const e of enrolments) {
      const key = `${e.flow.id}:${e.customerId}`;
      const before = prior.get(key);
      const entry = e.flow.document.entry;
      if (before && (before.active || entry.re_entry === 'never' || now.getTime() - before.last.getTime() < (entry.after_days ?? 0) * 86_400_000)) continue;
      prior.set(key, { active: true, last: now });
      runs.push({
        flow_id: e.flow.id, version: e.flow.version, customer_id: e.customerId, enrolment_key: e.key, trigger_kind: e.kind,
        trigger_event_id: e.eventId, trigger_entity_id: e.entityId, holdout: inHoldout(e.flow.id, e.customerId, e.flow.document.holdout_share),
        step_id: e.flow.document.steps[0]!.id,
      });
    }
    const created = await insertRuns(this.write, storeId, now, runs);
    await appendSteps(this.write, storeId, created.map((r) => ({ runId: r.id, stepId: null, outcome: 'entered', detail: r.holdout ? 'holdout' : null })), now);
    if (created.length) await this.wake(storeId, now);
    return created.length;
  }

  /** A tracked event arrived: runs of its customer waiting for it (at a wait_for_event step) move on. */
  private async noteAwaitedEvents(storeId: string, events: readonly DomainEvent[]): Promise<void> {
    const customers = [...new Set(events.map((e) => e.customerId).filter((id): id is number => id !== null))];
    if (customers.length === 0) return;
    const waiting = await this.read.selectFrom('flow_runs').select(['id', 'flow_id', 'version', 'customer_id', 'step_id'])
      .where('store_id', '=', storeId).where('status', '=', 'active').where('customer_id', 'in', customers).execute();
    const arrived: { runId: number; stepId: string }[] = [];
    for (const run of waiting) {
      const step = (await this.document(storeId, run.flow_id, run.version)).steps.find((s) => s.id === run.step_id);
      if (step?.type !== 'wait_for_event') continue;
      if (events.some((e) => e.customerId === Number(run.customer_id) && (e.data as { name: string | null }).name === step.event)) arrived.push({ runId: Number(run.id), stepId: step.id });
    }
    if (arrived.length === 0) return;
    const now = this.clock.now();
    await appendSteps(this.write, storeId, arrived.map((a) => ({ runId: a.runId, stepId: a.stepId, outcome: EVENT_ARRIVED })), now);
    await wakeWaiting(this.write, storeId, arrived.map((a) => a.runId), now);
    await this.wake(storeId, now);
  }

  // ── The step job ─────────────────────────────────────────────────────────

  /** Moves the store's due runs (one batch), then queues the next wake: at once if more are due, else at the next due time. */
  async runStepJob(payload: { storeId: string }): Promise<BatchOutcome> {
    const outcome = await this.engine.runDue(payload.storeId);
    const now = this.clock.now();
    if (outcome.more || (outcome.next_due && outcome.next_due <= now)) {
      // Behind the other stores' due jobs (the queue takes the earliest run_at first): none starves.
      await this.jobs.enqueue(FLOW_STEP_JOB, { storeId: payload.storeId }, { storeId: payload.storeId });
    } else if (outcome.next_due) {
      await this.wake(payload.storeId, outcome.next_due);
    }
    return outcome;
  }

  /** After a restart: every store with runs in progress gets a step job (a wake lost in a crash is found again). */
  async recover(): Promise<void> {
    for (const storeId of await storesWithActiveRuns(this.read)) await this.wake(storeId, this.clock.now());
  }

  private async wake(storeId: string, at: Date): Promise<void> {
    // A step job queued to start by then reads these runs when it starts (each page of a large
    // enrolment would otherwise queue a job of its own, ahead of other stores' jobs).
    if (await this.jobs.queuedBy(FLOW_STEP_JOB, storeId, at)) return;
    await this.jobs.enqueue(FLOW_STEP_JOB, { storeId }, { storeId, runAt: at, dedupeKey: `${FLOW_STEP_JOB}:${storeId}:${at.getTime()}` });
  }

  // ── Helpers ──────────────────────────────────────────────────────────────

  private async row(storeId: string, id: string): Promise<FlowTable> {
    const row = await this.read.selectFrom('flows').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`Flow ${id}`);
    return row;
  }

  private async liveFlows(storeId: string): Promise<Enrolment['flow'][]> {
    const rows = await this.read.selectFrom('flows').select(['id', 'live_version']).where('store_id', '=', storeId).where('status', '=', 'live').execute();
    return Promise.all(rows.map(async (r) => ({ id: r.id, version: r.live_version!, document: await this.document(storeId, r.id, r.live_version!) })));
  }

  /** A published version's document (a version never changes, so it is cached). */
  async document(storeId: string, flowId: string, version: number): Promise<FlowDocument> {
    const key = `${storeId}:${flowId}@${version}`;
    let found = this.documents.get(key);
    if (!found) {
      const row = await this.read.selectFrom('flow_versions').select('document').where('store_id', '=', storeId).where('flow_id', '=', flowId).where('version', '=', version).executeTakeFirst();
      if (!row) throw notFound(`Flow ${flowId} version ${version}`);
      found = flowDocumentSchema.parse(JSON.parse(row.document));
      this.documents.set(key, found);
    }
    return found;
  }
}
