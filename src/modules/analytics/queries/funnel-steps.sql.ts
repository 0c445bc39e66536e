/**
 * The step chain both funnel queries share: for each counting unit (a session, or a person — a
 * customer, or an anonymous visitor not linked to one), the time it first reached step 1 and, for
 * each later step, the first time at or after the previous step (within the window from step 1).
 * CTEs `units`, `s1` … `sN` (unit, t0 = step 1's time, t); with `breakdown=device`, `s1` also
 * has the `device` of the event that reached step 1. `units` has the journey's columns, the unit
 * and its customer (`unit_customer`: for a session, the session's).
 */
import { sql, type RawBuilder } from 'kysely';
import type { FunnelQuery } from '../journey.query.js';
import { journeyCtes, matchesStep, needsProperties, type EventSpan } from './journey-events.sql.js';

export function funnelCtes(span: EventSpan, query: FunnelQuery): RawBuilder<unknown> {
  const unit = query.count === 'session' ? sql`session` : sql`coalesce('c:' || cast(customer_id as varchar), 'v:' || cast(visitor as varchar))`;
  // A session's customer is known from any of its events (the order identifies the whole session).
  const customer = query.count === 'session' ? sql`session_customer` : sql`customer_id`;
  const window = query.windowDays === null ? sql`` : sql` and u.ts <= p.t0 + to_days(cast(${query.windowDays} as bigint))`;
  const steps = query.steps.map((step, i) => (i === 0
    ? (query.breakdown === 'device'
      ? sql`s1 as (select unit, min(ts) as t0, min(ts) as t, arg_min(device, (ts, id)) as device from units where ${matchesStep(step, span.storeId)} group by unit)`
      : sql`s1 as (select unit, min(ts) as t0, min(ts) as t from units where ${matchesStep(step, span.storeId)} group by unit)`)
    : sql`${sql.raw(`s${i + 1}`)} as (
        select u.unit, min(p.t0) as t0, min(u.ts) as t from units u join ${sql.raw(`s${i}`)} p on p.unit = u.unit
        where ${matchesStep(step, span.storeId, 'u')} and u.ts >= p.t${window} group by u.unit)`));
  return sql`${journeyCtes(span, { properties: needsProperties(query.steps) })},
    units as (select ${unit} as unit, ${customer} as unit_customer, * from journey),
    ${sql.join(steps, sql`, `)}`;
}
