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
import { segmentRules, type Segment } from '../rfm-segments.js';
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
  from: Segment | null;
  to: Segment | null;
  customers: number;
}

function segmentCase(r: RawBuilder<unknown>, fm: RawBuilder<unknown>): RawBuilder<string> {
  const lit = (n: number) => sql.lit(n);
  const whens = segmentRules.map((rule) => sql`when ${r} between ${lit(rule.r[0])} and ${lit(rule.r[1])} and ${fm} between ${lit(rule.fm[0])} and ${lit(rule.fm[1])} then ${sql.lit(rule.segment)}`);
  return sql<string>`case ${sql.join(whens, sql` `)} end`;
}

/** Score cut points: a value scores 1 + the number of cuts it reaches. */
export interface RfmCuts {
  customers: number;
  r: (string | null)[];
  f: (number | null)[];
  m: (number | null)[];
}

/** The customers' recency/frequency/monetary values as of a date. */
function base(storeId: string, asOf: string, current: boolean): RawBuilder<unknown> {
  return current
    ? sql`select customer_id, last_day, orders, revenue from customer_summary where store_id = ${storeId}`
    : sql`select customer_id, max(day) filter (where is_order) as last_day, count(*) filter (where is_order) as orders, sum(revenue) as revenue
        from order_facts where store_id = ${storeId} and customer_id is not null and day <= ${date(asOf)}
        group by customer_id having count(*) filter (where is_order) > 0`;
}

/**
 * Score ≥ k + 1 exactly when 5 × (rank − 1) ≥ k × (n − 1), and rank − 1 is the number of smaller
 * values, so cut k is the smallest value with at least k × (n − 1) / 5 smaller ones — read off the
 * histogram of values, without ranking every customer. They depend only on the summaries and the
 * date, so the service keeps them until the summaries change.
 */
export async function rfmCuts(db: Db, storeId: string, asOf: string, current: boolean): Promise<RfmCuts> {
  const cut = (k: number) => sql`min(v) filter (where below * 5 >= ${sql.lit(k)} * (n - 1))`;
  const cuts = (column: string) => sql`(
    select [${cut(1)}, ${cut(2)}, ${cut(3)}, ${cut(4)}]
    from (select v, sum(c) over (order by v) - c as below, n from (select ${sql.ref(column)} as v, count(*) as c from b group by 1) h, total) x
  )`;
  const { rows } = await sql<{ customers: number; r: (string | null)[]; f: (number | null)[]; m: (number | null)[] }>`
    with b as (${base(storeId, asOf, current)}), total as (select count(*) as n from b)
    select (select n from total) as customers, cast(${cuts('last_day')} as varchar[]) as r, ${cuts('orders')} as f, ${cuts('revenue')} as m
  `.execute(db);
  return rows[0]!;
}

/** 1 + the cuts a value reaches; everybody scores 1 when there is a single customer. */
function score(value: RawBuilder<unknown>, cuts: readonly (string | number | null)[], customers: number, type: 'date' | 'bigint'): RawBuilder<unknown> {
  if (customers <= 1) return sql`1`;
  const reached = cuts.map((c) => (c === null ? sql`0` : sql`cast(${value} >= cast(${c} as ${sql.raw(type)}) as integer)`));
  return sql`(1 + ${sql.join(reached, sql` + `)})`;
}

/** One row per customer with an order by `asOf`: recency, frequency, monetary, scores and segment. */
function scored(storeId: string, asOf: string, current: boolean, cuts: RfmCuts): RawBuilder<unknown> {
  return sql`(
    select customer_id, recency, orders, revenue, r, f, m, ${segmentCase(sql`r`, sql`cast(floor((f + m + 1) / 2) as integer)`)} as segment
    from (
      select b.customer_id, ${date(asOf)} - b.last_day as recency, b.orders, b.revenue,
        ${score(sql`b.last_day`, cuts.r, cuts.customers, 'date')} as r, ${score(sql`b.orders`, cuts.f, cuts.customers, 'bigint')} as f,
        ${score(sql`b.revenue`, cuts.m, cuts.customers, 'bigint')} as m
      from (${base(storeId, asOf, current)}) b
    ) s
  )`;
}

const customerFilter = (storeId: string, filters: Filters, alias: string) => (Object.keys(filters).length
  ? sql`and ${sql.ref(`${alias}.customer_id`)} in (select c.customer_id from customer_summary c where c.store_id = ${storeId} ${attributeFilters(filters, 'c', storeId)})`
  : sql``);

export async function rfmCells(db: Db, storeId: string, asOf: string, current: boolean, cuts: RfmCuts, filters: Filters): Promise<RfmCellRow[]> {
  const { rows } = await sql<RfmCellRow>`
    select r, cast(floor((f + m + 1) / 2) as integer) as fm, segment, count(*) as "customers", coalesce(sum(revenue), 0) as "revenue",
      sum(recency) as "recencyDays", sum(orders) as "orders"
    from ${scored(storeId, asOf, current, cuts)} x where true ${customerFilter(storeId, filters, 'x')}
    group by 1, 2, 3 order by 1, 2
  `.execute(db);
  return rows;
}

/** Customers per (segment at `since`, segment at `asOf`); null = no order yet at `since`. */
export async function rfmMovement(
  db: Db, storeId: string, at: { asOf: string; current: boolean; cuts: RfmCuts }, since: { date: string; cuts: RfmCuts }, filters: Filters,
): Promise<RfmMovementRow[]> {
  const { rows } = await sql<RfmMovementRow>`
    select a.segment as "from", b.segment as "to", count(*) as "customers"
    from ${scored(storeId, at.asOf, at.current, at.cuts)} b
    left join ${scored(storeId, since.date, false, since.cuts)} a on a.customer_id = b.customer_id
    where true ${customerFilter(storeId, filters, 'b')}
    group by 1, 2 order by 3 desc, 1 nulls first, 2
  `.execute(db);
  return rows;
}
