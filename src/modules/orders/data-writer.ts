/**
 * Applies a `DataBatch` to one store in one transaction on the writer connection: validate,
 * stage (appender), merge (set-based SQL), count, commit — or roll back everything.
 *
 * The cost is a fixed number of statements per batch whatever its size, so a 50,000-order import
 * batch and a one-order webhook take the same path.
 */
import { timestampValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { Store } from '../../db/database.js';
import { normaliseBatch } from './data-validation.js';
import { mergeTables, customerStatements, type Step, orderAndReturnStatements, productStatements, summarySql } from './data-merge.js';
import { stageBatch, stagingTables } from './data-staging.js';
import type { DataBatch, WriteSummary } from './orders.input.js';

export interface WriteOptions {
  /** Where the orders come from: api, import:<format>, segment, shopify, demo. Kept from the first write. */
  source?: string;
  /** The batch's timestamp (created_at / updated_at of what it writes); default now. */
  now?: Date;
}

type Counts = WriteSummary['orders'];
const zero = (): Counts => ({ created: 0, updated: 0, unchanged: 0 });

/** DuckDB refuses parameters a statement does not use, so pass only the named ones it mentions. */
function usedParams(text: string, params: Record<string, DuckDBValue>): Record<string, DuckDBValue> | undefined {
  const used: Record<string, DuckDBValue> = {};
  let any = false;
  for (const [name, value] of Object.entries(params)) {
    if (new RegExp(`\\$${name}\\b`).test(text)) {
      used[name] = value;
      any = true;
    }
  }
  return any ? used : undefined;
}

/** Runs merge steps, probing each resolved table once for new / changed rows to skip no-op statements. */
async function runSteps(connection: DuckDBConnection, steps: Step[], params: Record<string, DuckDBValue>): Promise<void> {
  const probes = new Map<string, { new: number; changed: number }>();
  for (const step of steps) {
    if (step.needs) {
      const { table, rows } = step.needs;
      let probe = probes.get(table);
      if (!probe) {
        const reader = await connection.runAndReadAll(
          `select count(*) filter (where existing_id is null), count(*) filter (where changed) from ${table}`);
        const [created, changed] = (reader.getRows()[0] ?? []).map((v) => Number(v ?? 0));
        probe = { new: created ?? 0, changed: changed ?? 0 };
        probes.set(table, probe);
      }
      const wanted = rows === 'new' ? probe.new : rows === 'changed' ? probe.changed : probe.new + probe.changed;
      if (wanted === 0) continue;
    }
    await connection.run(step.sql, usedParams(step.sql, params));
  }
}

async function counts(connection: DuckDBConnection, text: string): Promise<Counts> {
  const reader = await connection.runAndReadAll(text);
  const [created, updated, unchanged] = (reader.getRows()[0] ?? []).map((v) => Number(v ?? 0));
  return { created: created ?? 0, updated: updated ?? 0, unchanged: unchanged ?? 0 };
}

export class DataWriter {
  constructor(private readonly store: Store) {}

  /** All or nothing: a batch that fails validation or any statement leaves the store as it was. */
  async write(storeId: string, batch: DataBatch, options: WriteOptions = {}): Promise<WriteSummary> {
    const normal = normaliseBatch(batch);
    const now = options.now ?? new Date();
    const params: Record<string, DuckDBValue> = {
      store: storeId,
      now: timestampValue(BigInt(now.getTime()) * 1000n),
      source: options.source ?? 'api',
    };
    return this.store.withWriter(async (connection) => {
      await connection.run('begin transaction');
      try {
        const staged = await stageBatch(connection, normal);
        const summary: WriteSummary = { customers: zero(), products: zero(), orders: zero(), returns: zero() };
        const has = { customers: staged.customers > 0, products: staged.products > 0, returns: staged.returns > 0 };
        if (has.customers) {
          await runSteps(connection, customerStatements(), params);
          summary.customers = await counts(connection, summarySql.customers);
        }
        if (has.products) {
          await runSteps(connection, productStatements(staged.variants > 0), params);
          summary.products = await counts(connection, summarySql.products(staged.variants > 0));
        }
        if (staged.orders > 0 || staged.returns > 0) {
          await runSteps(connection, orderAndReturnStatements(has), params);
          summary.orders = await counts(connection, summarySql.orders);
          if (has.returns) summary.returns = await counts(connection, summarySql.returns);
        }
        await connection.run([...stagingTables, ...mergeTables].map((table) => `drop table if exists temp.main.${table};`).join('\n'));
        await connection.run('commit');
        return summary;
      } catch (error) {
        await connection.run('rollback').catch(() => undefined);
        throw error;
      }
    });
  }
}
