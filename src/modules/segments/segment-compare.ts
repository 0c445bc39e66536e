/**
 * One comparison (field type, operator, value) as SQL over an already-safe target expression.
 * Values are always bound as parameters. Text comparisons with contains/starts_with are
 * case-insensitive, as a marketer typing "gmail" expects; eq/in are exact.
 */
import { sql, type RawBuilder } from 'kysely';
import { parseInstant, DAY_MS } from '../../lib/time.js';
import type { FieldType } from './segment-fields.js';
import type { Operator, RuleValue } from './segment-rule.schema.js';

export type Sql = RawBuilder<unknown>;

const isDateOnly = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text.trim());

/** The instant a date bound stands for; `end` makes a bare date cover its whole day. */
function instant(value: unknown, end = false): Date {
  const text = String(value);
  const date = parseInstant(text)!;
  return end && isDateOnly(text) ? new Date(date.getTime() + DAY_MS) : date;
}

export interface CompareOptions {
  asOf: Date;
  /** Marks that the result depends on the clock. */
  onClock: () => void;
}

export function compare(target: Sql, type: FieldType, op: Operator, value: RuleValue, options: CompareOptions): RawBuilder<boolean> {
  const daysFromNow = (days: number) => {
    options.onClock();
    return new Date(options.asOf.getTime() + days * DAY_MS);
  };
  const num = (v: unknown) => (type === 'money' ? Math.round(Number(v)) : Number(v));
  switch (op) {
    case 'is_set':
      if (type === 'string') return sql`(${target} is not null and ${target} <> '')`;
      if (type === 'list') return sql`len(${target}) > 0`;
      return sql`${target} is not null`;
    case 'is_not_set':
      if (type === 'string') return sql`(${target} is null or ${target} = '')`;
      if (type === 'list') return sql`(${target} is null or len(${target}) = 0)`;
      return sql`${target} is null`;
    case 'eq':
      return type === 'string' || type === 'boolean' ? sql`${target} = ${value}` : sql`${target} = ${num(value)}`;
    case 'neq':
      // "country is not US" includes customers without a country.
      return type === 'string' ? sql`${target} is distinct from ${value}` : sql`${target} is distinct from ${num(value)}`;
    case 'gt': return sql`${target} > ${num(value)}`;
    case 'gte': return sql`${target} >= ${num(value)}`;
    case 'lt': return sql`${target} < ${num(value)}`;
    case 'lte': return sql`${target} <= ${num(value)}`;
    case 'between': {
      const [low, high] = value as [unknown, unknown];
      if (type === 'date') return sql`(${target} >= ${instant(low)} and ${target} < ${instant(high, true)})`;
      return sql`${target} between ${num(low)} and ${num(high)}`;
    }
    case 'in': return sql`list_contains(${(value as string[]).map(String)}::varchar[], ${target})`;
    case 'not_in': return sql`not coalesce(list_contains(${(value as string[]).map(String)}::varchar[], ${target}), false)`;
    case 'contains':
      return type === 'list' ? sql`list_contains(${target}, ${value})` : sql`strpos(lower(${target}), lower(${value})) > 0`;
    case 'not_contains':
      return type === 'list' ? sql`not list_contains(${target}, ${value})` : sql`coalesce(strpos(lower(${target}), lower(${value})), 0) = 0`;
    case 'starts_with': return sql`starts_with(lower(${target}), lower(${value}))`;
    case 'before': return sql`${target} < ${instant(value)}`;
    case 'after': return isDateOnly(String(value)) ? sql`${target} >= ${instant(value, true)}` : sql`${target} > ${instant(value)}`;
    case 'within_last_days': return sql`(${target} >= ${daysFromNow(-Number(value))} and ${target} <= ${daysFromNow(0)})`;
    case 'more_than_days_ago': return sql`${target} < ${daysFromNow(-Number(value))}`;
    case 'within_next_days': {
      const today = new Date(Math.floor(options.asOf.getTime() / DAY_MS) * DAY_MS);
      options.onClock();
      return sql`(${target} >= ${today} and ${target} <= ${daysFromNow(Number(value))})`;
    }
    case 'top_percent':
      throw new Error('top_percent is compiled by the rule compiler, which knows the ranking population');
  }
}
