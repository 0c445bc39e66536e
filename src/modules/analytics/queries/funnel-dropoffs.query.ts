/**
 * "Where did they go instead": for units that reached a step but not the next, what they did right
 * after the step they reached — the next page (by group) or tracked event in the same unit, or
 * "(left)" when nothing followed. Counts per step and label.
 */
import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { FunnelQuery } from '../journey.query.js';
import { funnelCtes } from './funnel-steps.sql.js';
import { stepLabel, type EventSpan } from './journey-events.sql.js';

export const LEFT = '(left)';

export interface DropoffRow { step: number; label: string; units: number }

export async function funnelDropoffs(db: Db, span: EventSpan, query: FunnelQuery): Promise<DropoffRow[]> {
  const n = query.steps.length;
  const reached = query.steps.map((_, i) => sql`select unit, ${i + 1} as k, t from ${sql.raw(`s${i + 1}`)}`);
  const { rows } = await sql<DropoffRow>`
    with ${funnelCtes(span, { ...query, breakdown: 'customer_type' })},
    reached as (${sql.join(reached, sql` union all `)}),
    dropped as (
      select r.unit, r.k, r.t from reached r
      where r.k < ${n} and not exists (select 1 from reached r2 where r2.unit = r.unit and r2.k = r.k + 1)
    ),
    following as (
      select d.unit, d.k, ${stepLabel('pattern')} as label,
        row_number() over (partition by d.unit, d.k order by u.ts, u.id) as rank
      from dropped d join units u on u.unit = d.unit and u.ts > d.t
    )
    select d.k as step, coalesce(f.label, ${LEFT}) as label, count(*) as units
    from dropped d left join following f on f.unit = d.unit and f.k = d.k and f.rank = 1
    group by 1, 2 order by 1, 3 desc, 2
  `.execute(db);
  return rows.map((row) => ({ step: Number(row.step), label: row.label, units: Number(row.units) }));
}
