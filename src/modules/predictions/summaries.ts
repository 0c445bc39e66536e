/**
 * Per-customer recency–frequency–monetary summaries from the orders table, the inputs of the
 * customer-base models. A purchase is a distinct calendar day (UTC) with at least one order that
 * was not cancelled: several orders on one day are one purchase, as in the models' papers, and the
 * day's value is the sum of its orders. For a calibration period ending on day E (inclusive):
 *   x   = purchase days after the first one (repeat purchases),
 *   t_x = days from the first to the last purchase day, T = days from the first purchase to E,
 * both divided by 7 in week units (as the CDNOW summaries do). Customers whose first purchase is
 * after E are not in the calibration cohort.
 */
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import type { TimeUnit } from './predictions.table.js';

export type { TimeUnit };

export const daysPerUnit = (unit: TimeUnit): number => (unit === 'week' ? 7 : 1);

export interface SummaryOptions {
  /** Last day of the calibration period, YYYY-MM-DD, inclusive. */
  calibrationEnd: string;
  timeUnit: TimeUnit;
  /** Last day of a holdout period (exclusive of calibrationEnd, inclusive of this day). */
  holdoutEnd?: string;
}

export interface CustomerSummaries {
  calibrationEnd: string;
  timeUnit: TimeUnit;
  customerId: Float64Array;
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** t_x and T in whole days (T is the customer's age at the calibration end). */
  txDays: Int32Array;
  ageDays: Int32Array;
  /** Mean value of the repeat purchase days, in minor units; 0 when x = 0. */
  meanRepeatValue: Float64Array;
  /** Purchase days and their value in the holdout period (zeros without a holdout). */
  holdoutPurchases: Float64Array;
  holdoutValue: Float64Array;
  length: number;
}

/** The columns of the summary query, in its select order; all read as doubles. */
const summaryColumns = ['customer_id', 'x', 'tx_days', 't_days', 'repeat_value', 'holdout_purchases', 'holdout_value'] as const;

/**
 * Reads the summaries of the store's customers. The result is streamed chunk by chunk (2,048
 * rows each) straight into typed columns, so a large store is read without one object per row
 * and without holding the event loop for long between chunks.
 */
export async function customerSummaries(storage: Storage, storeId: string, options: SummaryOptions): Promise<CustomerSummaries> {
  const { calibrationEnd, timeUnit } = options;
  const holdoutEnd = options.holdoutEnd ?? calibrationEnd;
  const columns = await storage.withReader(async (connection) => {
    const result = await connection.stream(`
      with days as (
        select customer_id, cast(placed_at as date) as day, sum(total) as value
        from orders
        where store_id = $1 and customer_id is not null and status <> 'cancelled'
          and cast(placed_at as date) <= cast($3 as date)
        group by customer_id, cast(placed_at as date)
      ),
      firsts as (
        select customer_id, min(day) as first_day from days group by customer_id
      ),
      calibration as (
        select d.customer_id, f.first_day,
          count(*) - 1 as x,
          max(d.day) - f.first_day as tx_days,
          sum(case when d.day > f.first_day then d.value else 0 end) as repeat_value
        from days d join firsts f on f.customer_id = d.customer_id
        where f.first_day <= cast($2 as date) and d.day <= cast($2 as date)
        group by d.customer_id, f.first_day
      ),
      holdout as (
        select customer_id, count(*) as purchases, sum(value) as value
        from days where day > cast($2 as date)
        group by customer_id
      )
      select c.customer_id::double, c.x::double, c.tx_days::double,
        (cast($2 as date) - c.first_day)::double,
        c.repeat_value::double,
        coalesce(h.purchases, 0)::double,
        coalesce(h.value, 0)::double
      from calibration c left join holdout h on h.customer_id = c.customer_id
      order by c.customer_id
    `, [storeId, calibrationEnd, holdoutEnd]);
    const chunks: number[][][] = [];
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      chunks.push(summaryColumns.map((_, i) => chunk!.getColumnValues(i) as number[]));
    }
    return chunks;
  });
  const n = columns.reduce((sum, chunk) => sum + chunk[0]!.length, 0);
  const unit = daysPerUnit(timeUnit);
  const summaries: CustomerSummaries = {
    calibrationEnd,
    timeUnit,
    customerId: new Float64Array(n),
    x: new Float64Array(n),
    tx: new Float64Array(n),
    T: new Float64Array(n),
    txDays: new Int32Array(n),
    ageDays: new Int32Array(n),
    meanRepeatValue: new Float64Array(n),
    holdoutPurchases: new Float64Array(n),
    holdoutValue: new Float64Array(n),
    length: n,
  };
  let i = 0;
  for (const [ids, xs, txDays, tDays, repeatValues, holdoutPurchases, holdoutValues] of columns) {
    summaries.customerId.set(ids!, i);
    summaries.x.set(xs!, i);
    summaries.txDays.set(txDays!, i);
    summaries.ageDays.set(tDays!, i);
    summaries.holdoutPurchases.set(holdoutPurchases!, i);
    summaries.holdoutValue.set(holdoutValues!, i);
    for (let j = 0; j < xs!.length; j += 1, i += 1) {
      const x = xs![j]!;
      summaries.tx[i] = txDays![j]! / unit;
      summaries.T[i] = tDays![j]! / unit;
      summaries.meanRepeatValue[i] = x > 0 ? repeatValues![j]! / x : 0;
    }
  }
  return summaries;
}

/** The latest order day of a store (YYYY-MM-DD), the default end of a fit's data. */
export async function lastOrderDay(storage: Storage, storeId: string): Promise<string | undefined> {
  const result = await sql<{ day: string | null }>`
    select cast(max(placed_at) as date) as day from orders
    where store_id = ${storeId} and customer_id is not null and status <> 'cancelled'
  `.execute(storage.read);
  const day = result.rows[0]?.day;
  return day ? String(day) : undefined;
}

/**
 * Repeat purchase days of the calibration cohort per holdout week (week 1 = the 7 days after the
 * calibration end), for the tracking comparison of the backtest.
 */
export async function holdoutWeeklyPurchases(storage: Storage, storeId: string, calibrationEnd: string, holdoutEnd: string): Promise<number[]> {
  const result = await sql<{ week: number; purchases: number }>`
    with days as (
      select customer_id, cast(placed_at as date) as day
      from orders
      where store_id = ${storeId} and customer_id is not null and status <> 'cancelled'
        and cast(placed_at as date) <= cast(${holdoutEnd} as date)
      group by customer_id, cast(placed_at as date)
    ),
    cohort as (
      select customer_id from days group by customer_id having min(day) <= cast(${calibrationEnd} as date)
    )
    select cast(floor((d.day - cast(${calibrationEnd} as date) - 1) / 7) as integer) + 1 as week, count(*) as purchases
    from days d join cohort c on c.customer_id = d.customer_id
    where d.day > cast(${calibrationEnd} as date)
    group by 1 order by 1
  `.execute(storage.read);
  const weeks = Math.ceil(dayDiff(calibrationEnd, holdoutEnd) / 7);
  const counts = new Array<number>(Math.max(weeks, 0)).fill(0);
  for (const row of result.rows) {
    const w = Number(row.week);
    if (w >= 1 && w <= counts.length) counts[w - 1] = Number(row.purchases);
  }
  return counts;
}

/** Whole days from `from` to `to` (YYYY-MM-DD). */
export function dayDiff(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
