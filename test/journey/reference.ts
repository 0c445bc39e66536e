/**
 * The journey reports computed again in plain JavaScript from the events and orders a test built,
 * following the definitions in docs/metrics.md ("The customer journey"), without SQL. All times
 * here are UTC (the test stores use UTC).
 */
import type { BuiltEvent, BuiltOrder } from './fixture.js';

const GAP = 30 * 60_000;

export interface Row {
  customer: number | null; visitor: string; session: string; id: number; at: number; type: 'page' | 'track'; name: string | null; path: string;
  properties: Record<string, unknown>; context: Record<string, unknown> | undefined;
}

const GROUPS: [string, RegExp][] = [
  ['Home', /^\/$/], ['Product pages', /^\/products\//], ['Collections', /^\/collections(\/|$)/], ['Search', /^\/search/], ['Cart', /^\/cart/],
  ['Checkout', /^\/checkout/], ['Account', /^\/account/], ['Returns policy', /return|refund/], ['Delivery information', /delivery|shipping/],
  ['Help and FAQ', /faq|help|contact|support/], ['Blog', /^\/blogs?\//],
];

export const pageName = (path: string, group: 'pattern' | 'url'): string =>
  group === 'url' ? path : GROUPS.find(([, re]) => re.test(path.toLowerCase()))?.[0] ?? path;
export const stepName = (row: Row): string => (row.type === 'track' ? row.name! : pageName(row.path, 'pattern'));

function pathOf(url: string | null): string {
  const rest = (url ?? '').replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, '');
  return rest.split(/[?#]/)[0] || '/';
}

export const DAY = 86_400_000;
/** The range the report tests read, and the purchase funnel's steps (Browse, Product, Cart, Checkout, Order) as matchers. */
export const FROM = '2024-01-01';
export const TO = '2024-06-30';
export const RANGE = { start: Date.parse(`${FROM}T00:00:00Z`), end: Date.parse(`${TO}T00:00:00Z`) + DAY };
export const PURCHASE: Matcher[][] = [
  [{ kind: 'page', glob: '*' }],
  [{ kind: 'page', glob: '/products/*' }, { kind: 'event', name: 'Product Viewed' }],
  [{ kind: 'event', name: 'Product Added' }, { kind: 'page', glob: '/cart' }],
  [{ kind: 'event', name: 'Checkout Started' }, { kind: 'page', glob: '/checkout*' }],
  [{ kind: 'event', name: 'Order Completed' }],
];

const byTime = (a: { at: number; id: number }, b: { at: number; id: number }) => a.at - b.at || a.id - b.id;

/** Events in [start, end) with customer, visitor, session and path, as the reports read them. */
export function rows(events: BuiltEvent[], identities: Map<string, number>, start: number, end: number): Row[] {
  const out: Row[] = [];
  const withoutSession = new Map<string, Row[]>();
  for (const e of [...events].sort(byTime)) {
    if (e.at < start || e.at >= end || (e.anonymousId === null && e.customerId === null)) continue;
    const customer = e.customerId ?? (e.anonymousId !== null ? identities.get(e.anonymousId) ?? null : null);
    const visitor = e.anonymousId ?? `c:${customer}`;
    const row: Row = { customer, visitor, session: e.sessionId ?? '', id: e.id, at: e.at, type: e.type, name: e.name, path: pathOf(e.url), properties: e.properties ?? {}, context: e.context };
    out.push(row);
    if (e.sessionId === null) withoutSession.set(visitor, [...(withoutSession.get(visitor) ?? []), row]);
  }
  for (const [visitor, list] of withoutSession) {
    let n = 0;
    list.forEach((row, i) => {
      if (i === 0 || list[i - 1]!.at < row.at - GAP) n += 1;
      row.session = `${visitor}#${n}`;
    });
  }
  return out;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

/** Linear interpolation between order statistics (DuckDB's quantile_cont). */
export function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (pos - lo);
}

export interface Filter { key: string; op: '=' | '!=' | '>' | '>=' | '<' | '<='; value: string }
export type Matcher = ({ kind: 'page'; glob: string } | { kind: 'event'; name: string }) & { filters?: Filter[] };

/** A property filter as docs/metrics.md defines it: text for = and !=, numbers for the comparisons. */
function holds(row: Row, f: Filter): boolean {
  const value = f.key.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), row.properties);
  const present = value !== undefined && value !== null;
  if (f.op === '=') return present && String(value) === f.value;
  if (f.op === '!=') return !present || String(value) !== f.value;
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) return false;
  const v = Number(f.value);
  return f.op === '>' ? n > v : f.op === '>=' ? n >= v : f.op === '<' ? n < v : n <= v;
}

export const matches = (row: Row, anyOf: Matcher[]): boolean => anyOf.some((m) => (m.kind === 'page'
  ? row.type === 'page' && new RegExp(`^${m.glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(row.path)
  : row.type === 'track' && row.name === m.name) && (m.filters ?? []).every((f) => holds(row, f)));

/** The device of an event, by the rule in docs/metrics.md ("Breakdown"). */
export function deviceOf(context: Record<string, unknown> | undefined): string {
  const device = context?.device as { type?: unknown } | undefined;
  const type = typeof device?.type === 'string' ? device.type.toLowerCase() : '';
  if (['ios', 'android', 'mobile', 'phone'].includes(type)) return 'mobile';
  if (type === 'tablet') return 'tablet';
  const agent = typeof context?.userAgent === 'string' ? context.userAgent : null;
  if (agent !== null) {
    if (/ipad|tablet|kindle|silk/i.test(agent) || (/android/i.test(agent) && !/mobile/i.test(agent))) return 'tablet';
    if (/mobi|iphone|ipod|android|windows phone/i.test(agent)) return 'mobile';
    return 'desktop';
  }
  return (context?.userAgentData as { mobile?: unknown } | undefined)?.mobile === true ? 'mobile' : '(unknown)';
}

export interface FunnelUnit { unit: string; customer: number | null; times: (number | null)[]; events: Row[] }

export function funnelUnits(all: Row[], steps: Matcher[][], count: 'session' | 'customer', windowDays: number | null): FunnelUnit[] {
  const units = groupBy(all, (r) => (count === 'session' ? r.session : r.customer !== null ? `c:${r.customer}` : r.visitor));
  const out: FunnelUnit[] = [];
  for (const [unit, list] of units) {
    const events = [...list].sort(byTime);
    const times: (number | null)[] = [];
    for (const [k, step] of steps.entries()) {
      const after = k === 0 ? -Infinity : times[k - 1];
      if (after === null || after === undefined) { times.push(null); continue; }
      const hit = events.find((e) => e.at >= after && matches(e, step) && (k === 0 || windowDays === null || e.at <= times[0]! + windowDays * DAY));
      times.push(hit ? hit.at : null);
    }
    if (times[0] === null) continue;
    const customers = events.map((e) => e.customer).filter((c): c is number => c !== null);
    out.push({ unit, customer: customers.length ? Math.max(...customers) : null, times, events });
  }
  return out;
}

export const paidOrders = (orders: BuiltOrder[]) => orders.filter((o) => o.status !== 'cancelled');

/** The first event after the step a unit reached last (or "(left)"). */
export function nextAfter(unit: FunnelUnit, step: number): string {
  const t = unit.times[step]!;
  const next = unit.events.find((e) => e.at > t);
  return next ? stepName(next) : '(left)';
}

export function paths(all: Row[], anchor: Matcher[], direction: 'after' | 'before', steps: number, group: 'pattern' | 'url'): Map<string, number> {
  const counts = new Map<string, number>();
  for (const list of groupBy(all, (r) => r.session).values()) {
    const events = [...list].sort(byTime);
    const label = (r: Row) => (r.type === 'track' ? r.name! : pageName(r.path, group));
    const kept = events.filter((r, i) => i === 0 || label(events[i - 1]!) !== label(r) || matches(r, anchor));
    const anchors = kept.map((r, i) => (matches(r, anchor) ? i : -1)).filter((i) => i >= 0);
    if (!anchors.length) continue;
    const at = direction === 'after' ? anchors[0]! : anchors[anchors.length - 1]!;
    const seq = direction === 'after' ? kept.slice(at + 1, at + 1 + steps) : kept.slice(Math.max(0, at - steps), at);
    const key = JSON.stringify(seq.map(label));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Every session of the events, whole (whatever the range): its rows, its customer (the highest of its rows') and its start. */
function sessionsOf(events: BuiltEvent[], identities: Map<string, number>) {
  return [...groupBy(rows(events, identities, -Infinity, Infinity), (r) => r.session)].map(([session, list]) => {
    const customers = list.map((r) => r.customer).filter((c): c is number => c !== null);
    return { session, customer: customers.length ? Math.max(...customers) : null, started: Math.min(...list.map((r) => r.at)), list };
  });
}

/** Exit pages of the sessions that started in the range, read whole, without an order. */
export function exitPages(events: BuiltEvent[], identities: Map<string, number>, range: { start: number; end: number }, group: 'pattern' | 'url'): { sessions: number; pages: Map<string, { sessions: number; exits: number }> } {
  const pages = new Map<string, { sessions: number; exits: number }>();
  let sessions = 0;
  for (const { list, started } of sessionsOf(events, identities)) {
    if (started < range.start || started >= range.end) continue;
    if (list.some((r) => r.type === 'track' && r.name === 'Order Completed')) continue;
    const views = list.filter((r) => r.type === 'page').sort(byTime);
    if (!views.length) continue;
    sessions += 1;
    for (const name of new Set(views.map((v) => pageName(v.path, group)))) {
      const p = pages.get(name) ?? { sessions: 0, exits: 0 };
      p.sessions += 1;
      pages.set(name, p);
    }
    pages.get(pageName(views[views.length - 1]!.path, group))!.exits += 1;
  }
  return { sessions, pages };
}

/**
 * Pages seen in each customer's last sessions before their lapse (or the range's end): sessions
 * that started from the threshold before the range's start, read whole.
 */
export function exitChurn(events: BuiltEvent[], identities: Map<string, number>, orders: BuiltOrder[], range: { start: number; end: number }, inactivityDays: number, lastSessions: number, group: 'pattern' | 'url') {
  const last = new Map<number, number>();
  for (const o of paidOrders(orders)) if (o.at < range.end) last.set(o.customer, Math.max(last.get(o.customer) ?? -Infinity, o.at));
  const sessions = sessionsOf(events, identities).filter((s) => s.started >= range.start - inactivityDays * DAY);
  const pages = new Map<string, { customers: number; lapsed: number }>();
  let customers = 0;
  let lapsedTotal = 0;
  for (const [customer, lastOrder] of last) {
    if (lastOrder < range.start) continue;
    const lapsed = lastOrder + inactivityDays * DAY < range.end;
    const cutoff = Math.min(lastOrder + inactivityDays * DAY, range.end);
    const mine = sessions.filter((s) => s.customer === customer && s.started < cutoff)
      .sort((a, b) => b.started - a.started || (a.session < b.session ? 1 : a.session > b.session ? -1 : 0)).slice(0, lastSessions);
    if (!mine.length) continue;
    customers += 1;
    if (lapsed) lapsedTotal += 1;
    for (const name of new Set(mine.flatMap((s) => s.list.filter((r) => r.type === 'page').map((r) => pageName(r.path, group))))) {
      const p = pages.get(name) ?? { customers: 0, lapsed: 0 };
      p.customers += 1;
      if (lapsed) p.lapsed += 1;
      pages.set(name, p);
    }
  }
  return { customers, lapsed: lapsedTotal, pages };
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY;

/** Each customer's stage per month; `events` of any type (a prospect is anyone seen). */
export function lifecycle(events: Pick<BuiltEvent, 'customerId' | 'anonymousId' | 'at'>[], identities: Map<string, number>, orders: BuiltOrder[], range: { from: string; to: string }, inactivityDays: number) {
  const end = Date.parse(`${range.to}T00:00:00Z`) + DAY;
  const months: { start: string; end: string }[] = [];
  const first = new Date(`${range.from.slice(0, 7)}-01T00:00:00Z`);
  for (let d = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() - 1, 1)); isoDay(d.getTime()) <= range.to; d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))) {
    const monthEnd = isoDay(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0));
    months.push({ start: isoDay(d.getTime()), end: monthEnd < range.to ? monthEnd : range.to });
  }
  const byCustomer = groupBy(paidOrders(orders).filter((o) => o.at < end), (o) => String(o.customer));
  const seen = new Map<number, string>();
  for (const e of events) {
    const c = e.customerId ?? (e.anonymousId ? identities.get(e.anonymousId) : undefined);
    if (c === undefined || c === null || e.at >= end) continue;
    const d = isoDay(e.at);
    if (!seen.has(c) || d < seen.get(c)!) seen.set(c, d);
  }
  const customers = new Set([...byCustomer.keys()].map(Number).concat([...seen.keys()]));
  const result: { month: string; stage: string; previous: string | null; revenue: number }[] = [];
  for (const c of customers) {
    const list = (byCustomer.get(String(c)) ?? []).map((o) => ({ d: isoDay(o.at), total: o.total }));
    let previous: string | null = null;
    for (const m of months) {
      const upTo = list.filter((o) => o.d <= m.end);
      let stage: string | null = null;
      let revenue = 0;
      if (upTo.length) {
        const inMonth = upTo.filter((o) => o.d >= m.start);
        const before = upTo.filter((o) => o.d < m.start).map((o) => o.d).sort();
        const firstDay = upTo.map((o) => o.d).sort()[0]!;
        const lastDay = upTo.map((o) => o.d).sort().at(-1)!;
        revenue = inMonth.reduce((s, o) => s + o.total, 0);
        const recency = dayNumber(m.end) - dayNumber(lastDay);
        if (inMonth.length && firstDay >= m.start) stage = 'new';
        else if (inMonth.length && before.length && dayNumber(inMonth.map((o) => o.d).sort()[0]!) - dayNumber(before.at(-1)!) > inactivityDays) stage = 'reactivated';
        else if (inMonth.length) stage = 'active';
        else if (recency > inactivityDays) stage = 'lapsed';
        else if (recency * 2 > inactivityDays) stage = 'at_risk';
        else stage = 'active';
      } else if (seen.has(c) && seen.get(c)! <= m.end) stage = 'prospect';
      if (stage !== null && m.start >= months[1]!.start) result.push({ month: m.start, stage, previous, revenue });
      previous = stage;
    }
  }
  return result;
}

/**
 * What the lifecycle report shows, from the reference's rows: [month, stage, customers, revenue]
 * for every month and stage of the range, and the customers per movement "previous>stage".
 */
export function lifecycleFigures(rows: ReturnType<typeof lifecycle>, months: string[], stages: readonly string[]) {
  const cells = months.flatMap((month) => stages.map((stage) => {
    const of = rows.filter((e) => e.month === month && e.stage === stage);
    return [month, stage, of.length, of.reduce((t, e) => t + e.revenue, 0)] as [string, string, number, number];
  }));
  const moves = new Map<string, number>();
  for (const e of rows) moves.set(`${e.previous}>${e.stage}`, (moves.get(`${e.previous}>${e.stage}`) ?? 0) + 1);
  return { cells, moves };
}

/** Second order within the window of the first, per customer whose first order is in the range. */
export function repeatFunnel(orders: BuiltOrder[], range: { from: string; to: string }, lastDay: string, windowDays: number) {
  const out: { customer: number; eligible: boolean; days: number | null }[] = [];
  for (const [customer, list] of groupBy(paidOrders(orders), (o) => String(o.customer))) {
    const days = list.map((o) => o.at).sort((a, b) => a - b).map(isoDay);
    if (days[0]! < range.from || days[0]! > range.to) continue;
    const eligible = dayNumber(days[0]!) + windowDays <= dayNumber(lastDay);
    const gap = days.length > 1 ? dayNumber(days[1]!) - dayNumber(days[0]!) : null;
    out.push({ customer: Number(customer), eligible, days: gap !== null && gap <= windowDays ? gap : null });
  }
  return out;
}

/** Touchpoints in the 90 days before each customer's lapse (or the range's end), for the customers of the lapse comparison. */
export function touchpoints(f: { events: BuiltEvent[]; identities: Map<string, number>; orders: BuiltOrder[]; returns: { customer: number | null; order: number; at: number }[]; deliveries: { order: number; at: number }[]; tickets: { customer: number | null; at: number }[] }, range: { start: number; end: number }, inactivityDays: number) {
  const last = new Map<number, number>();
  for (const o of paidOrders(f.orders)) if (o.at < range.end) last.set(o.customer, Math.max(last.get(o.customer) ?? -Infinity, o.at));
  const people = [...last].filter(([, at]) => at >= range.start).map(([customer, at]) => ({
    customer, lapsed: at + inactivityDays * DAY < range.end, cutoff: Math.min(at + inactivityDays * DAY, range.end),
  }));
  const within = (p: { cutoff: number }, at: number) => at < p.cutoff && at >= p.cutoff - 90 * DAY;
  const orderById = new Map(f.orders.map((o) => [o.id!, o]));
  const durations = f.deliveries.map((d) => (d.at - orderById.get(d.order)!.at) / DAY);
  const p90 = quantile(durations, 0.9)!;
  const has: Record<string, (p: { customer: number; cutoff: number }) => boolean> = {
    'a 1–2 star review': (p) => f.events.some((e) => e.name === 'Product Reviewed' && (e.customerId ?? (e.anonymousId ? f.identities.get(e.anonymousId) : undefined)) === p.customer
      && Number(e.properties?.rating) <= 2 && within(p, e.at)),
    'a return': (p) => f.returns.some((r) => (r.customer ?? orderById.get(r.order)!.customer) === p.customer && within(p, r.at)),
    'a late delivery': (p) => f.deliveries.some((d) => orderById.get(d.order)!.customer === p.customer && (d.at - orderById.get(d.order)!.at) / DAY > p90 && within(p, d.at)),
    'a support ticket': (p) => f.tickets.some((t) => t.customer === p.customer && within(p, t.at)),
  };
  return {
    customers: people.length, lapsed: people.filter((p) => p.lapsed).length,
    rows: Object.entries(has).map(([touchpoint, test]) => {
      const with_ = people.filter(test);
      return { touchpoint, customers: with_.length, lapsed: with_.filter((p) => p.lapsed).length };
    }),
  };
}
