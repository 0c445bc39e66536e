/**
 * The store-local day of a UTC timestamp, fast. Converting every row through ICU time zones costs
 * about 2 µs per row (20 s at 10M orders); a time zone's offset changes only at its DST
 * transitions, so those are found once for the data's span (a daily scan with Intl, then a binary
 * search to the millisecond inside each day where the offset changes) and applied as a CASE over
 * plain timestamp comparisons — several times faster, and exactly the same days.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../db/database.js';

const DAY_MS = 86_400_000;

export interface Transition { starts: Date; offsetSeconds: number }

/** The zone's UTC offset in seconds at an instant. */
export function offsetAt(format: Intl.DateTimeFormat, ms: number): number {
  const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 1000);
}

/** The offset in force at `from` and every change of offset up to `to`. */
export function transitions(timezone: string, from: Date, to: Date): Transition[] {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  const start = from.getTime() - DAY_MS;
  const list: Transition[] = [{ starts: new Date(start), offsetSeconds: offsetAt(format, start) }];
  for (let day = start; day < to.getTime() + DAY_MS; day += DAY_MS) {
    const before = list[list.length - 1]!.offsetSeconds;
    const after = offsetAt(format, day + DAY_MS);
    if (after === before) continue;
    let lo = day;
    let hi = day + DAY_MS;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(format, mid) === before) lo = mid;
      else hi = mid;
    }
    list.push({ starts: new Date(hi), offsetSeconds: after });
  }
  return list;
}

/**
 * A SQL expression for the local date of `column` (a UTC TIMESTAMP), valid for timestamps between
 * `from` and `to`, the span of the data it is applied to.
 */
export function localDayExpression(timezone: string, column: RawBuilder<unknown>, from: Date | null, to: Date | null): RawBuilder<string> {
  if (!from || !to) return sql<string>`cast(${column} as date)`;
  const list = transitions(timezone, from, to);
  const shifted = (seconds: number) => (seconds === 0 ? column : sql`${column} + to_seconds(${seconds})`);
  if (list.length <= 1) return sql<string>`cast(${shifted(list[0]?.offsetSeconds ?? 0)} as date)`;
  const whens = list.slice(1).map((next, i) => sql`when ${column} < ${next.starts} then cast(${shifted(list[i]!.offsetSeconds)} as date)`);
  return sql<string>`case ${sql.join(whens, sql` `)} else cast(${shifted(list[list.length - 1]!.offsetSeconds)} as date) end`;
}

/** The span of order and return times of a store, for `localDayExpression`. */
export async function dataSpan(tx: Tx, storeId: string): Promise<{ from: Date | null; to: Date | null }> {
  const { rows } = await sql<{ from: Date | null; to: Date | null }>`
    select least((select min(placed_at) from orders where store_id = ${storeId}), (select min(returned_at) from returns where store_id = ${storeId})) as "from",
      greatest((select max(placed_at) from orders where store_id = ${storeId}), (select max(returned_at) from returns where store_id = ${storeId})) as "to"
  `.execute(tx);
  return rows[0] ?? { from: null, to: null };
}
