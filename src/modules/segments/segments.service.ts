/**
 * Segments: preview (count and a sample while editing), saved segments kept up to date with
 * every entry and exit recorded, built-in starting segments, members by cursor and as CSV.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Storage } from '../../db/database.js';
import type { JobQueue } from '../../jobs/queue.js';
import { AppError, notFound } from '../../lib/errors.js';
import { DAY_MS } from '../../lib/time.js';
import { newId } from '../../lib/ids.js';
import { builtinSegments } from './segment-builtins.js';
import { compileRule, type CompiledRule } from './segment.compiler.js';
import { fieldCatalog } from './segment-fields.js';
import { rfmScores } from './segment-rfm.js';
import { clearMembers, deleteSegmentData, refreshMembers, type RefreshOutcome } from './segment-refresh.js';
import { checkPersonasExist, personaIds } from './segment-personas.js';
import { readsChanges } from './segment-changes.js';
import type { StoreChanges } from '../domain-events/index.js';
import { pathOfKind, referencedSegments, type Rule } from './segment-rule.schema.js';
import { csvCell } from './segment-csv.js';
import { parseRule } from './segment-rule.validate.js';
import * as repo from './segments.repository.js';
import { segmentsDb, type SegmentsDb, type SegmentTable } from './segments.table.js';

export const SEGMENT_REFRESH_JOB = 'segments.refresh';
/** Segments whose rules read the clock are recomputed this often. */
export const SCHEDULED_REFRESH_MS = 60 * 60_000;

/**
 * When the segments follow a steady trickle of changes (unsubscribes during a campaign, orders
 * arriving all day), a store's refreshes take at most about a tenth of the time: once refreshes
 * run back to back (one starts within `factor × d` of the end of the one before, which took `d`),
 * the next waits until `factor × d` after the last ended (at most `maxGapMs`). A refresh shorter
 * than `minMs` (a small store) is not spaced out, nor one after a quiet spell. Before, each change
 * started a full refresh at once, and at 10,000 customers two unsubscribes a second kept one core
 * refreshing and halved a campaign's sending.
 */
export interface RefreshSpacing {
  minMs: number;
  factor: number;
  maxGapMs: number;
}

export const REFRESH_SPACING: RefreshSpacing = { minMs: 500, factor: 9, maxGapMs: 60_000 };

export interface SegmentView {
  id: string;
  name: string;
  description: string | null;
  rule: Rule;
  builtin_key: string | null;
  refresh_mode: 'on_change' | 'scheduled';
  member_count: number;
  refreshed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface Preview {
  count: number;
  sample: { id: number; external_id: string | null; email: string | null; name: string; country: string | null; why: Record<string, unknown> }[];
  refresh_mode: 'on_change' | 'scheduled';
  took_ms: number;
}

const viewOf = (row: SegmentTable): SegmentView => ({
  id: row.id, name: row.name, description: row.description, rule: JSON.parse(row.rule) as Rule, builtin_key: row.builtin_key,
  refresh_mode: row.refresh_mode, member_count: row.member_count, refreshed_at: row.refreshed_at, created_at: row.created_at, updated_at: row.updated_at,
});

/** What segments need from analytics: per-customer order summaries brought up to date on request. */
export interface OrderSummaries {
  ensureFresh(storeId: string): Promise<unknown>;
}

/** The store's segment rows and rules, and the checks already made, shared by the rules compiled in one run. */
interface CompileRun {
  storeId: string;
  rows: SegmentTable[];
  rules: Map<string, Rule>;
  checks: Map<string, Promise<unknown>>;
}

export class SegmentsService {
  private readonly write: SegmentsDb;
  private readonly read: SegmentsDb;

  /** Each store's last refresh after a change (this process): when it ended, how long it took, and whether it followed the one before at once. */
  private readonly lastRefresh = new Map<string, { endedAt: number; ms: number; backToBack: boolean }>();

  constructor(
    storage: Storage, private readonly jobs: JobQueue, private readonly summaries?: () => OrderSummaries | undefined,
    private readonly spacing: RefreshSpacing = REFRESH_SPACING,
  ) {
    this.write = segmentsDb(storage.write);
    this.read = segmentsDb(storage.read);
  }

  fields(): ReturnType<typeof fieldCatalog> {
    return fieldCatalog();
  }

  /** Validates, resolves referenced segments and checks the data the rule needs exists. */
  async compile(storeId: string, input: unknown, asOf = new Date(), selfId?: string): Promise<{ rule: Rule; compiled: CompiledRule }> {
    return this.compileIn(await this.compileRun(storeId), parseRule(input), asOf, selfId);
  }

  /** What compiling the store's rules reads, read once for a run of them (a refresh of every segment). */
  private async compileRun(storeId: string): Promise<CompileRun> {
    const all = await repo.listSegmentRows(this.read, storeId);
    return { storeId, rows: all, rules: new Map(all.map((row) => [row.id, JSON.parse(row.rule) as Rule])), checks: new Map() };
  }

  private async compileIn(run: CompileRun, rule: Rule, asOf: Date, selfId?: string): Promise<{ rule: Rule; compiled: CompiledRule }> {
    const { storeId, rules } = run;
    const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
      let found = run.checks.get(key) as Promise<T> | undefined;
      if (!found) run.checks.set(key, found = read());
      return found;
    };
    const summaryFresh = this.usesOrders(rule, rules) && await once('summaries', () => this.freshSummaries(storeId));
    const compiled = compileRule(rule, { storeId, asOf, segments: rules, summaryFresh, ...(selfId && { selfId }) });
    await checkPersonasExist(this.read, storeId, rule);
    if (compiled.uses.predictions) {
      const fitted = await once('predictions', () => this.read.selectFrom('customer_predictions').select('customer_id').where('store_id', '=', storeId).limit(1).executeTakeFirst());
      if (!fitted) throw new AppError('validation_failed', 'Invalid segment rule', [{ path: pathOfKind(rule, 'prediction', 'rule') ?? 'rule', reason: 'prediction conditions are not available until predictions are fitted for this store' }]);
    }
    if (compiled.uses.rfm) {
      const summarised = await once('rfm', () => sql`select 1 from customer_summary where store_id = ${storeId} limit 1`.execute(this.read));
      if (!summarised.rows.length) throw new AppError('validation_failed', 'Invalid segment rule', [{ path: pathOfKind(rule, 'rfm', 'rule') ?? 'rule', reason: 'RFM conditions are not available until the analytics summaries are computed for this store' }]);
    }
    return { rule, compiled };
  }

  async preview(storeId: string, input: unknown, options: { sampleSize?: number; asOf?: Date } = {}): Promise<Preview> {
    const started = performance.now();
    const { compiled } = await this.compile(storeId, input, options.asOf);
    const count = await this.count(storeId, compiled);
    const why = compiled.explain.length
      ? sql`, ${sql.join(compiled.explain.map((e, i) => sql`${e.value} as ${sql.raw(`why_${i}`)}`))}` : sql``;
    const rows = await sql<Record<string, unknown>>`
      select c.id, c.external_id, c.email, c.first_name, c.last_name, c.country ${why}
      from ${compiled.from} where c.store_id = ${storeId} and ${compiled.where}
      order by c.id limit ${options.sampleSize ?? 10}`.execute(this.read);
    const sample = rows.rows.map((row) => ({
      id: row.id as number, external_id: row.external_id as string | null, email: row.email as string | null,
      name: [row.first_name, row.last_name].filter(Boolean).join(' '), country: row.country as string | null,
      why: Object.fromEntries(compiled.explain.map((e, i) => [e.label, row[`why_${i}`]])),
    }));
    return { count, sample, refresh_mode: compiled.readsClock ? 'scheduled' : 'on_change', took_ms: Math.round(performance.now() - started) };
  }

  /** The size of a compiled rule's population (what the editor shows as it changes). */
  async count(storeId: string, compiled: CompiledRule): Promise<number> {
    const result = await sql<{ n: number }>`select count(*) as n from ${compiled.from} where c.store_id = ${storeId} and ${compiled.where}`.execute(this.read);
    return result.rows[0]?.n ?? 0;
  }

  async list(storeId: string): Promise<SegmentView[]> {
    await this.ensureBuiltins(storeId);
    return (await repo.listSegmentRows(this.read, storeId)).map(viewOf);
  }

  async get(storeId: string, id: string): Promise<SegmentView> {
    const segment = await this.find(storeId, id);
    if (!segment) throw notFound(`Segment ${id}`);
    return segment;
  }

  /** A segment by id, or undefined. */
  async find(storeId: string, id: string): Promise<SegmentView | undefined> {
    const row = await repo.findSegmentRow(this.read, storeId, id);
    return row && viewOf(row);
  }

  /**
   * Each customer's first segment among `segmentIds`, in that order, that they are in; one who is
   * in none of them (left since) gets the first. Segments deleted since are left out; with none
   * left, the map is empty.
   */
  async firstOf(storeId: string, segmentIds: readonly string[], customerIds: readonly number[]): Promise<Map<number, string>> {
    const existing = await repo.existingSegmentIds(this.read, storeId, segmentIds);
    const ordered = segmentIds.filter((id) => existing.has(id));
    if (!ordered.length) return new Map();
    const rank = new Map(ordered.map((id, i) => [id, i]));
    const first = new Map<number, string>();
    const pairs = ordered.length > 1 ? await repo.membershipsAmong(this.read, storeId, ordered, customerIds) : [];
    for (const pair of pairs) {
      const customer = Number(pair.customer_id);
      const held = first.get(customer);
      if (held === undefined || rank.get(pair.segment_id)! < rank.get(held)!) first.set(customer, pair.segment_id);
    }
    for (const id of customerIds) if (!first.has(id)) first.set(id, ordered[0]!);
    return first;
  }

  /** Saves a segment and computes its members at once (their entries are the first history). */
  async create(storeId: string, input: { name: string; description?: string | null; rule: unknown }, options: { builtinKey?: string; asOf?: Date } = {}): Promise<SegmentView> {
    const name = input.name.trim();
    if (!name) throw new AppError('validation_failed', 'Invalid segment', [{ path: 'name', reason: 'must not be empty' }]);
    const { rule, compiled } = await this.compile(storeId, input.rule, options.asOf);
    const now = new Date();
    const id = newId('seg');
    await this.write.insertInto('segments').values({
      store_id: storeId, id, name, description: input.description ?? null, rule: JSON.stringify(rule), builtin_key: options.builtinKey ?? null,
      refresh_mode: compiled.readsClock ? 'scheduled' : 'on_change', member_count: 0, refreshed_at: null, created_at: now, updated_at: now,
    }).execute();
    await this.refresh(storeId, id, options.asOf);
    return this.get(storeId, id);
  }

  async update(storeId: string, id: string, patch: { name?: string; description?: string | null; rule?: unknown }, asOf?: Date): Promise<SegmentView> {
    const current = await this.get(storeId, id);
    const set: Partial<SegmentTable> = { updated_at: new Date() };
    if (patch.name !== undefined) {
      if (!patch.name.trim()) throw new AppError('validation_failed', 'Invalid segment', [{ path: 'name', reason: 'must not be empty' }]);
      set.name = patch.name.trim();
    }
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.rule !== undefined) {
      // Compiled as this segment, so a rule that refers back to itself is caught as a loop.
      const { rule, compiled } = await this.compile(storeId, patch.rule, asOf, id);
      set.rule = JSON.stringify(rule);
      set.refresh_mode = compiled.readsClock ? 'scheduled' : 'on_change';
    }
    await this.write.updateTable('segments').set(set).where('store_id', '=', storeId).where('id', '=', current.id).execute();
    if (patch.rule !== undefined) await this.refresh(storeId, id, asOf);
    return this.get(storeId, id);
  }

  async remove(storeId: string, id: string): Promise<void> {
    await this.get(storeId, id);
    const users = (await repo.listSegmentRows(this.read, storeId)).filter((row) => row.id !== id && referencedSegments(JSON.parse(row.rule) as Rule).includes(id));
    if (users.length) throw new AppError('conflict', `Segment ${id} is used by ${users.map((u) => `"${u.name}"`).join(', ')}; change those first`);
    await deleteSegmentData(this.write, storeId, id);
  }

  /** Recomputes members; `asOf` is the clock the rule's windows are measured from. */
  async refresh(storeId: string, id: string, asOf = new Date()): Promise<RefreshOutcome> {
    const segment = await this.get(storeId, id);
    const { compiled } = await this.compile(storeId, segment.rule, asOf, id);
    return refreshMembers(this.write, storeId, id, compiled, asOf);
  }

  /**
   * Evaluates a segment on the data as it stood at a past moment `asOf` (orders, customers and
   * events recorded by then), recording its entries and exits at `asOf` and, like any refresh, as
   * domain events. `start` empties it first and records that first evaluation quietly (no events),
   * as a segment created then. The demo uses it to give the segments its flows listen to a past;
   * rules that read predictions, RFM scores or personas (known only for the present) are refused.
   */
  async refreshAsOf(storeId: string, id: string, asOf: Date, options: { start?: boolean } = {}): Promise<RefreshOutcome> {
    const all = await repo.listSegmentRows(this.read, storeId);
    const rules = new Map(all.map((row) => [row.id, JSON.parse(row.rule) as Rule]));
    const rule = rules.get(id);
    if (!rule) throw notFound(`Segment ${id}`);
    const compiled = compileRule(rule, { storeId, asOf, segments: rules, selfId: id, historical: true });
    if (options.start) await clearMembers(this.write, storeId, id, asOf);
    return refreshMembers(this.write, storeId, id, compiled, asOf, { replay: options.start === true });
  }

  /**
   * Rebuilds the history of segments as if they had existed since `from`: each is emptied, dated
   * `from`, and evaluated on the data as it stood every `everyDays` days until now, so entries and
   * exits carry the day they happened. Used by the demo, whose data arrives all at once. Segments
   * whose rules read predictions, RFM scores or personas (known only for the present) keep their
   * history; their names are returned as skipped.
   */
  async replayHistory(storeId: string, from: Date, everyDays: number, now = new Date()): Promise<{ replayed: string[]; skipped: string[] }> {
    const replayed: string[] = [];
    const skipped: string[] = [];
    const all = await repo.listSegmentRows(this.read, storeId);
    const rules = new Map(all.map((row) => [row.id, JSON.parse(row.rule) as Rule]));
    for (const row of all) {
      const at = (asOf: Date) => compileRule(rules.get(row.id)!, { storeId, asOf, segments: rules, selfId: row.id, historical: true });
      try {
        at(now);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        skipped.push(row.name);
        continue;
      }
      await clearMembers(this.write, storeId, row.id, from);
      for (let t = from.getTime(); t < now.getTime(); t += everyDays * DAY_MS) {
        await refreshMembers(this.write, storeId, row.id, at(new Date(t)), new Date(t), { replay: true });
      }
      await refreshMembers(this.write, storeId, row.id, at(now), now, { replay: true });
      replayed.push(row.name);
    }
    return { replayed, skipped };
  }

  /** Refreshes the store's segments (all, or only those of one refresh mode). A failing segment does not stop the others. */
  async refreshAll(storeId: string, options: { mode?: 'on_change' | 'scheduled'; asOf?: Date } = {}): Promise<{ id: string; outcome?: RefreshOutcome; error?: string }[]> {
    const results: { id: string; outcome?: RefreshOutcome; error?: string }[] = [];
    // The store's rules, whether summaries and predictions exist: read once for all its segments.
    const run = await this.compileRun(storeId);
    for (const row of run.rows) {
      if (options.mode && row.refresh_mode !== options.mode) continue;
      try {
        const asOf = options.asOf ?? new Date();
        const { compiled } = await this.compileIn(run, run.rules.get(row.id)!, asOf, row.id);
        results.push({ id: row.id, outcome: await refreshMembers(this.write, storeId, row.id, compiled, asOf) });
      } catch (error) {
        results.push({ id: row.id, error: error instanceof AppError ? `${error.message}: ${error.details.map((d) => d.reason).join('; ')}` : String(error) });
      }
    }
    return results;
  }

  /**
   * Called after customers, orders, returns or events change: refreshes the data-driven segments
   * soon. Given what changed, only when a data-driven segment can read one of the changes.
   */
  async onDataChanged(storeId: string, change?: Pick<StoreChanges, 'types' | 'fields'>): Promise<void> {
    if (change) {
      const { rows, rules } = await this.compileRun(storeId);
      // A store whose built-in segments are not made yet gets them from the refresh job.
      const builtinsMade = rows.some((row) => row.builtin_key !== null);
      if (builtinsMade && !rows.some((row) => row.refresh_mode === 'on_change' && readsChanges(rules.get(row.id)!, rules, change))) return;
    }
    // A change made while a refresh runs may come after that refresh read it: it queues the next.
    const last = this.lastRefresh.get(storeId);
    const notBefore = last?.backToBack && last.ms >= this.spacing.minMs ? last.endedAt + this.gapAfter(last.ms) : 0;
    const now = this.jobs.now().getTime();
    await this.jobs.enqueue(SEGMENT_REFRESH_JOB, { storeId, mode: 'on_change' }, {
      storeId, dedupeKey: `${SEGMENT_REFRESH_JOB}:${storeId}:on_change`, dedupeWhile: 'queued', ...(notBefore > now && { runAt: new Date(notBefore) }),
    });
  }

  /** The job handler: refreshes, and a scheduled run books the next one. */
  async runRefreshJob(payload: { storeId: string; mode?: 'on_change' | 'scheduled' }): Promise<unknown> {
    await this.ensureBuiltins(payload.storeId);
    const startedAt = this.jobs.now().getTime();
    const started = performance.now();
    const results = await this.refreshAll(payload.storeId, payload.mode ? { mode: payload.mode } : {});
    if (payload.mode === 'on_change') {
      const before = this.lastRefresh.get(payload.storeId);
      const backToBack = before !== undefined && startedAt - before.endedAt < this.gapAfter(before.ms);
      this.lastRefresh.set(payload.storeId, { endedAt: this.jobs.now().getTime(), ms: performance.now() - started, backToBack });
    }
    if (payload.mode === 'scheduled') await this.scheduleNext(payload.storeId, new Date(this.jobs.now().getTime() + SCHEDULED_REFRESH_MS));
    return { refreshed: results.filter((r) => r.outcome).length, failed: results.filter((r) => r.error) };
  }

  private gapAfter(ms: number): number {
    return Math.min(this.spacing.maxGapMs, this.spacing.factor * ms);
  }

  private async scheduleNext(storeId: string, runAt: Date): Promise<void> {
    // The running job holds its own dedupe key, so the next run's key carries its time.
    await this.jobs.enqueue(SEGMENT_REFRESH_JOB, { storeId, mode: 'scheduled' }, { storeId, runAt, dedupeKey: `${SEGMENT_REFRESH_JOB}:${storeId}:scheduled:${runAt.toISOString()}` });
  }

  /** Creates the built-in segments a store starts with, and moves them to prediction rules once predictions exist. */
  async ensureBuiltins(storeId: string, asOf?: Date): Promise<void> {
    const existing = new Map((await repo.listSegmentRows(this.read, storeId)).filter((r) => r.builtin_key).map((r) => [r.builtin_key!, r]));
    const fitted = await this.read.selectFrom('customer_predictions').select('customer_id').where('store_id', '=', storeId).limit(1).executeTakeFirst();
    let created = false;
    for (const builtin of builtinSegments) {
      const usePredictions = Boolean(fitted) || !builtin.fallback;
      const wanted = usePredictions ? builtin : { ...builtin, ...builtin.fallback! };
      const row = existing.get(builtin.key);
      if (!row) {
        await this.create(storeId, { name: builtin.name, description: wanted.description, rule: wanted.rule }, { builtinKey: builtin.key, ...(asOf && { asOf }) });
        created = true;
      } else if (usePredictions && builtin.fallback && row.rule === JSON.stringify(builtin.fallback.rule)) {
        await this.update(storeId, row.id, { name: builtin.name, description: builtin.description, rule: builtin.rule }, asOf);
      } else {
        // An earlier definition or name the store has not edited: moved to the current one.
        const oldRule = builtin.superseded?.rules?.some((rule) => row.rule === JSON.stringify(rule)) ?? false;
        const oldName = builtin.superseded?.names?.includes(row.name) ?? false;
        if (oldRule || oldName) {
          await this.update(storeId, row.id, {
            ...(oldName && { name: builtin.name }),
            ...(oldRule && { rule: wanted.rule }),
            ...((oldRule || row.rule === JSON.stringify(wanted.rule)) && { description: wanted.description }),
          }, asOf);
        }
      }
    }
    if (created) await this.scheduleNext(storeId, new Date(Date.now() + SCHEDULED_REFRESH_MS));
  }

  async members(storeId: string, id: string, options: { cursor?: string; limit?: number } = {}): Promise<{ data: repo.MemberRow[]; next_cursor: string | null }> {
    await this.get(storeId, id);
    const after = options.cursor ? Number(Buffer.from(options.cursor, 'base64url').toString()) : 0;
    if (!Number.isSafeInteger(after) || after < 0) throw new AppError('validation_failed', 'Invalid cursor', [{ path: 'query.cursor', reason: 'not a cursor returned by this endpoint' }]);
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    // One more than asked tells whether another page exists.
    const rows = await repo.memberPage(this.read, storeId, id, after, limit + 1);
    const data = rows.slice(0, limit);
    const last = data.at(-1);
    return { data, next_cursor: rows.length > limit && last ? Buffer.from(String(last.customer_id)).toString('base64url') : null };
  }

  /** The members of a segment as a subquery (`select customer_id …`) for lists that filter by it; 404 for an unknown segment. */
  async memberIds(storeId: string, id: string): Promise<RawBuilder<unknown>> {
    await this.get(storeId, id);
    return sql`select customer_id from segment_members where store_id = ${storeId} and segment_id = ${id}`;
  }

  /** Members as CSV lines (header first), read page by page so a large segment streams. */
  async *exportCsv(storeId: string, id: string): AsyncGenerator<string> {
    await this.get(storeId, id);
    // Revenue and predicted CLV in minor units, as the API gives them; empty predictions before a fit.
    yield 'customer_id,external_id,email,first_name,last_name,country,entered_at,orders,revenue,last_order_on,predicted_clv,p_alive,churn_risk\n';
    let after = 0;
    for (;;) {
      const page = await repo.memberFiguresPage(this.read, storeId, id, after, 5000);
      if (!page.length) return;
      yield page.map((m) => [
        m.customer_id, m.external_id, m.email, m.first_name, m.last_name, m.country, m.entered_at.toISOString(),
        m.orders, m.revenue, m.last_order_on, m.predicted_clv, m.p_alive, m.churn_risk,
      ].map(csvCell).join(',')).join('\n') + '\n';
      after = page.at(-1)!.customer_id;
    }
  }

  async changes(storeId: string, id: string, options: { after?: number; limit?: number } = {}): Promise<{ data: repo.HistoryRow[]; next_after: number | null }> {
    await this.get(storeId, id);
    const limit = Math.min(Math.max(options.limit ?? 500, 1), 5000);
    const data = await repo.historyPage(this.read, storeId, id, options.after ?? 0, limit);
    return { data, next_after: data.at(-1)?.id ?? null };
  }

  /** The size at the end of each of the last `days` days, from the day the segment began. */
  async sizeOverTime(storeId: string, id: string, days = 90, asOf = new Date()): Promise<{ day: string; size: number }[]> {
    const segment = await this.get(storeId, id);
    return repo.sizeByDay(this.read, storeId, id, segment.created_at, new Date(asOf.getTime() - (days - 1) * DAY_MS), asOf);
  }

  async membershipsOf(storeId: string, customerId: number): Promise<{ current: Awaited<ReturnType<typeof repo.membershipsOfCustomer>>; history: Awaited<ReturnType<typeof repo.historyOfCustomer>> }> {
    return { current: await repo.membershipsOfCustomer(this.read, storeId, customerId), history: await repo.historyOfCustomer(this.read, storeId, customerId) };
  }

  /** Whether the rule, or a segment it refers to, reads lifetime order metrics. */
  private usesOrders(rule: Rule, segments: ReadonlyMap<string, Rule>): boolean {
    return pathOfKind(rule, 'orders', '') !== undefined
      || referencedSegments(rule).some((id) => segments.has(id) && this.usesOrders(segments.get(id)!, segments));
  }

  /**
   * Lifetime order metrics are read from the analytics summary when it can be brought up to date;
   * otherwise (no analytics, or it fails) they are computed from the orders themselves.
   */
  private async freshSummaries(storeId: string): Promise<boolean> {
    const summaries = this.summaries?.();
    if (!summaries) return false;
    try {
      await summaries.ensureFresh(storeId);
      return true;
    } catch {
      return false;
    }
  }

  /** A customer's RFM scores and segment (null before the analytics summaries exist or without orders). */
  async rfmOf(storeId: string, customerId: number): Promise<{ r: number; f: number; m: number; segment: string } | null> {
    const result = await sql<{ r: number; f: number; m: number; segment: string }>`
      select r, f, m, segment from ${rfmScores(storeId)} x where x.customer_id = ${customerId}`.execute(this.read);
    return result.rows[0] ?? null;
  }

  /** Persona ids that saved segments refer to (directly). */
  async referencedPersonas(storeId: string): Promise<string[]> {
    const ids = new Set<string>();
    for (const row of await repo.listSegmentRows(this.read, storeId)) personaIds(JSON.parse(row.rule) as Rule).forEach((id) => ids.add(id));
    return [...ids];
  }
}
