/**
 * "Where did they go instead": for units that reached a step but not the next, what they did right
 * after the step they reached — the next page (by group) or tracked event in the same unit, or
 * "(left)" when nothing followed. Counts per step and label.
 */
import { sql, type RawBuilder } from 'kysely';
import type { FunnelQuery } from '../journey.query.js';
import { stepLabel, type EventSpan } from './journey-events.sql.js';

export const LEFT = '(left)';

export interface DropoffRow { step: number; label: string; units: number }

/**
 * CTEs after `funnelCtes`: `dropoff_counts` (step, label, units). Read in the funnel's own query,
 * so the step chain is computed once for both.
 */
export function dropoffCtes(span: EventSpan, query: FunnelQuery): RawBuilder<unknown> {
  // Units that reached step k and not step k + 1, with the time they reached step k.
  const dropped = query.steps.slice(0, -1).map((_, i) => {
    const [here, next] = [sql.raw(`s${i + 1}`), sql.raw(`s${i + 2}`)];
    return sql`select ${here}.unit, ${i + 1} as k, ${here}.t from ${here} anti join ${next} on ${next}.unit = ${here}.unit`;
  });
  return sql`dropped as (${sql.join(dropped, sql` union all `)}),
    following as (
      select d.unit, d.k, arg_min(u.label, (u.ts, u.id)) as label from dropped d join units u on u.unit = d.unit and u.ts > d.t group by d.unit, d.k
    ),
    dropoff_counts as (
      select d.k as step, coalesce(${stepLabel('pattern', 'l')}, ${LEFT}) as label, count(*) as units
      from dropped d left join following f on f.unit = d.unit and f.k = d.k
      left join journey_labels l on l.store_id = ${span.storeId} and l.label = f.label
      group by 1, 2
    )`;
}
