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
  const properties = needsProperties([query.anchor]);
  const source = properties ? sql`journey` : sql`journey_rows`;
  const at = (alias: string) => sql.raw(`struct_pack(ts := ${alias}.ts, id := ${alias}.id)`);
  // Only the anchored sessions' events after the anchor (or before it) are read. A step the same
  // as the one before it (in the span) is left out, unless it is the anchor again.
  const repeated = sql`p.label is not null and ${stepLabel(query.group, 'p')} = ${stepLabel(query.group, 'l')} and not ${matchesStep(query.anchor, span.storeId, 'r')}`;
  const { rows } = await sql<{ steps: string[] | null; sessions: number }>`
    with ${journeyCtes(span, { properties })},
    anchors as (
      select session, ${after ? sql`min` : sql`max`}(${at('j')}) as anchor from ${source} j
      where ${matchesStep(query.anchor, span.storeId, 'j')} group by session
    ),
    around as (
      select r.session, r.ts, r.id, ${stepLabel(query.group, 'l')} as label
      from ${source} r join anchors a on a.session = r.session
      join journey_labels l on l.store_id = ${span.storeId} and l.label = r.label
      left join journey_labels p on p.store_id = ${span.storeId} and p.label = case when r.prev_ts >= ${span.start} then r.prev_label end
      where ${at('r')} ${after ? sql`>` : sql`<`} a.anchor and not coalesce(${repeated}, false)
    ),
    sequences as (
      select a.session, ${after ? sql`arg_min` : sql`arg_max`}(w.label, ${at('w')}, ${sql.lit(query.steps)}) as steps
      from anchors a left join around w on w.session = a.session group by a.session
    )
    select steps, count(*) as sessions from sequences group by steps order by 2 desc, 1
  `.execute(db);
  const all = rows.map((row) => ({ steps: [...(row.steps ?? [])].map(String), sessions: Number(row.sessions) }));
  // Paths "before" are read backwards from the anchor; they are shown in time order.
  const ordered = after ? all : all.map((row) => ({ ...row, steps: [...row.steps].reverse() }));
  return { anchored: ordered.reduce((sum, row) => sum + row.sessions, 0), rows: ordered };
}
