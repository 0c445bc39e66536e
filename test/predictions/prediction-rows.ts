/**
 * Hand-built customers, orders and prediction rows for the predictions read API's tests: the
 * figures are chosen, not fitted, so every expected number can be computed from them directly.
 */
import { sql } from 'kysely';
import type { Storage } from '../../src/db/database.js';
import type { CustomerPredictionTable, PredictionTables } from '../../src/modules/predictions/predictions.table.js';

export interface HandPrediction {
  pAlive: number;
  pOrder365: number;
  clv: number | null;
  risk: 'low' | 'medium' | 'high';
}

/** Customers 1…n of the store (ids offset by `idBase`), one prediction each, and their orders. */
export async function insertPredictions(
  storage: Storage, storeId: string, predictions: HandPrediction[],
  options: { idBase?: number; orders?: { customer: number; total: number; status?: string; placedAt: Date }[] } = {},
): Promise<number[]> {
  const base = options.idBase ?? 0;
  const now = new Date('2026-11-01T00:00:00Z');
  const ids = predictions.map((_, i) => base + i + 1);
  for (const id of ids) {
    await sql`insert into customers (store_id, id, external_id, email, first_name, last_name, country, created_at, updated_at)
      values (${storeId}, ${id}, ${`c${id}`}, ${`c${id}@example.com`}, ${'Cust'}, ${`No${id}`}, ${'US'}, ${now}, ${now})`.execute(storage.write);
  }
  const rows: CustomerPredictionTable[] = predictions.map((p, i) => ({
    store_id: storeId, customer_id: ids[i]!, fit_id: 'fit-hand', p_alive: p.pAlive,
    expected_orders_30d: 0, expected_orders_90d: 0, expected_orders_365d: 0, p_order_30d: 0, p_order_90d: 0, p_order_365d: p.pOrder365,
    expected_order_value: p.clv === null ? null : 2_000, clv_12m: p.clv, next_order_on: null, churn_risk: p.risk, scored_at: now,
  }));
  if (rows.length) await storage.write.withTables<PredictionTables>().insertInto('customer_predictions').values(rows).execute();
  let orderId = base * 10;
  for (const order of options.orders ?? []) {
    orderId += 1;
    await sql`insert into orders (store_id, id, external_id, customer_id, placed_at, currency, subtotal, total, status, created_at, updated_at)
      values (${storeId}, ${orderId}, ${`o${orderId}`}, ${base + order.customer}, ${order.placedAt}, ${'USD'}, ${order.total}, ${order.total},
        ${order.status ?? 'paid'}, ${now}, ${now})`.execute(storage.write);
  }
  return ids;
}

/** percentile_cont: linear interpolation between the closest ranks, as SQL defines it. */
export function percentileCont(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = p * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}
