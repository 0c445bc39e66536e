/**
 * Exit pages of sessions without a purchase (no Order Completed in the session), of the sessions
 * that started in the range: for each page, the sessions that viewed it and the sessions that
 * ended on it (their last page view). Read from `journey_sessions` (journey.table.ts), which keeps
 * each session's pages and last page.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { PageGrouping } from '../journey.query.js';
import { pageLabel, type EventSpan } from './journey-events.sql.js';

export interface ExitPageRow { page: string; sessions: number; exits: number }

export async function exitPages(db: Db, span: EventSpan, grouping: PageGrouping): Promise<{ sessions: number; rows: ExitPageRow[] }> {
  const s = span.storeId;
  const { rows } = await sql<{ page: string | null; sessions: number; exits: number }>`
    with sessions as (
      select session, exit_label, pages from journey_sessions
      where store_id = ${s} and started >= ${span.start} and started < ${span.end} and not bought and exit_label is not null
    ),
    views as (
      select distinct v.session, ${pageLabel(grouping, 'l')} as page
      from (select session, unnest(pages) as label from sessions) v join journey_labels l on l.store_id = ${s} and l.label = v.label
    ),
    exits as (
      select ${pageLabel(grouping, 'l')} as page, count(*) as exits
      from sessions x join journey_labels l on l.store_id = ${s} and l.label = x.exit_label group by page
    )
    select null as page, count(*) as sessions, 0 as exits from sessions
    union all
    select v.page, v.sessions, coalesce(x.exits, 0) from (select page, count(*) as sessions from views group by page) v left join exits x on x.page = v.page
  `.execute(db);
  const total = rows.find((row) => row.page === null);
  return {
    sessions: Number(total?.sessions ?? 0),
    rows: rows.filter((row) => row.page !== null).map((row) => ({ page: row.page!, sessions: Number(row.sessions), exits: Number(row.exits) })),
  };
}
