/**
 * Keeps the analytics summaries in step with orders and returns: a full set-based rebuild in one
 * transaction, an incremental pass for what changed since the last watermark, and a cheap
 * staleness check the queries call before reading.
 */
import { storeSettings } from '../accounts/index.js';
import { sql } from 'kysely';
import type { Db, Tx } from '../../db/database.js';
import { notFound } from '../../lib/errors.js';
import { KeyedQueue } from '../../lib/keyed-queue.js';
import { applyDaily, compactDaily, dailyRows, deleteDaily } from './daily.repository.js';
import { applyLifecycleMarks, dropLifecycleMarks, lifecycleThreshold, rebuildLifecycleMarks } from './lifecycle.marks.js';
import { deleteScope, formerOwners, insertCustomerPeriods, insertCustomerSummary, insertOrderFacts, setScopeIds, type Scope } from './summaries.repository.js';

export interface SummaryState {
  store_id: string;
  orders_count: number;
  orders_updated_max: Date | null;
  returns_count: number;
  returns_created_max: Date | null;
  timezone: string;
  /** The store's last day with an order or return, in its time zone. */
  last_day: string | null;
  derived_inactivity_days: number | null;
  /** Rows of daily_next after the last compaction. */
  daily_rows_compacted: number;
  refreshed_at: Date;
}

/** Below this many changed customers the incremental pass is used; above it a rebuild is cheaper. */
const INCREMENTAL_LIMIT = 50_000;
/**
 * How long a "summaries are fresh" answer is trusted before the watermark is read again: reading
 * it counts the store's orders, so a dashboard's burst of requests pays for it once. Writes that
 * call onOrdersWritten are reflected at once.
 */
const FRESH_CHECK_MS = 5_000;

/**
 * What the summaries were built from. Read and compared inside SQL: the times have microsecond
 * precision, which a JavaScript Date would cut to milliseconds.
 */
const currentMark = (storeId: string) => sql`
  (select count(*) from orders where store_id = ${storeId}) as orders_count,
  (select max(updated_at) from orders where store_id = ${storeId}) as orders_updated_max,
  (select count(*) from returns where store_id = ${storeId}) as returns_count,
  (select max(created_at) from returns where store_id = ${storeId}) as returns_created_max`;

export class SummariesService {
  private readonly checkedAt = new Map<string, number>();
  /** One pass at a time per store. */
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly write: Db,
    private readonly read: Db,
    private readonly freshCheckMs = FRESH_CHECK_MS,
  ) {}

  async state(storeId: string, db: Db | Tx = this.read): Promise<SummaryState | undefined> {
    const { rows } = await sql<SummaryState>`select * from analytics_state where store_id = ${storeId}`.execute(db);
    return rows[0];
  }

  /** Rebuilds every summary of the store from orders and returns, in one transaction. */
  async refreshSummaries(storeId: string): Promise<SummaryState> {
    await this.serialise(storeId, () => this.rebuild(storeId).then(() => undefined));
    return (await this.state(storeId))!;
  }

  private async rebuild(storeId: string): Promise<SummaryState> {
    const state = await this.write.transaction().execute(async (tx) => {
      const timezone = await this.timezoneOf(tx, storeId);
      const compacted = await this.rebuildAll(tx, storeId, timezone);
      return this.saveState(tx, storeId, timezone, { compacted });
    });
    this.checkedAt.set(storeId, Date.now());
    return state;
  }

  /**
   * The writer's hook after a committed batch: recomputes the summaries of the customers (and
   * guest orders) whose orders or returns changed since the last watermark. `customerIds` are
   * added to what the watermark finds, for writers that change a customer without touching orders.
   */
  async onOrdersWritten(storeId: string, customerIds: readonly number[] = []): Promise<void> {
    await this.serialise(storeId, () => this.incremental(storeId, customerIds));
  }

  /** Brings the summaries up to date if orders or returns changed since they were built. */
  async ensureFresh(storeId: string): Promise<SummaryState> {
    const checked = this.checkedAt.get(storeId);
    const current = await this.state(storeId);
    if (current && checked !== undefined && Date.now() - checked < this.freshCheckMs) return current;
    if (current && (await this.isFresh(current))) {
      this.checkedAt.set(storeId, Date.now());
      return current;
    }
    await this.serialise(storeId, () => this.incremental(storeId, []));
    return (await this.state(storeId))!;
  }

  /**
   * Fresh summaries with lifecycle marks computed for `inactivityDays` (computed whole when the
   * store has none yet, or has them for another threshold).
   */
  async ensureLifecycle(storeId: string, inactivityDays: number): Promise<void> {
    await this.ensureFresh(storeId);
    if (await lifecycleThreshold(this.read, storeId) === inactivityDays) return;
    await this.serialise(storeId, async () => {
      if (await lifecycleThreshold(this.write, storeId) === inactivityDays) return;
      await this.write.transaction().execute((tx) => rebuildLifecycleMarks(tx, storeId, inactivityDays));
    });
  }

  private async isFresh(state: SummaryState): Promise<boolean> {
    const storeId = state.store_id;
    const { rows } = await sql<{ fresh: boolean }>`
      select s.timezone = (select timezone from stores where id = ${storeId}) and s.orders_count = m.orders_count and s.returns_count = m.returns_count
        and s.orders_updated_max is not distinct from m.orders_updated_max and s.returns_created_max is not distinct from m.returns_created_max as fresh
      from analytics_state s, (select ${currentMark(storeId)}) m where s.store_id = ${storeId}
    `.execute(this.read);
    return rows[0]?.fresh === true;
  }

  private serialise(storeId: string, work: () => Promise<void>): Promise<void> {
    return this.queue.run(storeId, work);
  }

  private async incremental(storeId: string, extraCustomers: readonly number[]): Promise<void> {
    const previous = await this.state(storeId, this.write);
    const timezone = await this.timezoneOf(this.write, storeId);
    const { rows: counts } = await sql<{ orders_count: number; returns_count: number }>`select ${currentMark(storeId)}`.execute(this.write);
    const mark = counts[0]!;
    // Deleted orders or returns, or a new time zone, change rows no watermark can find.
    if (!previous || previous.timezone !== timezone || mark.orders_count < previous.orders_count || mark.returns_count < previous.returns_count) {
      await this.rebuild(storeId);
      return;
    }
    await this.write.transaction().execute(async (tx) => {
      const since = sql`coalesce((select orders_updated_max from analytics_state where store_id = ${storeId}), timestamp '1970-01-01')`;
      const returnsSince = sql`coalesce((select returns_created_max from analytics_state where store_id = ${storeId}), timestamp '1970-01-01')`;
      const { rows: changed } = await sql<{ customer_id: number | null; order_id: number }>`
        select customer_id, id as order_id from orders where store_id = ${storeId} and updated_at > ${since}
      `.execute(tx);
      const { rows: touched } = await sql<{ customer_id: number | null }>`
        select coalesce(r.customer_id, o.customer_id) as customer_id from returns r
        left join orders o on o.store_id = r.store_id and o.id = r.order_id
        where r.store_id = ${storeId} and r.created_at > ${returnsSince}
      `.execute(tx);
      const changedOrderIds = changed.map((row) => row.order_id);
      const customers = new Set<number>(extraCustomers);
      for (const row of [...changed, ...touched]) if (row.customer_id !== null) customers.add(row.customer_id);
      let compacted = previous.daily_rows_compacted;
      if (customers.size > INCREMENTAL_LIMIT) {
        compacted = await this.rebuildAll(tx, storeId, timezone);
      } else if (customers.size || changedOrderIds.length || touched.length) {
        await setScopeIds(tx, [...customers], changedOrderIds);
        // An order that moved from one customer to another (a guest order claimed later) also
        // changes its former owner's summary.
        const former = await formerOwners(tx, storeId);
        if (former.some((id) => !customers.has(id))) await setScopeIds(tx, [...customers, ...former], changedOrderIds);
        const scope: Scope = { storeId, timezone, scoped: true };
        await applyDaily(tx, scope, -1);
        await applyLifecycleMarks(tx, scope, -1);
        await deleteScope(tx, scope);
        await this.build(tx, scope);
        await applyDaily(tx, scope, 1);
        await applyLifecycleMarks(tx, scope, 1);
        // Deltas pile up in the day-level tables; collapse them once they double.
        if (await dailyRows(tx, storeId) > 2 * compacted + 10_000) compacted = await compactDaily(tx, storeId);
      }
      await this.saveState(tx, storeId, timezone, { compacted, derived: previous.derived_inactivity_days });
    });
    this.checkedAt.set(storeId, Date.now());
  }

  /** Everything of the store from scratch; returns the day-level row count. */
  private async rebuildAll(tx: Tx, storeId: string, timezone: string): Promise<number> {
    const scope: Scope = { storeId, timezone, scoped: false };
    await deleteScope(tx, scope);
    await deleteDaily(tx, storeId);
    await dropLifecycleMarks(tx, storeId);
    await this.build(tx, scope);
    await applyDaily(tx, scope, 1);
    return dailyRows(tx, storeId);
  }

  private async build(tx: Tx, scope: Scope): Promise<void> {
    await insertOrderFacts(tx, scope);
    await insertCustomerSummary(tx, scope);
    await insertCustomerPeriods(tx, scope);
  }

  private async timezoneOf(db: Db | Tx, storeId: string): Promise<string> {
    const store = await storeSettings(db, storeId);
    if (!store) throw notFound(`Store "${storeId}"`);
    return store.timezone;
  }

  /**
   * The default inactivity threshold: the 90th percentile of days between a customer's
   * consecutive orders (at least a week), recomputed on every full rebuild.
   */
  private async saveState(tx: Tx, storeId: string, timezone: string, keep: { compacted: number; derived?: number | null }): Promise<SummaryState> {
    let derived = keep.derived;
    if (derived === undefined) {
      const { rows } = await sql<{ p90: number | null }>`
        select percentile_cont(0.9) within group (order by day - prev_day) as p90
        from order_facts where store_id = ${storeId} and is_order and seq >= 2
      `.execute(tx);
      const p90 = rows[0]?.p90;
      derived = p90 === null || p90 === undefined ? null : Math.max(7, Math.ceil(p90));
    }
    const { rows: last } = await sql<{ last_day: string | null }>`select max(day) as last_day from order_facts where store_id = ${storeId}`.execute(tx);
    await sql`delete from analytics_state where store_id = ${storeId}`.execute(tx);
    // The transaction holds the only writer, so the orders it read are the orders it records.
    await sql`
      insert into analytics_state
      select ${storeId}, m.orders_count, m.orders_updated_max, m.returns_count, m.returns_created_max, ${timezone},
        ${last[0]?.last_day ?? null}, ${derived ?? null}, ${keep.compacted}, ${new Date()}
      from (select ${currentMark(storeId)}) m
    `.execute(tx);
    return (await this.state(storeId, tx))!;
  }
}
