/**
 * Applies a `DataBatch` to one store in one transaction on the writer connection: validate,
 * stage (appender), merge (set-based SQL), count, commit — or roll back everything.
 *
 * The cost is a fixed number of statements per batch whatever its size, so a 50,000-order import
 * batch and a one-order webhook take the same path. Statements go to DuckDB several at a time
 * (the batch's parameters are bound once as session variables), because for a small write the
 * round trips, not the work, are what costs; a small batch that only adds takes a shorter way still
 * (`data-direct.ts`).
 */
import { timestampOf } from '../../db/timestamps.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Storage } from '../../db/database.js';
import { writeDirect } from './commerce.direct.js';
import { normaliseBatch } from './commerce.validation.js';
import {
  mergeTables, mergeVariables, customerStatements, type Step, orderAndReturnStatements, productStatements, summarySql,
} from './commerce.merge.js';
import { stageBatch, stagingTables, type Staged } from './commerce.staging.js';
import { customerEventSteps, orderEventSteps } from './commerce.events.js';
import { identitySteps } from './commerce.identity.js';
import { lifecycleEventSteps } from './lifecycle.events.js';
import {
  checkoutStatements, fulfillmentStatements, lifecycleMergeTables, lifecycleSummarySql, orderArrivalStatements,
} from './lifecycle.merge.js';
import type { CommerceBatch, WriteSummary } from './commerce.input.js';

export interface WriteOptions {
  /** Where the orders come from: api, import:<format>, segment, shopify, demo. Kept from the first write. */
  source?: string;
  /** The batch's timestamp (created_at / updated_at of what it writes); default now. */
  now?: Date;
}

export interface StagedWriteOptions extends WriteOptions {
  /**
   * Runs on the writing connection after the merge and before COMMIT, for rows that belong with
   * the write but are not commerce data (the demo's tracked-event history): they commit or roll
   * back with it. The merge's rows are in their tables by then, so it can resolve ids by external id.
   */
  after?: (connection: DuckDBConnection) => Promise<void>;
}

type Counts = WriteSummary['orders'];
const micros = timestampOf;
const zero = (): Counts => ({ created: 0, updated: 0, unchanged: 0 });
type Section = keyof WriteSummary;

/** Drops the batch's work tables and commits, in one call. */
const finishSql = [...[...stagingTables, ...mergeTables, ...lifecycleMergeTables].map((table) => `drop table if exists temp.main.${table}`), 'commit'].join(';\n');

interface Probe { new: number; changed: number; all: number }

/**
 * Sends statements in as few calls as it can. A step that depends on a resolved table having new
 * or changed rows forces the queued statements out together with one count of that table, so
 * no-op statements (each of which may scan a large table) are skipped without a round trip of
 * their own.
 */
class StatementQueue {
  private queued: string[] = [];
  private readonly probes = new Map<string, Probe>();

  constructor(private readonly connection: DuckDBConnection) {}

  add(sql: string): void {
    this.queued.push(sql);
  }

  async steps(steps: Step[]): Promise<void> {
    for (const step of steps) {
      if (step.needs) {
        const { table, rows } = step.needs;
        const probe = await this.probe(table);
        const wanted = rows === 'new' ? probe.new : rows === 'changed' ? probe.changed : probe.new + probe.changed;
        if (wanted === 0) continue;
        if (step.whenAll && probe.new + probe.changed === probe.all) {
          this.queued.push(step.whenAll);
          continue;
        }
      }
      this.queued.push(step.sql);
    }
  }

  /** Runs what is queued, then `query`, in one call; returns the query's rows. */
  async read(query: string): Promise<unknown[][]> {
    const text = [...this.queued, query].join(';\n');
    this.queued = [];
    const reader = await this.connection.runAndReadAll(text);
    return reader.getRows();
  }

  async flush(): Promise<void> {
    if (this.queued.length === 0) return;
    const text = this.queued.join(';\n');
    this.queued = [];
    await this.connection.run(text);
  }

  private async probe(table: string): Promise<Probe> {
    let probe = this.probes.get(table);
    if (!probe) {
      const [row] = await this.read(`select count(*) filter (where existing_id is null), count(*) filter (where changed), count(*) from ${table}`);
      const [created, changed, all] = (row ?? []).map((v) => Number(v ?? 0));
      probe = { new: created ?? 0, changed: changed ?? 0, all: all ?? 0 };
      this.probes.set(table, probe);
    }
    return probe;
  }
}

export interface WriterSettings {
  /** Let small add-only batches take the short way (`data-direct.ts`); off only to compare both ways. */
  direct?: boolean;
}

export class CommerceWriter {
  constructor(
    private readonly storage: Storage,
    private readonly settings: WriterSettings = {},
  ) {}

  /** All or nothing: a batch that fails validation or any statement leaves the store as it was. */
  async write(storeId: string, batch: CommerceBatch, options: WriteOptions = {}): Promise<WriteSummary> {
    const normal = normaliseBatch(batch);
    const now = options.now ?? new Date();
    return this.storage.withWriter(async (connection) => {
      const source = options.source ?? 'api';
      await connection.run('begin transaction');
      try {
        const direct = this.settings.direct === false ? undefined : await writeDirect(connection, storeId, normal, now, source);
        if (direct) {
          await connection.run('commit');
          return direct;
        }
        await connection.run(`set variable ${mergeVariables.store} = $value`, { value: storeId });
        await connection.run(`set variable ${mergeVariables.now} = $value`, { value: micros(now) });
        await connection.run(`set variable ${mergeVariables.source} = $value`, { value: source });
        await connection.run(`set variable ${mergeVariables.clock} = $value`, { value: micros(new Date()) });
        const summary = await mergeStaged(connection, await stageBatch(connection, normal));
        await connection.run(finishSql);
        return summary;
      } catch (error) {
        await connection.run('rollback').catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * Like `write`, for a caller that fills the staging tables itself (bulk SQL such as a whole
   * file's `read_csv`); its rows are trusted as already checked and merged the same way.
   */
  async writeStaged(storeId: string, fill: (connection: DuckDBConnection) => Promise<Staged>, options: StagedWriteOptions = {}): Promise<WriteSummary> {
    const now = options.now ?? new Date();
    return this.storage.withWriter(async (connection) => {
      await connection.run('begin transaction');
      try {
        await connection.run(`set variable ${mergeVariables.store} = $value`, { value: storeId });
        await connection.run(`set variable ${mergeVariables.now} = $value`, { value: micros(now) });
        await connection.run(`set variable ${mergeVariables.source} = $value`, { value: options.source ?? 'api' });
        await connection.run(`set variable ${mergeVariables.clock} = $value`, { value: micros(new Date()) });
        const summary = await mergeStaged(connection, await fill(connection));
        await options.after?.(connection);
        await connection.run(finishSql);
        return summary;
      } catch (error) {
        await connection.run('rollback').catch(() => undefined);
        throw error;
      }
    });
  }
}

/** Merges what is staged and reads the counts; the caller then runs `finishSql`. */
async function mergeStaged(connection: DuckDBConnection, staged: Staged): Promise<WriteSummary> {
  const queue = new StatementQueue(connection);
  const has = {
    customers: staged.counts.customers > 0,
    products: staged.counts.products > 0,
    returns: staged.counts.returns > 0,
    lineVariants: staged.lineVariants,
  };
  const summaries: [Section, string][] = [];
  if (has.customers) {
    await queue.steps(identitySteps({ orders: staged.counts.orders > 0, returns: has.returns }));
    await queue.steps(customerStatements());
    summaries.push(['customers', summarySql.customers]);
  }
  if (has.products) {
    await queue.steps(productStatements(staged.counts.variants > 0));
    summaries.push(['products', summarySql.products(staged.counts.variants > 0)]);
  }
  const ordersMerged = staged.counts.orders > 0 || staged.counts.returns > 0;
  const lifecycle = {
    orders: ordersMerged, refs: ordersMerged && staged.counts.orderRefs > 0,
    fulfillments: staged.counts.fulfillments > 0, checkouts: staged.counts.checkouts > 0,
  };
  if (ordersMerged) {
    await queue.steps(orderAndReturnStatements(has));
    summaries.push(['orders', summarySql.orders]);
    if (has.returns) summaries.push(['returns', summarySql.returns]);
    await queue.steps(orderArrivalStatements(lifecycle.refs));
  }
  if (lifecycle.fulfillments) {
    await queue.steps(fulfillmentStatements());
    summaries.push(['fulfillments', lifecycleSummarySql.fulfillments]);
  }
  if (lifecycle.checkouts) {
    await queue.steps(checkoutStatements());
    summaries.push(['checkouts', lifecycleSummarySql.checkouts]);
  }
  // The batch's domain events, in the same transaction, after every change they describe, stamped
  // with the time they are recorded (just before the commit; a large merge takes a while).
  await queue.flush();
  await connection.run(`set variable ${mergeVariables.clock} = $value`, { value: micros(new Date()) });
  if (has.customers) await queue.steps(customerEventSteps());
  if (ordersMerged) await queue.steps(orderEventSteps(has.returns));
  await queue.steps(lifecycleEventSteps(lifecycle));
  const summary: WriteSummary = { customers: zero(), products: zero(), orders: zero(), returns: zero() };
  if (summaries.length > 0) {
    // All counts in one query, read after every statement of the batch has run.
    const rows = await queue.read(summaries.map(([, text], i) => `select ${i} as section, * from (${text})`).join('\nunion all\n'));
    for (const row of rows) {
      const [index, created, updated, unchanged] = row.map((v) => Number(v ?? 0));
      summary[summaries[index!]![0]] = { created: created ?? 0, updated: updated ?? 0, unchanged: unchanged ?? 0 };
    }
  }
  await queue.flush();
  return summary;
}
