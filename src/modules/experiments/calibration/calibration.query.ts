/**
 * The people of a store as an A/A simulation needs them: every customer who had ordered before a
 * day of eligibility spread over `spanDays` (by a hash of the customer, so the same on every run),
 * each with the outcomes of the `windowDays` after it — converted, orders, net revenue — and the
 * covariates of the 365 days before: orders and net revenue. The days end `windowDays` before the
 * store's last order, so every window is complete.
 */
import { sql } from 'kysely';
import type { Storage } from '../../../db/database.js';
import type { Population } from '../../../lib/statistics/index.js';

export interface CalibrationPopulations {
  converted: Population;
  orders: Population;
  revenue: Population;
  /** Each person's customer id, in the order of the populations. */
  customers: Float64Array;
  /** The first and last day of eligibility. */
  from: Date | null;
  to: Date | null;
}

interface Row { customer_id: number; day: number; converted: number; orders: number; revenue: number; pre_orders: number; pre_revenue: number }

export async function calibrationPopulations(storage: Storage, storeId: string, options: { windowDays: number; spanDays: number }): Promise<CalibrationPopulations> {
  const { windowDays, spanDays } = options;
  const { rows: [bounds] } = await sql<{ last: Date | null }>`
    select max(placed_at) as last from orders where store_id = ${storeId} and status <> 'cancelled'`.execute(storage.read);
  const empty = (kind: Population['kind']): Population => ({ kind, y: new Float64Array(0), x: [new Float64Array(0), new Float64Array(0)], day: new Int32Array(0) });
  if (!bounds?.last) return { converted: empty('proportion'), orders: empty('mean'), revenue: empty('mean'), customers: new Float64Array(0), from: null, to: null };
  const first = new Date(bounds.last.getTime() - (windowDays + spanDays) * 86_400_000);
  const { rows } = await sql<Row>`
    with net as (
      select o.customer_id, o.placed_at, (o.total - coalesce(r.refunded, 0))::double as revenue
      from orders o
      left join (select order_id, sum(amount) as refunded from returns where store_id = ${storeId} and order_id is not null group by order_id) r on r.order_id = o.id
      where o.store_id = ${storeId} and o.customer_id is not null and o.status <> 'cancelled'
    ), people as (
      select customer_id, (hash(customer_id::varchar || ':calibration') % ${spanDays}::ubigint)::integer as day
      from net group by customer_id
    ), eligible as (
      select p.customer_id, p.day, ${first}::timestamp + to_days(p.day) as at from people p
    )
    select e.customer_id, e.day,
      (count(*) filter (where n.placed_at >= e.at and n.placed_at < e.at + to_days(${windowDays}::integer)) > 0)::integer as converted,
      count(*) filter (where n.placed_at >= e.at and n.placed_at < e.at + to_days(${windowDays}::integer))::double as orders,
      coalesce(sum(n.revenue) filter (where n.placed_at >= e.at and n.placed_at < e.at + to_days(${windowDays}::integer)), 0)::double as revenue,
      count(*) filter (where n.placed_at < e.at and n.placed_at >= e.at - to_days(365))::double as pre_orders,
      coalesce(sum(n.revenue) filter (where n.placed_at < e.at and n.placed_at >= e.at - to_days(365)), 0)::double as pre_revenue
    from eligible e join net n on n.customer_id = e.customer_id
    group by e.customer_id, e.day
    having min(n.placed_at) < min(e.at)
    order by e.customer_id`.execute(storage.read);
  const size = rows.length;
  const customers = new Float64Array(size);
  const day = new Int32Array(size);
  const converted = new Float64Array(size);
  const orders = new Float64Array(size);
  const revenue = new Float64Array(size);
  const preOrders = new Float64Array(size);
  const preRevenue = new Float64Array(size);
  rows.forEach((r, i) => {
    customers[i] = Number(r.customer_id);
    day[i] = Number(r.day);
    converted[i] = Number(r.converted);
    orders[i] = Number(r.orders);
    revenue[i] = Number(r.revenue);
    preOrders[i] = Number(r.pre_orders);
    preRevenue[i] = Number(r.pre_revenue);
  });
  const x = [preOrders, preRevenue];
  return {
    converted: { kind: 'proportion', y: converted, x, day }, orders: { kind: 'mean', y: orders, x, day }, revenue: { kind: 'mean', y: revenue, x, day }, customers,
    from: first, to: new Date(first.getTime() + (spanDays - 1) * 86_400_000),
  };
}
