/**
 * RFM scores and segments as of a date. Recency is days from the customer's last order to that
 * date, frequency their orders, monetary their revenue net of returns, all up to the date. Each
 * score is 1 + floor(5 × percent rank) among all of the store's customers with an order by then
 * (so quintiles, with ties sharing the lower score); a more recent last order scores higher.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { Filters } from '../analytics.query.js';
import { attributeFilters } from '../filters.sql.js';
import { segmentRules } from '../rfm-segments.js';
import { date } from './sql-helpers.js';

/** Customers per score cell (R, FM); the segment follows from the cell. Sums, so cells add up. */
export interface RfmCellRow {
  r: number;
  fm: number;
  segment: string;
  customers: number;
  revenue: number;
  recencyDays: number;
  orders: number;
}

export interface RfmMovementRow {
  from: string | null;
  to: string | null;
  customers: number;
}

function segmentCase(r: RawBuilder<unknown>, fm: RawBuilder<unknown>): RawBuilder<string> {
  const lit = (n: number) => sql.lit(n);
  const whens = segmentRules.map((rule) => sql`when ${r} between ${lit(rule.r[0])} and ${lit(rule.r[1])} and ${fm} between ${lit(rule.fm[0])} and ${lit(rule.fm[1])} then ${sql.lit(rule.segment)}`);
  return sql<string>`case ${sql.join(whens, sql` `)} end`;
}

/** One row per customer with an order by `asOf`: recency, frequency, monetary, scores and segment. */
function scored(storeId: string, asOf: string, current: boolean): RawBuilder<unknown> {
  const base = current
    ? sql`select customer_id, last_day, orders, revenue from customer_summary where store_id = ${storeId}`
    : sql`select customer_id, max(day) filter (where is_order) as last_day, count(*) filter (where is_order) as orders, sum(revenue) as revenue
        from order_facts where store_id = ${storeId} and customer_id is not null and day <= ${date(asOf)}
        group by customer_id having count(*) filter (where is_order) > 0`;
  const score = (order: RawBuilder<unknown>) => sql`least(5, 1 + cast(floor(5 * percent_rank() over (order by ${order})) as integer))`;
  return sql`(
    select customer_id, recency, orders, revenue, r, f, m, ${segmentCase(sql`r`, sql`cast(floor((f + m + 1) / 2) as integer)`)} as segment
    from (
      select customer_id, ${date(asOf)} - last_day as recency, orders, revenue,
        ${score(sql`last_day`)} as r, ${score(sql`orders`)} as f, ${score(sql`revenue`)} as m
      from (${base}) b
    ) s
  )`;
}

const customerFilter = (storeId: string, filters: Filters, alias: string) => (Object.keys(filters).length
  ? sql`and ${sql.ref(`${alias}.customer_id`)} in (select c.customer_id from customer_summary c where c.store_id = ${storeId} ${attributeFilters(filters, 'c', storeId)})`
  : sql``);

export async function rfmCells(db: Db, storeId: string, asOf: string, current: boolean, filters: Filters): Promise<RfmCellRow[]> {
  const { rows } = await sql<RfmCellRow>`
    select r, cast(floor((f + m + 1) / 2) as integer) as fm, segment, count(*) as "customers", coalesce(sum(revenue), 0) as "revenue",
      sum(recency) as "recencyDays", sum(orders) as "orders"
    from ${scored(storeId, asOf, current)} x where true ${customerFilter(storeId, filters, 'x')}
    group by 1, 2, 3 order by 1, 2
  `.execute(db);
  return rows;
}

/** Customers per (segment at `since`, segment at `asOf`); null = no order yet at `since`. */
export async function rfmMovement(db: Db, storeId: string, since: string, asOf: string, current: boolean, filters: Filters): Promise<RfmMovementRow[]> {
  const { rows } = await sql<RfmMovementRow>`
    select a.segment as "from", b.segment as "to", count(*) as "customers"
    from ${scored(storeId, asOf, current)} b
    left join ${scored(storeId, since, false)} a on a.customer_id = b.customer_id
    where true ${customerFilter(storeId, filters, 'b')}
    group by 1, 2 order by 3 desc, 1 nulls first, 2
  `.execute(db);
  return rows;
}
