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
      select session, ${pageLabel(grouping)} as page, row_number() over (partition by session order by ts desc, id desc) as from_end
      from journey where type = 'page' and session not in (select session from buying)
    )
    select page, count(distinct session) as sessions, count(*) filter (where from_end = 1) as exits from views group by rollup (page)
  `.execute(db);
  const total = rows.find((row) => row.page === null);
  return {
    sessions: Number(total?.sessions ?? 0),
    rows: rows.filter((row) => row.page !== null).map((row) => ({ page: row.page!, sessions: Number(row.sessions), exits: Number(row.exits) })),
  };
}
