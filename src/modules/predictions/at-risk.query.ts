/**
 * Valuable customers at risk: customers in a churn-risk band (high by default) ordered by their
 * predicted 12-month CLV, with what they have bought so far — the first people to win back.
 */
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import type { ChurnRisk } from './predictions.table.js';

export type { ChurnRisk };

export interface AtRiskCustomer {
  id: number;
  externalId: string | null;
  name: string;
  email: string | null;
  country: string | null;
  pAlive: number;
  /** Probability of at least one order in the next 365 days (what the band is read from). */
  pOrder365d: number;
  /** Minor units; null without a spend model. */
  clv12m: number | null;
  expectedOrderValue: number | null;
  /** Orders that were not cancelled, their total (minor units) and the last one. */
  orders: number;
  spent: number;
  lastOrderAt: Date | null;
}

export interface AtRiskAnswer {
  risk: ChurnRisk;
  /** All customers in the band, and their predicted CLV in total (minor units). */
  customers: number;
  clvTotal: number;
  rows: AtRiskCustomer[];
}

interface Row {
  id: number;
  external_id: string | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  country: string | null;
  p_alive: number;
  p_order_365d: number;
  clv_12m: number | null;
  expected_order_value: number | null;
  orders: number | null;
  spent: number | null;
  last_order_at: Date | null;
}

export async function valuableAtRisk(storage: Storage, storeId: string, options: { limit: number; risk: ChurnRisk }): Promise<AtRiskAnswer> {
  const { rows: [band] } = await sql<{ customers: number; clv_total: number | null }>`
    select count(*) as customers, cast(sum(clv_12m) as bigint) as clv_total
    from customer_predictions where store_id = ${storeId} and churn_risk = ${options.risk}
  `.execute(storage.read);
  const { rows } = await sql<Row>`
    with top as (
      select customer_id, p_alive, p_order_365d, clv_12m, expected_order_value
      from customer_predictions where store_id = ${storeId} and churn_risk = ${options.risk}
      order by clv_12m desc nulls last, customer_id limit ${options.limit}
    ), bought as (
      select o.customer_id, count(*) as orders, cast(sum(o.total) as bigint) as spent, max(o.placed_at) as last_order_at
      from orders o join top on top.customer_id = o.customer_id
      where o.store_id = ${storeId} and o.status <> 'cancelled'
      group by o.customer_id
    )
    select c.id, c.external_id, c.email, c.first_name, c.last_name, c.country,
      top.p_alive, top.p_order_365d, top.clv_12m, top.expected_order_value, bought.orders, bought.spent, bought.last_order_at
    from top join customers c on c.store_id = ${storeId} and c.id = top.customer_id
    left join bought on bought.customer_id = top.customer_id
    order by top.clv_12m desc nulls last, top.customer_id
  `.execute(storage.read);
  return {
    risk: options.risk,
    customers: Number(band?.customers ?? 0),
    clvTotal: Number(band?.clv_total ?? 0),
    rows: rows.map((r) => ({
      id: r.id, externalId: r.external_id, name: [r.first_name, r.last_name].filter(Boolean).join(' '), email: r.email, country: r.country,
      pAlive: r.p_alive, pOrder365d: r.p_order_365d, clv12m: r.clv_12m, expectedOrderValue: r.expected_order_value,
      orders: Number(r.orders ?? 0), spent: Number(r.spent ?? 0), lastOrderAt: r.last_order_at,
    })),
  };
}
