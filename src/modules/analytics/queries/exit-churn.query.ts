/**
 * Pages seen before a lapse. The customers are those with a paid order whose last order (as of the
 * range's end) falls in the range. A customer has lapsed when more than the store's inactivity
 * threshold has passed since that order by the end of the range; the others stayed. For each, the
 * last N sessions before the lapse (lapsed) or before the end of the range (stayed) are read —
 * sessions from up to the threshold before the range's start count too. Customers with no session
 * are left out. Per page: customers who saw it in those sessions, and how many of them lapsed.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { PageGrouping } from '../journey.query.js';
import { journeyCtes, lapseCtes, pageLabel, type EventSpan } from './journey-events.sql.js';

export interface ExitChurnRow { page: string; customers: number; lapsed: number }

export async function exitChurn(db: Db, span: EventSpan, query: { inactivityDays: number; sessions: number; group: PageGrouping }): Promise<{ customers: number; lapsed: number; rows: ExitChurnRow[] }> {
  const events = { storeId: span.storeId, start: new Date(span.start.getTime() - query.inactivityDays * 86_400_000), end: span.end };
  const { rows } = await sql<{ page: string | null; customers: number; lapsed: number }>`
    with ${journeyCtes(events)},
    ${lapseCtes(span, query.inactivityDays)},
    sessions as (
      select session, max(customer_id) as customer_id, min(ts) as started from journey_rows group by session
    ),
    last_sessions as (
      select * from (
        select s.session, s.customer_id, row_number() over (partition by s.customer_id order by s.started desc, s.session desc) as from_end
        from sessions s join people p on p.customer_id = s.customer_id where s.started < p.cutoff
      ) where from_end <= ${query.sessions}
    ),
    seen as (
      select distinct l.customer_id, ${pageLabel(query.group, 'j')} as page
      from last_sessions l join journey j on j.session = l.session where j.type = 'page'
    ),
    counted as (select distinct customer_id from last_sessions)
    select null as page, count(*) as customers, count(*) filter (where p.lapsed) as lapsed from counted c join people p using (customer_id)
    union all
    select s.page, count(*), count(*) filter (where p.lapsed) from seen s join people p using (customer_id) group by s.page
  `.execute(db);
  const total = rows.find((row) => row.page === null);
  return {
    customers: Number(total?.customers ?? 0), lapsed: Number(total?.lapsed ?? 0),
    rows: rows.filter((row) => row.page !== null).map((row) => ({ page: row.page!, customers: Number(row.customers), lapsed: Number(row.lapsed) })),
  };
}
