/**
 * Date triggers (docs/flows.md, "Date triggers"): which customers' day comes on which of the
 * store's calendar days. One query per trigger over a range of days gives, for each day, the
 * customers to enrol — the day job asks for one day, the backtest for its window.
 *
 * - `birthday`: the customer's birthday (`YYYY-MM-DD` or `--MM-DD`), every year;
 * - `first_order_anniversary`: the day of their first (not cancelled) order, from its first
 *   anniversary on;
 * - `next_order_predicted`: the `next_order_on` of their current prediction, unless they ordered
 *   since it was scored;
 * - `reorder_due`: for each product they bought, the day of their last purchase of it plus their
 *   own median interval between purchases of it (when they bought it twice or more) or else the
 *   product's median interval across customers (when at least REORDER_MIN_REPEATS repeat purchases
 *   give one); a product bought once, without a usual interval, never comes due;
 * - `attribute`: the date in a custom attribute (its first ten characters as YYYY-MM-DD), on the
 *   day, or with `yearly` on every anniversary from the day on.
 * 29 February comes back on 28 February in a year without one. Days are the store's: an order's day
 * is its calendar day in the store's time zone. `offset_days` shifts the day the customer enters
 * (-7: a week before the date).
 */
import { sql, type RawBuilder } from 'kysely';
import { fallsYearlyOn } from '../customers/index.js';
import type { Trigger } from './flow.schema.js';

type DateTrigger = Extract<Trigger, { kind: 'date' }>;

/** Repeat purchases of a product (across customers) that give it a usual reorder interval. */
export const REORDER_MIN_REPEATS = 5;

/** The calendar day of a timestamp column in the store's time zone. */
const localDate = (column: RawBuilder<unknown>, zone: string) => sql`cast(timezone(${zone}, ${column} at time zone 'UTC') as date)`;

/**
 * `select customer_id, day, entity_id` for every store day from `fromDay` to `toDay` (YYYY-MM-DD,
 * inclusive) on which the trigger enrols the customer; `entity_id` is the due product's row id for
 * `reorder_due`, else null.
 */
export function dateMatches(storeId: string, trigger: DateTrigger, zone: string, fromDay: string, toDay: string): RawBuilder<{ customer_id: number; day: Date; entity_id: number | null }> {
  const days = sql`(select cast(range as date) as day, cast(range as date) - ${trigger.offset_days}::integer as target
    from range(${fromDay}::date, ${toDay}::date + 1, interval 1 day))`;
  switch (trigger.date) {
    case 'birthday':
      return sql`select c.id as customer_id, d.day, null::bigint as entity_id from customers c join ${days} d on ${fallsYearlyOn(sql`right(c.birthday, 5)`, sql`d.target`)}
        where c.store_id = ${storeId} and c.birthday is not null`;
    case 'first_order_anniversary':
      return sql`select f.customer_id, d.day, null::bigint as entity_id from (
          select customer_id, ${localDate(sql`min(placed_at)`, zone)} as first_day from orders
          where store_id = ${storeId} and customer_id is not null and status <> 'cancelled' group by customer_id) f
        join ${days} d on ${fallsYearlyOn(sql`strftime(f.first_day, '%m-%d')`, sql`d.target`)} and year(f.first_day) < year(d.target)`;
    case 'next_order_predicted':
      return sql`select p.customer_id, d.day, null::bigint as entity_id from customer_predictions p join ${days} d on p.next_order_on = d.target
        where p.store_id = ${storeId} and not exists (select 1 from orders o where o.store_id = p.store_id and o.customer_id = p.customer_id and o.placed_at >= p.scored_at)`;
    case 'reorder_due':
      return reorderDue(storeId, trigger, zone, days);
    case 'attribute': {
      const value = sql`try_cast(left(json_extract_string(c.attributes, ${`$.${trigger.attribute!}`}), 10) as date)`;
      const on = trigger.yearly ? sql`${fallsYearlyOn(sql`strftime(a.at, '%m-%d')`, sql`d.target`)} and a.at <= d.target` : sql`a.at = d.target`;
      return sql`select a.customer_id, d.day, null::bigint as entity_id from (
          select c.id as customer_id, ${value} as at from customers c where c.store_id = ${storeId} and c.attributes is not null) a
        join ${days} d on ${on} where a.at is not null`;
    }
  }
}

function reorderDue(storeId: string, trigger: DateTrigger, zone: string, days: RawBuilder<unknown>): RawBuilder<{ customer_id: number; day: Date; entity_id: number | null }> {
  const product = trigger.product === undefined ? sql`` : sql`and p.external_id = ${trigger.product}`;
  return sql`with purchases as (
      select distinct o.customer_id, l.product_id, ${localDate(sql`o.placed_at`, zone)} as day
      from order_lines l join orders o on o.store_id = l.store_id and o.id = l.order_id join products p on p.store_id = l.store_id and p.id = l.product_id
      where l.store_id = ${storeId} and o.customer_id is not null and o.status <> 'cancelled' ${product}),
    gaps as (select customer_id, product_id, day, day - lag(day) over (partition by customer_id, product_id order by day) as gap from purchases),
    usual as (select product_id, median(gap) as days from gaps where gap is not null group by product_id having count(gap) >= ${REORDER_MIN_REPEATS}),
    own as (select customer_id, product_id, max(day) as last_day, median(gap) as days from gaps group by customer_id, product_id),
    due as (
      select own.customer_id, own.product_id, own.last_day + cast(round(coalesce(own.days, usual.days)) as integer) as due_day
      from own left join usual using (product_id) where coalesce(own.days, usual.days) is not null)
    select customer_id, d.day, min(product_id) as entity_id from due join ${days} d on due.due_day = d.target group by customer_id, d.day`;
}
