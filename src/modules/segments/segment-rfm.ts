/**
 * Per-customer RFM scores and segment for rule conditions, with the same definition as the RFM
 * report (analytics module): recency from the last order day, frequency from orders, monetary
 * from revenue net of returns, each scored 1 + floor(5 × percent rank) among the store's buyers,
 * and the segment from the analytics R × FM grid. Read from the analytics per-customer summary.
 */
import { sql, type RawBuilder } from 'kysely';
import { segmentRules, segments as rfmSegmentNames } from '../analytics/index.js';

export const rfmSegments: readonly string[] = rfmSegmentNames;

export function rfmScores(storeId: string): RawBuilder<unknown> {
  const score = (order: string) => sql`least(5, 1 + cast(floor(5 * percent_rank() over (order by ${sql.raw(order)})) as integer))`;
  const fm = sql`cast(floor((f + m + 1) / 2) as integer)`;
  const whens = segmentRules.map((rule) => sql`when r between ${sql.lit(rule.r[0])} and ${sql.lit(rule.r[1])} and ${fm} between ${sql.lit(rule.fm[0])} and ${sql.lit(rule.fm[1])} then ${sql.lit(rule.segment)}`);
  return sql`(select customer_id, r, f, m, case ${sql.join(whens, sql` `)} end as segment from (
    select customer_id, ${score('last_day')} as r, ${score('orders')} as f, ${score('revenue')} as m
    from customer_summary where store_id = ${storeId}) s)`;
}
