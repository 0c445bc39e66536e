/**
 * What became of the customers acquired in the range: second-order rate within 30/60/90 days of
 * the first (only customers whose first order is at least that many days before the store's last
 * day, so none is counted before they had the chance), median time to the second order, and
 * repeat rate with and without a return on the first order.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import { addDays } from '../analytics.query.js';
import { histogramPercentile, type KpiSources } from './kpi-sources.js';
import { date } from './sql-helpers.js';

export const secondOrderWindows = [30, 60, 90] as const;

export interface KpiNewCustomers {
  newCustomers: number;
  secondOrderWithin: { days: number; eligible: number; customers: number }[];
  medianDaysToSecondOrder: number | null;
  firstOrderReturned: { customers: number; repeaters: number };
  firstOrderKept: { customers: number; repeaters: number };
}

interface Row { first_day: string; days_to_second: number | null; first_order_returned: boolean; customers: number }

export async function kpiNewCustomers(db: Db, sources: KpiSources, range: { from: string; to: string }, lastDay: string): Promise<KpiNewCustomers> {
  // At most one row per (first day, days to second order, returned): small enough to finish in JS.
  const { rows } = await sql<Row>`
    select first_day, days_to_second, first_order_returned, sum(customers) as customers
    from ${sources.fresh} f where first_day between ${date(range.from)} and ${date(range.to)}
    group by 1, 2, 3
  `.execute(db);
  const sum = (list: Row[]) => list.reduce((total, r) => total + r.customers, 0);
  const returned = rows.filter((r) => r.first_order_returned);
  const kept = rows.filter((r) => !r.first_order_returned);
  return {
    newCustomers: sum(rows),
    secondOrderWithin: secondOrderWindows.map((days) => {
      const eligible = rows.filter((r) => r.first_day <= addDays(lastDay, -days));
      return { days, eligible: sum(eligible), customers: sum(eligible.filter((r) => r.days_to_second !== null && r.days_to_second <= days)) };
    }),
    medianDaysToSecondOrder: histogramPercentile(rows.filter((r) => r.days_to_second !== null).map((r) => ({ value: r.days_to_second!, count: r.customers })), 0.5),
    firstOrderReturned: { customers: sum(returned), repeaters: sum(returned.filter((r) => r.days_to_second !== null)) },
    firstOrderKept: { customers: sum(kept), repeaters: sum(kept.filter((r) => r.days_to_second !== null)) },
  };
}
