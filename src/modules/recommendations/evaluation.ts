/**
 * The offline evaluation (`hearth recommendations evaluate`): every model is trained on orders
 * placed before the cutoff and tested on the customers who ordered both before and on or after
 * it; a customer's target is the set of products in their first order on or after the cutoff.
 * The baselines are computed in the same run: popularity (the k products bought by the most
 * distinct customers before the cutoff, one list for all) and buy again (the customer's own
 * most-ordered products before the cutoff).
 */
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import { rankingMetrics, type RankingMetrics } from './metrics.js';
import { modelKinds, type CustomerHistory, type ModelKind, type TrainedModel } from './model.types.js';
import { recommend } from './models.js';
import { customerHistories, trainModels } from './training.query.js';

/** The model served by default, compared with the baselines. */
export const chosenModel: ModelKind = 'for_you';
export const baselines = ['baseline_popularity', 'baseline_buy_again'] as const;

export interface EvaluationRow extends RankingMetrics {
  model: ModelKind | (typeof baselines)[number];
}

export interface EvaluationReport {
  cutoff: string;
  k: number;
  trainingCustomers: number;
  catalogue: number;
  testCustomers: number;
  chosen: ModelKind;
  /** Whether the chosen model's hit rate is above both baselines'. */
  beatsBaselines: boolean;
  rows: EvaluationRow[];
}

/** Each test customer's target: the products of their first order on or after the cutoff. */
async function targets(storage: Storage, storeId: string, cutoff: string): Promise<Map<number, Set<number>>> {
  const result = await sql<{ customer_id: number; product_id: number }>`
    with counted as (
      select id, customer_id, placed_at from orders
      where store_id = ${storeId} and customer_id is not null and status <> 'cancelled'
    ),
    before as (select distinct customer_id from counted where placed_at < cast(${cutoff} as timestamp)),
    firsts as (
      select id, customer_id from counted
      where placed_at >= cast(${cutoff} as timestamp) and customer_id in (select customer_id from before)
      qualify row_number() over (partition by customer_id order by placed_at, id) = 1
    )
    select distinct f.customer_id, l.product_id
    from firsts f join order_lines l on l.store_id = ${storeId} and l.order_id = f.id
    where l.product_id is not null
    order by 1, 2
  `.execute(storage.read);
  const out = new Map<number, Set<number>>();
  for (const row of result.rows) out.set(Number(row.customer_id), (out.get(Number(row.customer_id)) ?? new Set()).add(Number(row.product_id)));
  return out;
}

/** The popularity baseline: products by distinct buyers before the cutoff (ties by id). */
export function popularityBaseline(model: TrainedModel, k: number): number[] {
  return [...model.products.values()].sort((a, b) => b.customers - a.customers || a.productId - b.productId).slice(0, k).map((p) => p.productId);
}

/** The buy-again baseline: the customer's products by the number of their orders that had them (ties: the more recent, then id). */
export function buyAgainBaseline(history: CustomerHistory, k: number): number[] {
  const counts = new Map<number, { orders: number; last: number }>();
  history.orders.forEach((order, i) => {
    for (const p of order.products) counts.set(p, { orders: (counts.get(p)?.orders ?? 0) + 1, last: i });
  });
  return [...counts].sort(([a, x], [b, y]) => y.orders - x.orders || y.last - x.last || a - b).slice(0, k).map(([id]) => id);
}

export async function evaluate(storage: Storage, storeId: string, options: { cutoff: string; k: number }): Promise<EvaluationReport> {
  const { cutoff, k } = options;
  const model = await trainModels(storage, storeId, cutoff);
  const wanted = await targets(storage, storeId, cutoff);
  const histories = await customerHistories(storage, storeId, cutoff, [...wanted.keys()]);
  const cases = [...wanted].filter(([id]) => histories.has(id)).map(([id, target]) => ({ history: histories.get(id)!, target }));
  const catalogue = model.products.size;
  const rows: EvaluationRow[] = [];
  for (const kind of modelKinds) {
    const ranked = [];
    for (const [i, c] of cases.entries()) {
      ranked.push({ recommended: recommend(model, c.history, kind, k).map((r) => r.productId), target: c.target });
      if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
    }
    rows.push({ model: kind, ...rankingMetrics(ranked, k, catalogue) });
  }
  const popular = popularityBaseline(model, k);
  rows.push({ model: 'baseline_popularity', ...rankingMetrics(cases.map((c) => ({ recommended: popular, target: c.target })), k, catalogue) });
  rows.push({ model: 'baseline_buy_again', ...rankingMetrics(cases.map((c) => ({ recommended: buyAgainBaseline(c.history, k), target: c.target })), k, catalogue) });
  const hit = (name: string) => rows.find((r) => r.model === name)!.hitRate;
  return {
    cutoff, k, trainingCustomers: model.customers, catalogue, testCustomers: cases.length, chosen: chosenModel,
    beatsBaselines: cases.length > 0 && baselines.every((b) => hit(chosenModel) > hit(b)),
    rows,
  };
}
