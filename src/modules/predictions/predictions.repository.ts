/**
 * Storage of fits, backtests and per-customer predictions. Every query is scoped by store_id.
 * Predictions of a store are replaced as a whole at each refit, through DuckDB's appender (a
 * million rows in about a second).
 */
import { setImmediate } from 'node:timers/promises';
import { DuckDBDateValue, DuckDBTimestampValue } from '@duckdb/node-api';
import type { Storage } from '../../db/database.js';
import type { CustomerPredictionTable, PredictionBacktestTable, PredictionFitTable, PredictionTables } from './predictions.table.js';
import { churnRiskNames, type Scores } from './scoring.js';

const tables = (storage: Storage) => ({ read: storage.read.withTables<PredictionTables>(), write: storage.write.withTables<PredictionTables>() });

export async function insertFit(storage: Storage, row: PredictionFitTable): Promise<void> {
  await tables(storage).write.insertInto('prediction_fits').values(row).execute();
}

export async function insertBacktest(storage: Storage, row: PredictionBacktestTable): Promise<void> {
  await tables(storage).write.insertInto('prediction_backtests').values(row).execute();
}

export async function latestFit(storage: Storage, storeId: string): Promise<PredictionFitTable | undefined> {
  return tables(storage).read.selectFrom('prediction_fits').selectAll().where('store_id', '=', storeId)
    .orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}

export async function latestBacktest(storage: Storage, storeId: string): Promise<PredictionBacktestTable | undefined> {
  return tables(storage).read.selectFrom('prediction_backtests').selectAll().where('store_id', '=', storeId)
    .orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}

export async function customerPrediction(storage: Storage, storeId: string, customerId: number): Promise<CustomerPredictionTable | undefined> {
  return tables(storage).read.selectFrom('customer_predictions').selectAll()
    .where('store_id', '=', storeId).where('customer_id', '=', customerId).executeTakeFirst();
}

/** The predictions of the given customers (those that have one), a thousand per query. */
export async function customerPredictions(storage: Storage, storeId: string, customerIds: readonly number[]): Promise<Map<number, CustomerPredictionTable>> {
  const found = new Map<number, CustomerPredictionTable>();
  const unique = [...new Set(customerIds)];
  for (let i = 0; i < unique.length; i += 1000) {
    const rows = await tables(storage).read.selectFrom('customer_predictions').selectAll()
      .where('store_id', '=', storeId).where('customer_id', 'in', unique.slice(i, i + 1000)).execute();
    for (const row of rows) found.set(Number(row.customer_id), row);
  }
  return found;
}

const sortColumns = { clv: 'clv_12m', p_alive: 'p_alive', expected_orders: 'expected_orders_365d' } as const;
export type PredictionSort = keyof typeof sortColumns;

export async function listPredictions(storage: Storage, storeId: string, options: { limit: number; sort: PredictionSort }): Promise<CustomerPredictionTable[]> {
  // The sort column comes from the allow-list above, never from input.
  return tables(storage).read.selectFrom('customer_predictions').selectAll().where('store_id', '=', storeId)
    .orderBy(sortColumns[options.sort], 'desc').orderBy('customer_id').limit(options.limit).execute();
}

export async function churnRiskCounts(storage: Storage, storeId: string): Promise<Record<string, number>> {
  const rows = await tables(storage).read.selectFrom('customer_predictions').select(['churn_risk'])
    .select((eb) => eb.fn.countAll<number>().as('customers')).where('store_id', '=', storeId).groupBy('churn_risk').execute();
  return Object.fromEntries(rows.map((r) => [r.churn_risk, Number(r.customers)]));
}

/**
 * One prediction.band_changed per customer whose churn-risk band differs from the one before this
 * scoring (a customer scored for the first time has no previous band and no event).
 */
const bandChangesSql = `insert into domain_events (id, store_id, type, entity, entity_id, customer_id, data, occurred_at)
  select nextval('domain_events_id_seq'), $1, 'prediction.band_changed', 'prediction', null, p.customer_id,
    json_object('from', b.churn_risk, 'to', p.churn_risk, 'p_alive', p.p_alive,
      'direction', case when (case p.churn_risk when 'high' then 2 when 'medium' then 1 else 0 end)
        > (case b.churn_risk when 'high' then 2 when 'medium' then 1 else 0 end) then 'rose' else 'fell' end)::varchar, $2
  from customer_predictions p join previous_bands b on b.customer_id = p.customer_id
  where p.store_id = $1 and p.churn_risk is distinct from b.churn_risk order by p.customer_id`;

/** Rows appended between two turns of the event loop: about a millisecond of work. */
const rowsPerTurn = 256;

/**
 * Replaces the store's predictions with these scores (same order as `customerIds`), in one
 * transaction. The event loop gets a turn every few hundred rows, so the appending of a large
 * store's rows (about 4 µs each) never holds requests for long.
 */
export async function replacePredictions(
  storage: Storage, storeId: string, fitId: string, asOf: string, customerIds: ArrayLike<number>, scores: Scores, scoredAt: Date,
): Promise<void> {
  const asOfDays = Math.round(Date.parse(`${asOf}T00:00:00Z`) / 86_400_000);
  const scoredMicros = new DuckDBTimestampValue(BigInt(scoredAt.getTime()) * 1000n);
  await storage.withWriter(async (connection) => {
    await connection.run('begin transaction');
    try {
      // The bands before, for prediction.band_changed (DuckDB SQL, like the appender below).
      await connection.run(`create or replace temp table previous_bands as
        select customer_id, churn_risk from customer_predictions where store_id = $1`, [storeId]);
      await connection.run('delete from customer_predictions where store_id = $1', [storeId]);
      const appender = await connection.createAppender('customer_predictions');
      for (let i = 0; i < customerIds.length; i += 1) {
        appender.appendVarchar(storeId);
        appender.appendBigInt(BigInt(customerIds[i]!));
        appender.appendVarchar(fitId);
        appender.appendDouble(scores.pAlive[i]!);
        appender.appendDouble(scores.expected30[i]!);
        appender.appendDouble(scores.expected90[i]!);
        appender.appendDouble(scores.expected365[i]!);
        appender.appendDouble(scores.probability30[i]!);
        appender.appendDouble(scores.probability90[i]!);
        appender.appendDouble(scores.probability365[i]!);
        const value = scores.expectedOrderValue[i]!;
        if (Number.isFinite(value)) appender.appendBigInt(BigInt(Math.round(value)));
        else appender.appendNull();
        const clv = scores.clv12[i]!;
        if (Number.isFinite(clv)) appender.appendBigInt(BigInt(Math.round(clv)));
        else appender.appendNull();
        const next = scores.daysToNextOrder[i]!;
        if (Number.isFinite(next)) appender.appendDate(new DuckDBDateValue(asOfDays + Math.max(1, Math.ceil(next))));
        else appender.appendNull();
        appender.appendVarchar(churnRiskNames[scores.churnRisk[i]!]!);
        appender.appendTimestamp(scoredMicros);
        appender.endRow();
        if ((i + 1) % rowsPerTurn === 0) await setImmediate();
      }
      appender.closeSync();
      await connection.run(bandChangesSql, [storeId, scoredMicros]);
      await connection.run('drop table previous_bands');
      await connection.run('commit');
    } catch (error) {
      await connection.run('rollback');
      throw error;
    }
  });
}
