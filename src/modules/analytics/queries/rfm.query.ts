/**
 * RFM scores and segments as of a date. Recency is days from the customer's last order to that
 * date, frequency their orders, monetary their revenue net of returns, all up to the date. Each
 * score is 1 + floor(5 × percent rank) among all of the store's customers with an order by then,
 * percent rank = (rank − 1) / (n − 1) with ties sharing the lowest rank (so quintiles, ties
 * sharing the lower score); a more recent last order scores higher.
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

/**
 * The four cut points of a score: score ≥ k + 1 exactly when 5 × (rank − 1) ≥ k × (n − 1), and
 * rank − 1 is the number of smaller values, so each cut is the smallest value with that many
 * smaller ones. Found on the histogram of values — no sort of every customer.
 */
function cuts(column: string): RawBuilder<unknown> {
  const value = sql.ref(column);
  const cut = (k: number) => sql`min(v) filter (where below * 5 >= ${sql.lit(k)} * (n - 1))`;
  return sql`(
    select ${cut(1)} as t1, ${cut(2)} as t2, ${cut(3)} as t3, ${cut(4)} as t4, max(n) as n
    from (select v, sum(c) over (order by v) - c as below, n from (select ${value} as v, count(*) as c from b group by 1) h, (select count(*) as n from b) total) x
  )`;
}

/** 1 + the cuts at or below the value; everybody scores 1 when there is a single customer. */
function score(column: string, cut: string): RawBuilder<unknown> {
  const v = sql.ref(`b.${column}`);
  const above = (k: number) => sql`cast(coalesce(${v} >= ${sql.ref(`${cut}.t${k}`)}, false) as integer)`;
  return sql`case when ${sql.ref(`${cut}.n`)} > 1 then 1 + ${above(1)} + ${above(2)} + ${above(3)} + ${above(4)} else 1 end`;
}

/** One row per customer with an order by `asOf`: recency, frequency, monetary, scores and segment. */
function scored(storeId: string, asOf: string, current: boolean): RawBuilder<unknown> {
  const base = current
    ? sql`select customer_id, last_day, orders, revenue from customer_summary where store_id = ${storeId}`
    : sql`select customer_id, max(day) filter (where is_order) as last_day, count(*) filter (where is_order) as orders, sum(revenue) as revenue
        from order_facts where store_id = ${storeId} and customer_id is not null and day <= ${date(asOf)}
        group by customer_id having count(*) filter (where is_order) > 0`;
  return sql`(
    with b as (${base}), cr as ${cuts('last_day')}, cf as ${cuts('orders')}, cm as ${cuts('revenue')}
    select customer_id, recency, orders, revenue, r, f, m, ${segmentCase(sql`r`, sql`cast(floor((f + m + 1) / 2) as integer)`)} as segment
    from (
      select b.customer_id, ${date(asOf)} - b.last_day as recency, b.orders, b.revenue,
        ${score('last_day', 'cr')} as r, ${score('orders', 'cf')} as f, ${score('revenue', 'cm')} as m
      from b, cr, cf, cm
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
