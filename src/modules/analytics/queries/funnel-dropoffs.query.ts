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
  // Units that reached step k and not step k + 1, with the time they reached step k.
  const dropped = query.steps.slice(0, -1).map((_, i) => {
    const [here, next] = [sql.raw(`s${i + 1}`), sql.raw(`s${i + 2}`)];
    return sql`select ${here}.unit, ${i + 1} as k, ${here}.t from ${here} anti join ${next} on ${next}.unit = ${here}.unit`;
  });
  const { rows } = await sql<DropoffRow>`
    with ${funnelCtes(span, { ...query, breakdown: 'customer_type' })},
    dropped as (${sql.join(dropped, sql` union all `)}),
    following as (
      select d.unit, d.k, arg_min(u.label, (u.ts, u.id)) as label from dropped d join units u on u.unit = d.unit and u.ts > d.t group by d.unit, d.k
    )
    select d.k as step, coalesce(${stepLabel('pattern', 'l')}, ${LEFT}) as label, count(*) as units
    from dropped d left join following f on f.unit = d.unit and f.k = d.k
    left join journey_labels l on l.store_id = ${span.storeId} and l.label = f.label
    group by 1, 2 order by 1, 3 desc, 2
  `.execute(db);
  return rows.map((row) => ({ step: Number(row.step), label: row.label, units: Number(row.units) }));
}
