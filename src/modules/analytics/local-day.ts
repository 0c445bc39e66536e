/**
 * The store-local day of a UTC timestamp, fast. Converting every row through ICU time zones costs
 * about 2 µs per row (20 s at 10M orders); a time zone's offset changes only at its DST
 * transitions, so the offsets are computed once per 15 minutes of the data's span (ICU, a few
 * thousand rows per year), reduced to the transitions, and applied as a CASE over plain
 * timestamp comparisons — about 7× faster and exactly the same days.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../db/database.js';

const BUCKET_SECONDS = 900;

interface Transition { starts: Date; offsetSeconds: number }

async function transitions(tx: Tx, timezone: string, from: Date, to: Date): Promise<Transition[]> {
  const lo = Math.floor(from.getTime() / 1000 / BUCKET_SECONDS);
  const hi = Math.floor(to.getTime() / 1000 / BUCKET_SECONDS) + 1;
  const { rows } = await sql<{ start_s: number; off_s: number }>`
    with offsets as (
      select b, cast(epoch(cast((ts at time zone 'UTC') at time zone ${timezone} as timestamp)) - epoch(ts) as bigint) as off_s
      from (select b, make_timestamp(b * cast(${BUCKET_SECONDS * 1_000_000} as bigint)) as ts from range(cast(${lo} as bigint), cast(${hi + 1} as bigint)) r(b)) t
    )
    select b * ${BUCKET_SECONDS} as start_s, off_s from (
      select b, off_s, lag(off_s) over (order by b) as previous from offsets
    ) t where previous is null or previous <> off_s order by b
  `.execute(tx);
  return rows.map((row) => ({ starts: new Date(row.start_s * 1000), offsetSeconds: row.off_s }));
}

/**
 * A SQL expression for the local date of `column` (a UTC TIMESTAMP), valid for timestamps between
 * `from` and `to`, the span of the data it is applied to.
 */
export async function localDayExpression(tx: Tx, timezone: string, column: RawBuilder<unknown>, from: Date | null, to: Date | null): Promise<RawBuilder<string>> {
  if (!from || !to) return sql<string>`cast(${column} as date)`;
  const list = await transitions(tx, timezone, from, to);
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
