/**
 * Exit pages of sessions without a purchase (no Order Completed in the session): for each page,
 * the sessions that viewed it and the sessions that ended on it (their last page view).
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { PageGrouping } from '../journey.query.js';
import { journeyCtes, pageLabel, type EventSpan } from './journey-events.sql.js';

export interface ExitPageRow { page: string; sessions: number; exits: number }

export async function exitPages(db: Db, span: EventSpan, grouping: PageGrouping): Promise<{ sessions: number; rows: ExitPageRow[] }> {
  const { rows } = await sql<{ page: string | null; sessions: number; exits: number }>`
    with ${journeyCtes(span)},
    buying as (select distinct session from journey where type = 'track' and name = 'Order Completed'),
    views as (
      select session, ${pageLabel(grouping)} as page, ts, id from journey where type = 'page' and session not in (select session from buying)
    ),
    -- Each session's last page view: an aggregate per session, not a sort of each session's views.
    exits as (select arg_max(page, (ts, id)) as page from views group by session)
    select v.page, v.sessions, coalesce(x.exits, 0) as exits
    from (select page, count(distinct session) as sessions from views group by rollup (page)) v
    left join (select page, count(*) as exits from exits group by page) x on x.page = v.page
  `.execute(db);
  const total = rows.find((row) => row.page === null);
  return {
    sessions: Number(total?.sessions ?? 0),
    rows: rows.filter((row) => row.page !== null).map((row) => ({ page: row.page!, sessions: Number(row.sessions), exits: Number(row.exits) })),
  };
}
