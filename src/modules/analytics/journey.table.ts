/**
 * The browsing the journey reports read, kept ready in `journey_events` (migration
 * 2026-12-09T000100): page and track events with their customer (their own, or the one their
 * anonymous id was linked to), their session, their device, and a small integer label for the page
 * path or event name (`journey_labels`, with the path's page group), and a review event's rating.
 * Reports filter integers and join a few hundred labels instead of extracting URL paths, joining
 * identity links, splitting sessions, parsing user agents and reading properties over millions of
 * raw events on every call.
 *
 * `refresh` brings a store's rows up to date before a report, in one transaction: the visitors
 * with events received since the last refresh, or with a new identity link, are computed again
 * from all their events (so their sessions split as if built at once); a store never refreshed is
 * built whole. The rows must then number the events they come from — an event stored late with
 * an earlier receipt time would break that — else the store is built whole again. A session's
 * customer is worked out over the visitor's rows computed together: a session id two visitors
 * share takes, on each visitor's rows, the customer known from that visitor's rows.
 *
 * With the rows, `journey_customers` keeps each customer's first event of any type (their first
 * time seen, for the lifecycle's prospect stage): computed again for the customers of the
 * visitors computed again, before and after. And `journey_sessions` (migration 2026-12-11T000100)
 * keeps each session whole — customer, start, order or not, last page, distinct pages and the
 * starts of the customer's next sessions — for the exits report: computed again for the sessions
 * of the rows computed again and every session of their customers, before and after.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx } from '../../db/database.js';
import { KeyedQueue } from '../../lib/keyed-queue.js';
import { REVIEW_EVENT } from '../reviews/index.js';
import { MAX_LAST_SESSIONS } from './journey.query.js';
import { PAGE_GROUPS } from './queries/journey-events.sql.js';

/** A session with this event bought something. */
const ORDER_EVENT = 'Order Completed';

/** Events without a session id are split into sessions at 30 minutes of inactivity per visitor (Google Analytics' default). */
const SESSION_GAP_MINUTES = 30;

/** Events of someone: what a visitor's first-seen time is taken from, whatever their type. */
const known = sql`(e.anonymous_id is not null or e.customer_id is not null)`;

/** The events a journey row is made from: page and track events of someone known or anonymous. */
const eligible = sql`e.type in ('page', 'track') and ${known}`;

/** An event's visitor: its anonymous id, else its customer. */
const visitorOf = sql`coalesce(e.anonymous_id, 'c:' || cast(e.customer_id as varchar))`;

/**
 * The device an event came from, from its context: a mobile SDK's `device.type` (ios, android:
 * mobile; tablet), else the browser's user agent (iPad, tablet, Kindle, Silk, or Android without
 * "Mobile": tablet; Mobi, iPhone, iPod, Android, Windows Phone: mobile; any other: desktop), else
 * `userAgentData.mobile`; `(unknown)` without any of them. Over the columns dt, ua, mob.
 * Documented in docs/metrics.md.
 */
const DEVICE = sql<string>`case
    when lower(dt) in ('ios', 'android', 'mobile', 'phone') then 'mobile'
    when lower(dt) = 'tablet' then 'tablet'
    when regexp_matches(ua, '(?i)ipad|tablet|kindle|silk') or (regexp_matches(ua, '(?i)android') and not regexp_matches(ua, '(?i)mobile')) then 'tablet'
    when regexp_matches(ua, '(?i)mobi|iphone|ipod|android|windows phone') then 'mobile'
    when ua is not null then 'desktop'
    when mob = 'true' then 'mobile'
    else '(unknown)' end`;

/** A path's page group (first match wins, on the lower-cased path), or the path itself. */
export function pageGroupOf(path: RawBuilder<unknown>): RawBuilder<string> {
  // The patterns are our own constants, written into the SQL so each is compiled once.
  const whens = PAGE_GROUPS.map((g) => sql`when regexp_matches(lower(${path}), ${sql.lit(g.pattern)}) then ${g.label}`);
  return sql<string>`case ${sql.join(whens, sql` `)} else ${path} end`;
}

export type Refreshed = 'current' | 'partial' | 'full';

interface Fingerprint { events: number; received_at: Date | null; identities: number; linked_at: Date | null }

export class JourneyTable {
  /** One refresh at a time per store; a report waits for the one under way. */
  private readonly queue = new KeyedQueue();

  constructor(private readonly db: Db) {}

  /**
   * Brings the store's journey rows up to date with its events and identity links. Says how:
   * `current` (nothing new), `partial` (the visitors with something new), `full` (built whole).
   */
  refresh(storeId: string): Promise<Refreshed> {
    return this.queue.run(storeId, () => this.db.transaction().execute((tx) => this.bringUpToDate(tx, storeId)));
  }

  private async bringUpToDate(tx: Tx, storeId: string): Promise<Refreshed> {
    const now = await fingerprint(tx, storeId);
    const { rows: [state] } = await sql<Fingerprint>`select events, received_at, identities, linked_at from journey_state where store_id = ${storeId}`.execute(tx);
    if (state && same(state, now)) return 'current';
    let how: Refreshed = 'full';
    if (state && Number(state.events) <= now.events && state.received_at !== null) {
      await sql`create or replace temp table journey_dirty as
        select distinct ${visitorOf} as visitor from events e
        where e.store_id = ${storeId} and ${known} and e.received_at >= ${state.received_at}
        union select anonymous_id from identities where store_id = ${storeId}${state.linked_at === null ? sql`` : sql` and created_at >= ${state.linked_at}`}`.execute(tx);
      await this.rebuild(tx, storeId, true);
      const { rows: [count] } = await sql<{ kept: number; events: number }>`
        select (select count(*) from journey_events where store_id = ${storeId}) as kept,
          (select count(*) from events e where e.store_id = ${storeId} and ${eligible}) as events`.execute(tx);
      if (Number(count!.kept) === Number(count!.events)) how = 'partial';
      else await this.rebuild(tx, storeId, false);
      await sql`drop table journey_dirty`.execute(tx);
    } else {
      await this.rebuild(tx, storeId, false);
    }
    await sql`insert or replace into journey_state values (${storeId}, ${now.events}, ${now.received_at}, ${now.identities}, ${now.linked_at}, ${new Date()})`.execute(tx);
    return how;
  }

  /** Computes the rows of the visitors in `journey_dirty` (scoped), or of the whole store, again. */
  private async rebuild(tx: Tx, storeId: string, scoped: boolean): Promise<void> {
    const scope = scoped ? sql` and ${visitorOf} in (select visitor from journey_dirty)` : sql``;
    const picked = sql`e.store_id = ${storeId} and ${eligible}${scope}`;
    // Each distinct URL's path, and each distinct context's device, is worked out once: regular
    // expressions cost microseconds a row, and a store's pages and browsers repeat.
    await sql`create or replace temp table journey_source as
      with picked as (
        select coalesce(e.customer_id, i.customer_id) as customer_id, ${visitorOf} as visitor, e.session_id, e.id, e.occurred_at as ts,
          e.type, case when e.type = 'track' then e.name end as name, e.url,
          json_extract_string(e.context, ['$.device.type', '$.userAgent', '$.userAgentData.mobile']) as ctx,
          case when e.type = 'track' and e.name = ${REVIEW_EVENT} then try_cast(json_extract_string(e.properties, '$.rating') as double) end as rating
        from events e left join identities i on i.store_id = e.store_id and i.anonymous_id = e.anonymous_id
        where ${picked}
      ),
      url_paths as (
        select url, coalesce(nullif(regexp_extract(url, '^(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?([^?#]*)', 1), ''), '/') as path
        from (select distinct url from picked where type = 'page' and url is not null)
      ),
      contexts as (
        select ctx, ${DEVICE} as device from (select ctx, ctx[1] as dt, ctx[2] as ua, ctx[3] as mob from (select distinct ctx from picked))
      ),
      resolved as (
        select p.customer_id, p.visitor, p.session_id, p.id, p.ts, p.type, p.name,
          case when p.type = 'page' then coalesce(u.path, '/') end as path, coalesce(c.device, '(unknown)') as device, p.rating
        from picked p left join url_paths u on u.url = p.url left join contexts c on c.ctx is not distinct from p.ctx
      )
      select customer_id, visitor, 's:' || session_id as session, id, ts, type, name, path, device, rating from resolved where session_id is not null
      union all
      select customer_id, visitor, 'v:' || visitor || '#' || cast(sum(starts) over (partition by visitor order by ts, id rows unbounded preceding) as varchar),
        id, ts, type, name, path, device, rating
      from (
        select *, case when lag(ts) over (partition by visitor order by ts, id) >= ts - to_minutes(cast(${SESSION_GAP_MINUTES} as bigint)) then 0 else 1 end as starts
        from resolved where session_id is null
      )`.execute(tx);
    await sql`insert into journey_labels
      select ${storeId}, (select coalesce(max(label), 0) from journey_labels where store_id = ${storeId}) + row_number() over (order by type, name, path),
        type, name, path, case when type = 'page' then ${pageGroupOf(sql`path`)} end
      from (
        select distinct type, name, path from journey_source s
        where not exists (select 1 from journey_labels l where l.store_id = ${storeId} and l.type = s.type and l.name is not distinct from s.name and l.path is not distinct from s.path)
      )`.execute(tx);
    // The customers whose first-seen time may move: those of the visitors' rows before and after.
    if (scoped) {
      await sql`create or replace temp table journey_seen as
        select customer_id from journey_events where store_id = ${storeId} and customer_id is not null and visitor in (select hash(visitor) from journey_dirty)
        union select coalesce(e.customer_id, i.customer_id) from events e left join identities i on i.store_id = e.store_id and i.anonymous_id = e.anonymous_id
        where e.store_id = ${storeId} and ${known} and ${visitorOf} in (select visitor from journey_dirty) and coalesce(e.customer_id, i.customer_id) is not null`.execute(tx);
    }
    // The sessions whose rows change: those of the visitors' rows before and after.
    if (scoped) {
      await sql`create or replace temp table journey_touched as
        select distinct session from journey_events where store_id = ${storeId} and visitor in (select hash(visitor) from journey_dirty)
        union select distinct hash(session) from journey_source`.execute(tx);
    }
    await sql`delete from journey_events where store_id = ${storeId}${scoped ? sql` and visitor in (select hash(visitor) from journey_dirty)` : sql``}`.execute(tx);
    await sql`insert into journey_events
      select ${storeId}, hash(s.session), hash(s.visitor), s.customer_id, max(s.customer_id) over (partition by s.session), s.id, s.ts, l.label, s.device,
        lag(l.label) over (partition by s.session order by s.ts, s.id), lag(s.ts) over (partition by s.session order by s.ts, s.id), s.rating
      from journey_source s join journey_labels l on l.store_id = ${storeId} and l.type = s.type and l.name is not distinct from s.name and l.path is not distinct from s.path
      order by s.ts`.execute(tx);
    await sql`drop table journey_source`.execute(tx);
    await this.rebuildSessions(tx, storeId, scoped);
    await this.rebuildSeen(tx, storeId, scoped);
  }

  /**
   * The sessions (`journey_sessions`) of the rows computed again, and every session of their
   * customers before and after, so each customer's chain of next starts is worked out whole.
   */
  private async rebuildSessions(tx: Tx, storeId: string, scoped: boolean): Promise<void> {
    if (scoped) {
      await sql`create or replace temp table journey_session_scope as
        with customers as (
          select customer_id from journey_sessions where store_id = ${storeId} and session in (select session from journey_touched)
          union select customer_id from journey_events where store_id = ${storeId} and session in (select session from journey_touched)
        )
        select session from journey_touched
        union select session from journey_sessions where store_id = ${storeId} and customer_id in (select customer_id from customers)`.execute(tx);
      await sql`drop table journey_touched`.execute(tx);
    }
    const scope = scoped ? sql` and j.session in (select session from journey_session_scope)` : sql``;
    await sql`delete from journey_sessions where store_id = ${storeId}${scoped ? sql` and session in (select session from journey_session_scope)` : sql``}`.execute(tx);
    const next = Array.from({ length: MAX_LAST_SESSIONS }, (_, i) => sql`lead(started, ${sql.lit(i + 1)}) over w`);
    await sql`insert into journey_sessions
      select ${storeId}, session, customer_id, started, bought, exit_label, pages,
        case when customer_id is not null then [${sql.join(next)}] end
      from (
        select j.session, max(j.customer_id) as customer_id, min(j.ts) as started,
          bool_or(l.type = 'track' and l.name = ${ORDER_EVENT}) as bought,
          arg_max(j.label, (j.ts, j.id)) filter (where l.type = 'page') as exit_label,
          coalesce(list(distinct j.label) filter (where l.type = 'page'), []) as pages
        from journey_events j join journey_labels l on l.store_id = j.store_id and l.label = j.label
        where j.store_id = ${storeId}${scope}
        group by j.session
      )
      window w as (partition by customer_id order by started, session)
      order by started`.execute(tx);
    if (scoped) await sql`drop table journey_session_scope`.execute(tx);
  }

  /** Each customer's first event of any type (`journey_customers`), for the lifecycle's prospects. */
  private async rebuildSeen(tx: Tx, storeId: string, scoped: boolean): Promise<void> {
    const scope = scoped ? sql` and customer_id in (select customer_id from journey_seen)` : sql``;
    await sql`delete from journey_customers where store_id = ${storeId}${scope}`.execute(tx);
    await sql`insert into journey_customers
      select ${storeId}, customer_id, min(ts) from (
        select coalesce(e.customer_id, i.customer_id) as customer_id, e.occurred_at as ts
        from events e left join identities i on i.store_id = e.store_id and i.anonymous_id = e.anonymous_id
        where e.store_id = ${storeId}
      ) where customer_id is not null${scope} group by customer_id`.execute(tx);
    if (scoped) await sql`drop table journey_seen`.execute(tx);
  }
}

/** What the rows reflect: the store's events (all of them: cheaper to count) and identity links, by number and latest time. */
async function fingerprint(tx: Tx, storeId: string): Promise<Fingerprint> {
  const { rows: [row] } = await sql<Fingerprint>`
    select (select count(*) from events where store_id = ${storeId}) as events,
      (select max(received_at) from events where store_id = ${storeId}) as received_at,
      (select count(*) from identities where store_id = ${storeId}) as identities,
      (select max(created_at) from identities where store_id = ${storeId}) as linked_at`.execute(tx);
  return { events: Number(row!.events), received_at: row!.received_at, identities: Number(row!.identities), linked_at: row!.linked_at };
}

const time = (d: Date | null) => (d === null ? null : new Date(d).getTime());

function same(a: Fingerprint, b: Fingerprint): boolean {
  return Number(a.events) === b.events && Number(a.identities) === b.identities && time(a.received_at) === time(b.received_at) && time(a.linked_at) === time(b.linked_at);
}
