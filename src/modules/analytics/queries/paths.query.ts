/**
 * Paths from (or to) a page or event: in each session that reaches the anchor, the N steps after
 * its first occurrence (or before its last one), with repeated steps (a reload, two products in a
 * row of the same group) collapsed into one. Returns each path with its sessions; the Sankey links
 * are summed from them.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { PathQuery } from '../journey.query.js';
import { journeyCtes, matchesStep, needsProperties, stepLabel, type EventSpan } from './journey-events.sql.js';

export interface PathRow { steps: string[]; sessions: number }

export async function paths(db: Db, span: EventSpan, query: PathQuery): Promise<{ anchored: number; rows: PathRow[] }> {
  const after = query.direction === 'after';
  const { rows } = await sql<{ steps: string[] | null; sessions: number }>`
    with ${journeyCtes(span, { properties: needsProperties([query.anchor]) })},
    labelled as (select session, id, ts, ${stepLabel(query.group)} as label, ${matchesStep(query.anchor, span.storeId)} as is_anchor from journey),
    collapsed as (
      select * from (select *, lag(label) over (partition by session order by ts, id) as previous from labelled)
      where previous is null or previous <> label or is_anchor
    ),
    anchors as (
      select session, ${after ? sql`min` : sql`max`}(struct_pack(ts := ts, id := id)) as anchor from collapsed where is_anchor group by session
    ),
    ranked as (
      select c.session, c.label, row_number() over (partition by c.session order by c.ts ${after ? sql`asc` : sql`desc`}, c.id ${after ? sql`asc` : sql`desc`}) as rank
      from collapsed c join anchors a on a.session = c.session
      where ${after ? sql`struct_pack(ts := c.ts, id := c.id) > a.anchor` : sql`struct_pack(ts := c.ts, id := c.id) < a.anchor`}
    ),
    sequences as (
      select a.session, list(r.label order by r.rank) filter (where r.rank <= ${query.steps}) as steps
      from anchors a left join ranked r on r.session = a.session group by a.session
    )
    select steps, count(*) as sessions from sequences group by steps order by 2 desc, 1
  `.execute(db);
  const all = rows.map((row) => ({ steps: [...(row.steps ?? [])].map(String), sessions: Number(row.sessions) }));
  // Paths "before" are read backwards from the anchor; they are shown in time order.
  const ordered = after ? all : all.map((row) => ({ ...row, steps: [...row.steps].reverse() }));
  return { anchored: ordered.reduce((sum, row) => sum + row.sessions, 0), rows: ordered };
}
