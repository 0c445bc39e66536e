/**
 * Popular within a persona: the products bought by the persona's customers (its members in
 * `persona_members`), counted like the store's popularity in `training.query.ts` — distinct
 * buyers, each weighted by how recently they last bought the product (half-life `halfLifeDays`),
 * over the same orders (with a customer, not cancelled, before the fit's cutoff). The cold start
 * of a customer with a persona but no orders.
 */
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import { tuning } from './model.types.js';
import { linesBefore } from './training.query.js';

export interface PersonaProduct {
  productId: number;
  /** The persona's customers who bought it. */
  customers: number;
  /** The same, weighted by recency. */
  weight: number;
}

/** The persona's products, most popular first (ties: more buyers, then the lower id). */
export async function personaPopularity(storage: Storage, storeId: string, cutoff: string, personaId: string, limit: number): Promise<PersonaProduct[]> {
  const result = await sql<{ product_id: number; customers: number; weight: number }>`
    with lines as (${linesBefore(storeId, cutoff)}),
    members as (select customer_id from persona_members where store_id = ${storeId} and persona_id = ${personaId}),
    per_customer as (
      select customer_id, product_id, max(cast(placed_at as date)) as last_day
      from lines where customer_id in (select customer_id from members) group by customer_id, product_id
    )
    select product_id, count(*) as customers,
      sum(pow(0.5, date_diff('day', last_day, cast(cast(${cutoff} as timestamp) as date)) / ${tuning.halfLifeDays})) as weight
    from per_customer group by product_id
    order by weight desc, customers desc, product_id
    limit ${limit}
  `.execute(storage.read);
  return result.rows.map((r) => ({ productId: Number(r.product_id), customers: Number(r.customers), weight: Number(r.weight) }));
}
