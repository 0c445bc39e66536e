/**
 * Popular within a group of customers — a persona (its members in `persona_members`) or a segment
 * (`segment_members`): the products bought by the group's customers, counted like the store's
 * popularity in `training.query.ts` — distinct buyers, each weighted by how recently they last
 * bought the product (half-life `halfLifeDays`), over the same orders (with a customer, not
 * cancelled, before the fit's cutoff). The cold start of a customer without orders.
 */
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import { tuning } from './model.types.js';
import { linesBefore } from './training.query.js';

export interface GroupProduct {
  productId: number;
  /** The group's customers who bought it. */
  customers: number;
  /** The same, weighted by recency. */
  weight: number;
}

export type CustomerGroup = { persona: string } | { segment: string };

/** The group's products, most popular first (ties: more buyers, then the lower id). */
export async function groupPopularity(storage: Storage, storeId: string, cutoff: string, group: CustomerGroup, limit: number): Promise<GroupProduct[]> {
  const members = 'persona' in group
    ? sql`select customer_id from persona_members where store_id = ${storeId} and persona_id = ${group.persona}`
    : sql`select customer_id from segment_members where store_id = ${storeId} and segment_id = ${group.segment}`;
  const result = await sql<{ product_id: number; customers: number; weight: number }>`
    with lines as (${linesBefore(storeId, cutoff)}),
    per_customer as (
      select customer_id, product_id, max(cast(placed_at as date)) as last_day
      from lines where customer_id in (${members}) group by customer_id, product_id
    )
    select product_id, count(*) as customers,
      sum(pow(0.5, date_diff('day', last_day, cast(cast(${cutoff} as timestamp) as date)) / ${tuning.halfLifeDays})) as weight
    from per_customer group by product_id
    order by weight desc, customers desc, product_id
    limit ${limit}
  `.execute(storage.read);
  return result.rows.map((r) => ({ productId: Number(r.product_id), customers: Number(r.customers), weight: Number(r.weight) }));
}
