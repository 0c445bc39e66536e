/**
 * The step chain both funnel queries share: for each counting unit (a session, or a person — a
 * customer, or an anonymous visitor not linked to one), the time it first reached step 1 and, for
 * each later step, the first time at or after the previous step (within the window from step 1).
 * CTEs `units`, `s1` … `sN` (unit, t0 = step 1's time, t); `s1` also has the unit's customer and,
 * with `breakdown=device`, the `device` of the event that reached step 1. `units` has the unit, its
 * customer (`unit_customer`: for a session, the session's), id, ts, label and device.
 */
import { sql, type RawBuilder } from 'kysely';
import type { FunnelQuery } from '../journey.query.js';
import { journeyCtes, matchesStep, needsProperties, type EventSpan } from './journey-events.sql.js';

export function funnelCtes(span: EventSpan, query: FunnelQuery): RawBuilder<unknown> {
  const unit = query.count === 'session' ? sql`session` : sql`coalesce('c:' || cast(customer_id as varchar), 'v:' || cast(visitor as varchar))`;
  // A session's customer is known from any of its events (the order identifies the whole session).
  const customer = query.count === 'session' ? sql`session_customer` : sql`customer_id`;
  const window = query.windowDays === null ? sql`` : sql` and u.ts <= p.t0 + to_days(cast(${query.windowDays} as bigint))`;
  const device = query.breakdown === 'device' ? sql`, arg_min(device, (ts, id)) as device` : sql``;
  // The unit's customer is the same on every event of the unit (a session's is the session's;
  // a person's is the person), so step 1's events tell it.
  const steps = query.steps.map((step, i) => (i === 0
    ? sql`s1 as (select unit, min(ts) as t0, min(ts) as t, max(unit_customer) as customer_id${device} from units where ${matchesStep(step, span.storeId)} group by unit)`
    : sql`${sql.raw(`s${i + 1}`)} as (
        select u.unit, min(p.t0) as t0, min(u.ts) as t from units u join ${sql.raw(`s${i}`)} p on p.unit = u.unit
        where ${matchesStep(step, span.storeId, 'u')} and u.ts >= p.t${window} group by u.unit)`));
  // Steps with property filters match on the events' own columns; the others on labels alone.
  const properties = needsProperties(query.steps);
  const columns = properties ? sql`*` : sql`id, ts, label, device`;
  return sql`${journeyCtes(span, { properties })},
    units as not materialized (select ${unit} as unit, ${customer} as unit_customer, ${columns} from ${properties ? sql`journey` : sql`journey_rows`}),
    ${sql.join(steps, sql`, `)}`;
}
