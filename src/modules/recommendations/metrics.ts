/**
 * Offline ranking metrics over test customers (docs/recommendations.md, "Evaluation"):
 * - hit rate@k: share of customers with at least one target product in their top k;
 * - recall@k: per customer, target products found in the top k over the target's size, averaged;
 * - NDCG@k: binary relevance, DCG = Σ 1/log2(rank + 1) over hits at ranks 1…k, divided by the
 *   DCG of a perfect list (min(|target|, k) hits first), averaged;
 * - coverage: distinct products recommended to anyone, over the catalogue's size.
 */
export interface RankedCase {
  recommended: readonly number[];
  target: ReadonlySet<number>;
}

export interface RankingMetrics {
  customers: number;
  hitRate: number;
  recall: number;
  ndcg: number;
  coverage: number;
}

export function rankingMetrics(cases: readonly RankedCase[], k: number, catalogueSize: number): RankingMetrics {
  let hits = 0;
  let recall = 0;
  let ndcg = 0;
  const shown = new Set<number>();
  for (const { recommended, target } of cases) {
    const top = recommended.slice(0, k);
    let found = 0;
    let dcg = 0;
    top.forEach((id, i) => {
      shown.add(id);
      if (target.has(id)) {
        found += 1;
        dcg += 1 / Math.log2(i + 2);
      }
    });
    let ideal = 0;
    for (let i = 0; i < Math.min(target.size, k); i += 1) ideal += 1 / Math.log2(i + 2);
    if (found > 0) hits += 1;
    if (target.size > 0) recall += found / target.size;
    if (ideal > 0) ndcg += dcg / ideal;
  }
  const n = cases.length;
  return {
    customers: n,
    hitRate: n ? hits / n : 0,
    recall: n ? recall / n : 0,
    ndcg: n ? ndcg / n : 0,
    coverage: catalogueSize ? shown.size / catalogueSize : 0,
  };
}
