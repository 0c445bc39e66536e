/**
 * The browsing the journey reports read, as a common table expression over `journey_events` (page
 * and track events with the customer they belong to, their session, device and label; see
 * journey.table.ts), and the step matching and labels the reports share. DuckDB SQL.
 */
import { sql, type RawBuilder } from 'kysely';
import { offsetAt } from '../local-day.js';
import { globToLike, type FunnelStep, type Matcher, type PageGrouping, type PropertyFilter } from '../journey.query.js';

export interface EventSpan { storeId: string; start: Date; end: Date }

/** The UTC instant a local day starts at in a time zone. */
export function localDayStart(day: string, timezone: string): Date {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  const wall = Date.parse(`${day}T00:00:00Z`);
  const guess = wall - offsetAt(format, wall) * 1000;
  return new Date(wall - offsetAt(format, guess) * 1000);
}

/** The instant a local day range [from, to] starts and the instant after it ends. */
export function spanOf(range: { from: string; to: string }, timezone: string): { start: Date; end: Date } {
  const next = new Date(Date.parse(`${range.to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return { start: localDayStart(range.from, timezone), end: localDayStart(next, timezone) };
}

/**
 * URL groups, first match wins, tested on the lower-cased path. Documented in docs/metrics.md
 * ("Page groups"); a path no group matches is shown as itself.
 */
export const PAGE_GROUPS: readonly { label: string; pattern: string }[] = [
  { label: 'Home', pattern: '^/$' },
  { label: 'Product pages', pattern: '^/products/' },
  { label: 'Collections', pattern: '^/collections(/|$)' },
  { label: 'Search', pattern: '^/search' },
  { label: 'Cart', pattern: '^/cart' },
  { label: 'Checkout', pattern: '^/checkout' },
  { label: 'Account', pattern: '^/account' },
  { label: 'Returns policy', pattern: 'return|refund' },
  { label: 'Delivery information', pattern: 'delivery|shipping' },
  { label: 'Help and FAQ', pattern: 'faq|help|contact|support' },
  { label: 'Blog', pattern: '^/blogs?/' },
];

/** What besides the always-read columns a report needs of each event. */
export interface JourneyColumns { properties?: boolean }

/** True when a step has a property filter, so the events' properties must be read. */
export const needsProperties = (steps: FunnelStep[]): boolean => steps.some((s) => s.anyOf.some((m) => (m.filters?.length ?? 0) > 0));

/**
 * `journey_rows`: the store's browsing in the span as kept in `journey_events` (journey.table.ts,
 * which the caller refreshes first) — customer_id, session_customer (the session's customer, known
 * from any of its events), visitor, session, id, ts, label, device, and the label and time of the
 * session's event before (prev_label, prev_ts; before the span too). `journey`: the same with each
 * label's type, name, path and page_group, and `properties` (read from the event) when asked.
 * Neither is materialised: each use reads only the columns it needs. For `with ${journeyCtes(span)}, …`.
 */
export function journeyCtes(span: EventSpan, columns: JourneyColumns = {}): RawBuilder<unknown> {
  const properties = columns.properties ? sql`, e.properties` : sql``;
  const events = columns.properties ? sql` left join events e on e.store_id = ${span.storeId} and e.id = j.id` : sql``;
  return sql`journey_rows as not materialized (
      select customer_id, session_customer, visitor, session, id, ts, label, device, prev_label, prev_ts from journey_events
      where store_id = ${span.storeId} and ts >= ${span.start} and ts < ${span.end}
    ),
    journey as not materialized (
      select j.*, l.type, l.name, l.path, l.page_group${properties}
      from journey_rows j join journey_labels l on l.store_id = ${span.storeId} and l.label = j.label${events}
    )`;
}

/** A page's name in a report: its group (or its path when no group matches), or its own path. */
export function pageLabel(grouping: PageGrouping, alias = ''): RawBuilder<string> {
  return sql<string>`${sql.raw(`${alias ? `${alias}.` : ''}${grouping === 'url' ? 'path' : 'page_group'}`)}`;
}

/** A step of a path: a page's name, or a tracked event's name (of the labels under `alias`, if given). */
export function stepLabel(grouping: PageGrouping, alias = ''): RawBuilder<string> {
  const a = alias ? `${alias}.` : '';
  return sql<string>`case when ${sql.raw(`${a}type`)} = 'track' then ${sql.raw(`${a}name`)} else ${pageLabel(grouping, alias)} end`;
}

/**
 * A property filter on a `journey` row (the columns must include `properties`): the property as
 * text for = and != (a missing property is not equal to anything, and != holds for it), as a
 * number for the comparisons (a property that is not a number never compares).
 */
function holds(filter: PropertyFilter, properties: RawBuilder<unknown>): RawBuilder<boolean> {
  const text = sql`json_extract_string(${properties}, ${`$.${filter.key}`})`;
  if (filter.op === '=') return sql<boolean>`coalesce(${text} = ${filter.value}, false)`;
  if (filter.op === '!=') return sql<boolean>`coalesce(${text} <> ${filter.value}, true)`;
  return sql<boolean>`coalesce(try_cast(${text} as double) ${sql.raw(filter.op)} ${Number(filter.value)}, false)`;
}

function matcherSql(m: Matcher, col: (name: string) => RawBuilder<unknown>): RawBuilder<boolean> {
  const base = m.kind === 'page'
    ? sql`${col('type')} = 'page' and ${col('path')} like ${globToLike(m.glob)} escape '\\'`
    : sql`${col('type')} = 'track' and ${col('name')} = ${m.name}`;
  const filters = (m.filters ?? []).map((f) => holds(f, col('properties')));
  return sql<boolean>`(${sql.join([base, ...filters], sql` and `)})`;
}

/**
 * True for a `journey` row matching any of the step's matchers. Without property filters, the
 * store's labels are matched and the rows' label looked up among them.
 */
export function matchesStep(step: FunnelStep, storeId: string, alias = ''): RawBuilder<boolean> {
  const col = (name: string) => sql.raw(alias ? `${alias}.${name}` : name);
  const own = (name: string) => sql.raw(name);
  if (step.anyOf.every((m) => (m.filters?.length ?? 0) === 0)) {
    return sql<boolean>`(${col('label')} in (select label from journey_labels where store_id = ${storeId} and (${sql.join(step.anyOf.map((m) => matcherSql(m, own)), sql` or `)})))`;
  }
  return sql<boolean>`(${sql.join(step.anyOf.map((m) => matcherSql(m, col)), sql` or `)})`;
}

/**
 * `last_orders` and `people`, for the comparisons of customers who lapsed and who stayed: the
 * customers whose last paid order before the span's end falls in the span, whether they lapsed
 * (more than `inactivityDays` from that order to the end) and their cutoff (the lapse, or the end).
 * Read from the summaries' last order time; for customers who ordered again after the span, from
 * their orders.
 */
export function lapseCtes(span: EventSpan, inactivityDays: number): RawBuilder<unknown> {
  const s = span.storeId;
  const threshold = sql`to_days(cast(${inactivityDays} as bigint))`;
  return sql`
    last_orders as (
      select customer_id, last_at as last_order from customer_summary where store_id = ${s} and last_at >= ${span.start} and last_at < ${span.end}
      union all
      select customer_id, max(placed_at) from orders
      where store_id = ${s} and status <> 'cancelled' and placed_at < ${span.end}
        and customer_id in (select customer_id from customer_summary where store_id = ${s} and last_at >= ${span.end})
      group by customer_id having max(placed_at) >= ${span.start}
    ),
    people as (
      select customer_id, last_order + ${threshold} < ${span.end} as lapsed, least(last_order + ${threshold}, ${span.end}) as cutoff
      from last_orders
    )`;
}
