/**
 * What became of the customers acquired in the range: second-order rate within 30/60/90 days of
 * the first (only customers whose first order is at least that many days before the store's last
 * day, so none is counted before they had the chance), median time to the second order, and
 * repeat rate with and without a return on the first order.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import { addDays, type Filters } from '../analytics.query.js';
import { attributeFilters } from '../filters.sql.js';
import { date } from './sql-helpers.js';

export const secondOrderWindows = [30, 60, 90] as const;

export interface KpiNewCustomers {
  newCustomers: number;
  secondOrderWithin: { days: number; eligible: number; customers: number }[];
  medianDaysToSecondOrder: number | null;
  firstOrderReturned: { customers: number; repeaters: number };
  firstOrderKept: { customers: number; repeaters: number };
}

export async function kpiNewCustomers(db: Db, storeId: string, range: { from: string; to: string }, lastDay: string, filters: Filters): Promise<KpiNewCustomers> {
  const windows = secondOrderWindows.map((days, i) => {
    const eligible = sql`c.first_day <= ${date(addDays(lastDay, -days))}`;
    return sql`count(*) filter (where ${eligible}) as ${sql.ref(`e${i}`)},
      count(*) filter (where ${eligible} and c.second_day - c.first_day <= ${days}) as ${sql.ref(`s${i}`)}`;
  });
  const { rows } = await sql<Record<string, number | null>>`
    select count(*) as n,
      percentile_cont(0.5) within group (order by c.second_day - c.first_day) as median,
      count(*) filter (where c.first_order_returned) as rc, count(*) filter (where c.first_order_returned and c.second_day is not null) as rr,
      count(*) filter (where not c.first_order_returned) as kc, count(*) filter (where not c.first_order_returned and c.second_day is not null) as kr,
      ${sql.join(windows)}
    from customer_summary c
    where c.store_id = ${storeId} and c.first_day between ${date(range.from)} and ${date(range.to)} ${attributeFilters(filters, 'c', storeId)}
  `.execute(db);
  const row = rows[0]!;
  return {
    newCustomers: row.n ?? 0,
    secondOrderWithin: secondOrderWindows.map((days, i) => ({ days, eligible: row[`e${i}`] ?? 0, customers: row[`s${i}`] ?? 0 })),
    medianDaysToSecondOrder: row.median ?? null,
    firstOrderReturned: { customers: row.rc ?? 0, repeaters: row.rr ?? 0 },
    firstOrderKept: { customers: row.kc ?? 0, repeaters: row.kr ?? 0 },
  };
}
