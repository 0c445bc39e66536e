/**
 * Pages seen before a lapse. The customers are those with a paid order whose last order (as of the
 * range's end) falls in the range. A customer has lapsed when more than the store's inactivity
 * threshold has passed since that order by the end of the range; the others stayed. For each, the
 * last N sessions that started before the lapse (lapsed) or before the end of the range (stayed)
 * are read — sessions that started up to the threshold before the range's start count too.
 * Customers with no session are left out. Per page: customers who saw it in those sessions, and
 * how many of them lapsed.
 *
 * Read from `journey_sessions` (journey.table.ts): a session is among its customer's last N before
 * a cutoff when it started before the cutoff and the customer's Nth next session did not.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { PageGrouping } from '../journey.query.js';
import { lapseCtes, pageLabel, type EventSpan } from './journey-events.sql.js';

export interface ExitChurnRow { page: string; customers: number; lapsed: number }

export async function exitChurn(db: Db, span: EventSpan, query: { inactivityDays: number; sessions: number; group: PageGrouping }): Promise<{ customers: number; lapsed: number; rows: ExitChurnRow[] }> {
  const s = span.storeId;
  const from = new Date(span.start.getTime() - query.inactivityDays * 86_400_000);
  const { rows } = await sql<{ page: string | null; customers: number; lapsed: number }>`
    with ${lapseCtes(span, query.inactivityDays)},
    last_sessions as (
      select x.customer_id, x.pages, p.lapsed from journey_sessions x join people p on p.customer_id = x.customer_id
      where x.store_id = ${s} and x.started >= ${from} and x.started < p.cutoff
        and coalesce(x.next_starts[cast(${query.sessions} as bigint)] >= p.cutoff, true)
    ),
    seen as (
      select distinct v.customer_id, v.lapsed, ${pageLabel(query.group, 'l')} as page
      from (select customer_id, lapsed, unnest(pages) as label from last_sessions) v join journey_labels l on l.store_id = ${s} and l.label = v.label
    ),
    counted as (select distinct customer_id, lapsed from last_sessions)
    select null as page, count(*) as customers, count(*) filter (where lapsed) as lapsed from counted
    union all
    select page, count(*), count(*) filter (where lapsed) from seen group by page
  `.execute(db);
  const total = rows.find((row) => row.page === null);
  return {
    customers: Number(total?.customers ?? 0), lapsed: Number(total?.lapsed ?? 0),
    rows: rows.filter((row) => row.page !== null).map((row) => ({ page: row.page!, customers: Number(row.customers), lapsed: Number(row.lapsed) })),
  };
}
