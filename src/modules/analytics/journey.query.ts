/**
 * The customer-journey reports' requests (funnels, paths, exit pages, lifecycle stages), parsed
 * from the API's query string or the CLI's flags into one query value each. Steps and anchors are
 * written as text so both adapters read them the same way:
 *
 *   step    = matcher ("|" matcher)*                 any of the matchers
 *   matcher = ("page:" glob | "event:" name) filters?  glob: a URL path, `*` for any characters
 *   filters = "[" filter ("," filter)* "]"            all must hold
 *   filter  = key ("=" | "!=" | ">" | ">=" | "<" | "<=") value   on the event's properties
 *   steps   = step (">" step)*                       in order (a ">" inside brackets is an operator)
 */
import { z } from 'zod';
import { AppError, type ErrorDetail } from '../../lib/errors.js';
import { addDays, daysBetween, isDate, periods, type Period } from './analytics.query.js';

export const journeyReports = ['funnels', 'paths', 'exits', 'lifecycle'] as const;
export type JourneyReport = (typeof journeyReports)[number];

export const readyFunnels = ['purchase', 'repeat'] as const;
export type ReadyFunnel = (typeof readyFunnels)[number];
export const funnelUnits = ['session', 'customer'] as const;
export const funnelBreakdowns = ['customer_type', 'channel', 'device', 'persona', 'segment'] as const;
export type FunnelBreakdown = (typeof funnelBreakdowns)[number];
export type FunnelUnit = (typeof funnelUnits)[number];
/** How pages are named in paths and exits: by URL pattern group (product pages, help…) or by their own path. */
export const pageGroupings = ['pattern', 'url'] as const;
export type PageGrouping = (typeof pageGroupings)[number];

export const filterOperators = ['=', '!=', '>', '>=', '<', '<='] as const;
export type FilterOperator = (typeof filterOperators)[number];
/** A condition on a property of the event (`properties`, dotted keys for nested objects); `>`, `<`… compare numbers. */
export interface PropertyFilter { key: string; op: FilterOperator; value: string }
export type Matcher = ({ kind: 'page'; glob: string } | { kind: 'event'; name: string }) & { filters?: PropertyFilter[] };
export interface FunnelStep { label: string; anyOf: Matcher[] }

/** browse → product → cart → checkout → order, as the Segment e-commerce spec and storefront URLs name them. */
export const PURCHASE_STEPS = 'page:*>page:/products/*|event:Product Viewed>event:Product Added|page:/cart>event:Checkout Started|page:/checkout*>event:Order Completed';
const PURCHASE_LABELS = ['Browse', 'Product', 'Cart', 'Checkout', 'Order'];
export const REPEAT_WINDOW_DAYS = 90;

const MAX_STEPS = 8;
/** The most sessions before a lapse the exits report reads per customer (journey.table.ts keeps as many next starts). */
export const MAX_LAST_SESSIONS = 5;
const MAX_FILTERS = 5;
const PROPERTY_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*(\.[A-Za-z_$][A-Za-z0-9_$-]*){0,4}$/;
const MAX_TEXT = 200;
const MAX_RANGE_DAYS = 20 * 366;
/** Browsing is timestamped by computers: nothing before the Unix epoch, and days far ahead cannot be bucketed. */
const EARLIEST = '1970-01-01';
const LATEST = '2999-12-31';

const text = z.string().min(1).max(1000);
const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const common = { from: z.string().optional(), to: z.string().optional() };

export const journeyQuerySchemas = {
  funnels: z.strictObject({
    ...common,
    funnel: z.enum(readyFunnels).optional(),
    steps: text.optional(),
    count: z.enum(funnelUnits).optional(),
    window_days: intIn(1, 365).optional(),
    period: z.enum(periods).optional(),
    breakdown: z.enum(funnelBreakdowns).optional(),
    segment: z.string().min(1).max(100).optional(),
    limit: intIn(1, 50).optional(),
  }),
  paths: z.strictObject({
    ...common,
    start: text.optional(),
    end: text.optional(),
    steps: intIn(1, 5).optional(),
    group: z.enum(pageGroupings).optional(),
    limit: intIn(1, 200).optional(),
  }),
  exits: z.strictObject({
    ...common,
    sessions: intIn(1, MAX_LAST_SESSIONS).optional(),
    min_customers: intIn(1, 100_000).optional(),
    group: z.enum(pageGroupings).optional(),
    limit: intIn(1, 500).optional(),
  }),
  lifecycle: z.strictObject({ ...common }),
} as const;

export interface JourneyRange { from: string; to: string }

export interface FunnelQuery extends JourneyRange {
  funnel: ReadyFunnel | 'custom';
  steps: FunnelStep[];
  count: FunnelUnit;
  /** Days from the first step within which the later steps count (customer funnels; sessions are their own window). */
  windowDays: number | null;
  period: Period;
  /** The split shown beside the totals (the repeat funnel: always the acquisition channel). */
  breakdown: FunnelBreakdown;
  /** The segment whose members and non-members `breakdown=segment` compares. */
  segmentId: string | null;
  limit: number;
}
export interface PathQuery extends JourneyRange { direction: 'after' | 'before'; anchor: FunnelStep; steps: number; group: PageGrouping; limit: number }
export interface ExitQuery extends JourneyRange { sessions: number; minCustomers: number; group: PageGrouping; limit: number }
export type LifecycleQuery = JourneyRange;

export interface JourneyDefaults {
  /** The store's last day with data (local); the default end of the range. */
  lastDay: string;
  /** The store's first day with orders; the default start of the exit comparison. */
  firstDay: string | undefined;
  /** 'query.' for the API, '--' for the CLI. */
  fieldPrefix: string;
}

const invalid = (details: ErrorDetail[]) => new AppError('validation_failed', 'Invalid journey query', details);

function fieldName(prefix: string, name: string): string {
  return `${prefix}${prefix === '--' ? name.replace(/_/g, '-') : name}`;
}

/** Splits at a separator outside brackets (so a filter's `>` or `|` stays in its matcher). */
export function splitOutside(source: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i];
    if (c === '[') depth += 1;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === separator && depth === 0) {
      parts.push(source.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(source.slice(start));
  return parts;
}

/** `key=value,key>=10` inside a matcher's brackets; the reason it is not, else the filters. */
function parseFilters(source: string): PropertyFilter[] | string {
  const filters: PropertyFilter[] = [];
  for (const part of source.split(',').map((p) => p.trim())) {
    const match = /^([^=!<>\s]+)\s*(!=|>=|<=|=|>|<)\s*(.*)$/.exec(part);
    if (!match) return `"${part.slice(0, 60)}" is not key=value (or !=, >, >=, <, <=)`;
    const [, key, op, value] = match as unknown as [string, string, FilterOperator, string];
    if (!PROPERTY_KEY.test(key)) return `"${key.slice(0, 60)}" is not a property name (letters, digits, _ and dots for nested properties)`;
    if (op !== '=' && op !== '!=' && !Number.isFinite(Number(value))) return `${key} ${op} needs a number, not "${value.slice(0, 60)}"`;
    if (value.length > MAX_TEXT) return `the value of ${key} is longer than ${MAX_TEXT} characters`;
    filters.push({ key, op, value: value.trim() });
  }
  if (filters.length > MAX_FILTERS) return `at most ${MAX_FILTERS} property filters on a matcher`;
  return filters;
}

const filterLabel = (filters: PropertyFilter[] | undefined) => (filters?.length ? ` [${filters.map((f) => `${f.key}${f.op}${f.value}`).join(', ')}]` : '');

/** Parses one matcher list ("page:/cart|event:Product Added[price>=20]"); problems are pushed, not thrown. */
export function parseStep(source: string, path: string, problems: ErrorDetail[]): FunnelStep | undefined {
  const anyOf: Matcher[] = [];
  for (const part of splitOutside(source, '|').map((p) => p.trim())) {
    const match = /^(page|event):([^[]+?)\s*(?:\[(.*)\])?$/s.exec(part);
    if (!match || match[2]!.trim().length === 0 || match[2]!.length > MAX_TEXT) {
      problems.push({ path, reason: `"${part.slice(0, 60)}" is not page:<path pattern> or event:<name>, with [property filters] if any` });
      return undefined;
    }
    const value = match[2]!.trim();
    if (match[1] === 'page' && !value.startsWith('/') && value !== '*') {
      problems.push({ path, reason: `page pattern "${value.slice(0, 60)}" must start with / (or be *)` });
      return undefined;
    }
    const filters = match[3] === undefined ? [] : parseFilters(match[3]);
    if (typeof filters === 'string') {
      problems.push({ path, reason: filters });
      return undefined;
    }
    const matcher: Matcher = match[1] === 'page' ? { kind: 'page', glob: value } : { kind: 'event', name: value };
    if (filters.length) matcher.filters = filters;
    anyOf.push(matcher);
  }
  return { label: anyOf.map((m) => (m.kind === 'page' ? m.glob : m.name) + filterLabel(m.filters)).join(' or '), anyOf };
}

function parseRange(raw: { from?: string | undefined; to?: string | undefined }, defaults: JourneyDefaults, defaultFrom: (to: string) => string): JourneyRange {
  const field = (name: string) => fieldName(defaults.fieldPrefix, name);
  const problems: ErrorDetail[] = [];
  for (const name of ['from', 'to'] as const) {
    const value = raw[name];
    if (value !== undefined && !isDate(value)) problems.push({ path: field(name), reason: `"${value}" is not a date (YYYY-MM-DD)` });
    else if (value !== undefined && (value < EARLIEST || value > LATEST)) problems.push({ path: field(name), reason: `must be between ${EARLIEST} and ${LATEST}` });
  }
  if (problems.length) throw invalid(problems);
  const to = raw.to ?? defaults.lastDay;
  let from = raw.from ?? defaultFrom(to);
  if (raw.from === undefined && from > to) from = to;
  if (from > to) problems.push({ path: field('from'), reason: `must not be after to (${to})` });
  else if (daysBetween(from, to) > MAX_RANGE_DAYS) problems.push({ path: field('from'), reason: 'the range may span at most 20 years' });
  if (problems.length) throw invalid(problems);
  return { from, to };
}

function strictParse<S extends z.ZodType>(schema: S, input: unknown, prefix: string): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  throw invalid(parsed.error.issues.map((issue) => ({
    path: issue.path.length ? fieldName(prefix, issue.path.map(String).join('.')) : `${prefix}(query)`,
    reason: issue.code === 'unrecognized_keys' ? `unknown parameter(s) ${issue.keys.join(', ')}` : issue.message,
  })));
}

const yearBefore = (to: string) => addDays(to, -364);

export function parseFunnelQuery(input: unknown, defaults: JourneyDefaults): FunnelQuery {
  const raw = strictParse(journeyQuerySchemas.funnels, input, defaults.fieldPrefix);
  const field = (name: string) => fieldName(defaults.fieldPrefix, name);
  if (raw.funnel !== undefined && raw.steps !== undefined) throw invalid([{ path: field('steps'), reason: 'give either funnel (a ready funnel) or steps, not both' }]);
  const range = parseRange(raw, defaults, yearBefore);
  const funnel = raw.steps !== undefined ? 'custom' : raw.funnel ?? 'purchase';
  if (funnel === 'repeat' && raw.breakdown !== undefined && raw.breakdown !== 'channel') throw invalid([{ path: field('breakdown'), reason: 'the repeat funnel is about first-time customers; it breaks down by channel' }]);
  if ((raw.breakdown === 'segment') !== (raw.segment !== undefined)) {
    throw invalid([{ path: field('segment'), reason: raw.segment === undefined ? 'breakdown=segment needs the segment to compare (its id)' : 'segment is for breakdown=segment' }]);
  }
  if (funnel === 'repeat' && (raw.count !== undefined || raw.window_days !== undefined)) {
    throw invalid([{ path: field(raw.count !== undefined ? 'count' : 'window_days'), reason: `the repeat funnel counts customers within ${REPEAT_WINDOW_DAYS} days of their first order` }]);
  }
  const problems: ErrorDetail[] = [];
  const sources = funnel === 'repeat' ? [] : splitOutside(raw.steps ?? PURCHASE_STEPS, '>');
  if (sources.length > MAX_STEPS) problems.push({ path: field('steps'), reason: `at most ${MAX_STEPS} steps` });
  else if (funnel === 'custom' && sources.length < 2) problems.push({ path: field('steps'), reason: 'a funnel needs at least two steps, separated by >' });
  const steps = problems.length ? [] : sources.map((s) => parseStep(s.trim(), field('steps'), problems)).filter((s): s is FunnelStep => s !== undefined);
  if (problems.length) throw invalid(problems.slice(0, 1));
  const count = raw.count ?? 'session';
  if (count === 'session' && raw.window_days !== undefined) throw invalid([{ path: field('window_days'), reason: 'a session is its own window; window_days is for count=customer' }]);
  return {
    ...range, funnel, count, period: raw.period ?? 'month', limit: raw.limit ?? 5,
    breakdown: funnel === 'repeat' ? 'channel' : raw.breakdown ?? 'customer_type', segmentId: raw.segment ?? null,
    steps: funnel === 'purchase' ? steps.map((s, i) => ({ ...s, label: PURCHASE_LABELS[i]! })) : funnel === 'repeat'
      ? [{ label: 'First order', anyOf: [] }, { label: `Second order within ${REPEAT_WINDOW_DAYS} days`, anyOf: [] }] : steps,
    windowDays: funnel === 'repeat' ? REPEAT_WINDOW_DAYS : count === 'customer' ? raw.window_days ?? 30 : null,
  };
}

export function parsePathQuery(input: unknown, defaults: JourneyDefaults): PathQuery {
  const raw = strictParse(journeyQuerySchemas.paths, input, defaults.fieldPrefix);
  const field = (name: string) => fieldName(defaults.fieldPrefix, name);
  if ((raw.start === undefined) === (raw.end === undefined)) {
    throw invalid([{ path: field('start'), reason: 'give start (paths after a page or event) or end (paths before it), one of them' }]);
  }
  const range = parseRange(raw, defaults, yearBefore);
  const problems: ErrorDetail[] = [];
  const name = raw.start !== undefined ? 'start' : 'end';
  const anchor = parseStep((raw.start ?? raw.end)!, field(name), problems);
  if (!anchor) throw invalid(problems);
  return { ...range, direction: raw.start !== undefined ? 'after' : 'before', anchor, steps: raw.steps ?? 3, group: raw.group ?? 'pattern', limit: raw.limit ?? 20 };
}

export function parseExitQuery(input: unknown, defaults: JourneyDefaults): ExitQuery {
  const raw = strictParse(journeyQuerySchemas.exits, input, defaults.fieldPrefix);
  const range = parseRange(raw, defaults, (to) => defaults.firstDay !== undefined && defaults.firstDay < to ? defaults.firstDay : yearBefore(to));
  return { ...range, sessions: raw.sessions ?? 2, minCustomers: raw.min_customers ?? 20, group: raw.group ?? 'pattern', limit: raw.limit ?? 50 };
}

export function parseLifecycleQuery(input: unknown, defaults: JourneyDefaults): LifecycleQuery {
  const raw = strictParse(journeyQuerySchemas.lifecycle, input, defaults.fieldPrefix);
  return parseRange(raw, defaults, yearBefore);
}

/** A glob (`*` any characters) as a SQL LIKE pattern, with LIKE's own wildcards escaped (escape character `\`). */
export function globToLike(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
}
