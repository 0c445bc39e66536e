/**
 * The browsing the journey reports read, as common table expressions: page and track events in a
 * time span with the customer they belong to (their own id, or the customer their anonymous id was
 * later linked to), their session and their URL path. Events without a session id are split into
 * sessions at 30 minutes of inactivity per visitor (Google Analytics' default). DuckDB SQL.
 */
import { sql, type RawBuilder } from 'kysely';
import { offsetAt } from '../local-day.js';
import { globToLike, type FunnelStep, type Matcher, type PageGrouping, type PropertyFilter } from '../journey.query.js';

const SESSION_GAP_MINUTES = 30;

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

/**
 * The device an event came from, from its context: a mobile SDK's `device.type` (ios, android:
 * mobile; tablet), else the browser's user agent (iPad, tablet, Kindle, Silk, or Android without
 * "Mobile": tablet; Mobi, iPhone, iPod, Android, Windows Phone: mobile; any other: desktop), else
 * `userAgentData.mobile`; `(unknown)` without any of them. Documented in docs/metrics.md.
 */
export const DEVICE = sql<string>`case
    when lower(json_extract_string(e.context, '$.device.type')) in ('ios', 'android', 'mobile', 'phone') then 'mobile'
    when lower(json_extract_string(e.context, '$.device.type')) = 'tablet' then 'tablet'
    when regexp_matches(json_extract_string(e.context, '$.userAgent'), '(?i)ipad|tablet|kindle|silk')
      or (regexp_matches(json_extract_string(e.context, '$.userAgent'), '(?i)android') and not regexp_matches(json_extract_string(e.context, '$.userAgent'), '(?i)mobile')) then 'tablet'
    when regexp_matches(json_extract_string(e.context, '$.userAgent'), '(?i)mobi|iphone|ipod|android|windows phone') then 'mobile'
    when json_extract_string(e.context, '$.userAgent') is not null then 'desktop'
    when json_extract_string(e.context, '$.userAgentData.mobile') = 'true' then 'mobile'
    else '(unknown)' end`;

/** What besides the always-read columns a report needs of each event. */
export interface JourneyColumns { properties?: boolean }

/** True when a step has a property filter, so the events' properties must be read. */
export const needsProperties = (steps: FunnelStep[]): boolean => steps.some((s) => s.anyOf.some((m) => (m.filters?.length ?? 0) > 0));

/**
 * `url_paths`, `raw_events` and `journey` (customer_id, visitor, session, id, at, type, name, path, and
 * `properties` when asked), for `with ${journeyCtes(span)}, …`.
 */
export function journeyCtes(span: EventSpan, columns: JourneyColumns = {}): RawBuilder<unknown> {
  const extraNames = sql.raw(columns.properties ? ', properties' : '');
  const inSpan = sql`e.store_id = ${span.storeId} and e.type in ('page', 'track') and e.occurred_at >= ${span.start} and e.occurred_at < ${span.end}`;
  // Each distinct URL's path is extracted once: a regular expression with a capture group costs
  // microseconds a row, most of the time of the reports, and a store's pages repeat.
  return sql`url_paths as (
      select url, coalesce(nullif(regexp_extract(url, '^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?([^?#]*)', 1), ''), '/') as path
      from (select distinct e.url from events e where ${inSpan} and e.url is not null)
    ),
    raw_events as (
      select ${columns.properties ? sql`e.properties, ` : sql``}coalesce(e.customer_id, i.customer_id) as customer_id,
        coalesce(e.anonymous_id, 'c:' || cast(coalesce(e.customer_id, i.customer_id) as varchar)) as visitor,
        e.session_id, e.id, e.occurred_at as ts, e.type, e.name, coalesce(u.path, '/') as path
      from events e left join identities i on i.store_id = e.store_id and i.anonymous_id = e.anonymous_id
      left join url_paths u on u.url = e.url
      where ${inSpan} and (e.anonymous_id is not null or e.customer_id is not null)
    ),
    journey as (
      select customer_id, visitor, session_id as session, id, ts, type, name, path${extraNames} from raw_events where session_id is not null
      union all
      select customer_id, visitor, visitor || '#' || cast(sum(starts) over (partition by visitor order by ts, id rows unbounded preceding) as varchar), id, ts, type, name, path${extraNames}
      from (
        select *, case when lag(ts) over (partition by visitor order by ts, id) >= ts - to_minutes(cast(${SESSION_GAP_MINUTES} as bigint)) then 0 else 1 end as starts
        from raw_events where session_id is null
      )
    )`;
}

/** A page's name in a report: its group (or its path when no group matches), or its own path. */
export function pageLabel(grouping: PageGrouping, path: RawBuilder<unknown> = sql`path`): RawBuilder<string> {
  if (grouping === 'url') return sql<string>`${path}`;
  // The patterns are our own constants, written into the SQL so each is compiled once, not per row.
  const whens = PAGE_GROUPS.map((g) => sql`when regexp_matches(lower(${path}), ${sql.lit(g.pattern)}) then ${g.label}`);
  return sql<string>`case ${sql.join(whens, sql` `)} else ${path} end`;
}

/** A step of a path: a page's name, or a tracked event's name. */
export function stepLabel(grouping: PageGrouping): RawBuilder<string> {
  return sql<string>`case when type = 'track' then name else ${pageLabel(grouping)} end`;
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

/** True for a `journey` row matching any of the step's matchers. */
export function matchesStep(step: FunnelStep, alias = ''): RawBuilder<boolean> {
  const col = (name: string) => sql.raw(alias ? `${alias}.${name}` : name);
  return sql<boolean>`(${sql.join(step.anyOf.map((m) => matcherSql(m, col)), sql` or `)})`;
}
