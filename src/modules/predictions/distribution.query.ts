/**
 * How the current predictions are spread over the store's customers, computed in SQL over
 * customer_predictions: P(alive) in equal-width bins over 0–1, and predicted 12-month CLV in
 * equal-width bins from 0 up to its 99th percentile with one open bin above it — CLV has a long
 * tail, and a few very valuable customers would otherwise squash every other bar into the first.
 */
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';

const roundMinor = (value: number | null): number | null => (value === null ? null : Math.round(value));

export interface Bin {
  /** Inclusive lower edge. */
  from: number;
  /** Exclusive upper edge; null for the open bin of the largest values. */
  to: number | null;
  customers: number;
}

export interface PredictionDistribution {
  /** Customers with a prediction. */
  customers: number;
  scoredAt: Date | null;
  pAlive: { bins: Bin[]; mean: number | null; median: number | null };
  /** Minor units (mean, median and percentile99 rounded to whole units). Customers without a CLV (no spend model) are counted in `withoutClv` only. */
  clv: { bins: Bin[]; customers: number; withoutClv: number; total: number; mean: number | null; median: number | null; percentile99: number | null };
  churnRisk: { low: number; medium: number; high: number };
}

interface Totals {
  customers: number;
  scored_at: Date | null;
  p_alive_mean: number | null;
  p_alive_median: number | null;
  clv_customers: number;
  clv_total: number | null;
  clv_mean: number | null;
  clv_median: number | null;
  clv_p99: number | null;
  clv_max: number | null;
  low: number;
  medium: number;
  high: number;
}

/** A bin width of 1, 2, 2.5 or 5 times a power of ten (in minor units) giving at most `bins` bins up to `span`. */
export function niceWidth(span: number, bins: number): number {
  const raw = span / bins;
  if (!(raw > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= raw) return Math.ceil(m * power);
  return Math.ceil(raw);
}

export async function predictionDistribution(storage: Storage, storeId: string, options: { bins: number }): Promise<PredictionDistribution> {
  const bins = options.bins;
  const { rows: [t] } = await sql<Totals>`
    select count(*) as customers, max(scored_at) as scored_at,
      avg(p_alive) as p_alive_mean, percentile_cont(0.5) within group (order by p_alive) as p_alive_median,
      count(clv_12m) as clv_customers, cast(sum(clv_12m) as bigint) as clv_total, avg(clv_12m) as clv_mean,
      percentile_cont(0.5) within group (order by clv_12m) as clv_median,
      percentile_cont(0.99) within group (order by clv_12m) as clv_p99, max(clv_12m) as clv_max,
      count(*) filter (where churn_risk = 'low') as low,
      count(*) filter (where churn_risk = 'medium') as medium,
      count(*) filter (where churn_risk = 'high') as high
    from customer_predictions where store_id = ${storeId}
  `.execute(storage.read);
  const totals = t!;
  const customers = Number(totals.customers);
  const churnRisk = { low: Number(totals.low), medium: Number(totals.medium), high: Number(totals.high) };
  if (customers === 0) {
    return {
      customers: 0, scoredAt: null, pAlive: { bins: [], mean: null, median: null },
      clv: { bins: [], customers: 0, withoutClv: 0, total: 0, mean: null, median: null, percentile99: null }, churnRisk,
    };
  }

  // P(alive) = 1 falls in the last bin, not in a bin of its own.
  const { rows: aliveRows } = await sql<{ bin: number; customers: number }>`
    select least(cast(floor(p_alive * ${bins}) as integer), ${bins - 1}) as bin, count(*) as customers
    from customer_predictions where store_id = ${storeId} group by 1
  `.execute(storage.read);
  const aliveCounts = new Map(aliveRows.map((r) => [Number(r.bin), Number(r.customers)]));
  const pAliveBins = Array.from({ length: bins }, (_, i) => ({ from: i / bins, to: (i + 1) / bins, customers: aliveCounts.get(i) ?? 0 }));

  const clvCustomers = Number(totals.clv_customers);
  let clvBins: Bin[] = [];
  if (clvCustomers > 0) {
    const percentile99 = Math.max(0, Math.ceil(totals.clv_p99 ?? 0));
    const width = niceWidth(percentile99, bins);
    const closed = Math.max(1, Math.ceil(percentile99 / width));
    // Bin `closed` is the open one: everything at or above closed × width.
    const { rows: clvRows } = await sql<{ bin: number; customers: number }>`
      select least(cast(floor(greatest(clv_12m, 0) / ${width}) as integer), ${closed}) as bin, count(*) as customers
      from customer_predictions where store_id = ${storeId} and clv_12m is not null group by 1
    `.execute(storage.read);
    const clvCounts = new Map(clvRows.map((r) => [Number(r.bin), Number(r.customers)]));
    clvBins = Array.from({ length: closed }, (_, i) => ({ from: i * width, to: (i + 1) * width, customers: clvCounts.get(i) ?? 0 }));
    const above = clvCounts.get(closed) ?? 0;
    if (above > 0) clvBins.push({ from: closed * width, to: null, customers: above });
  }

  return {
    customers,
    scoredAt: totals.scored_at,
    pAlive: { bins: pAliveBins, mean: totals.p_alive_mean, median: totals.p_alive_median },
    clv: {
      bins: clvBins, customers: clvCustomers, withoutClv: customers - clvCustomers, total: Number(totals.clv_total ?? 0),
      // Money in whole minor units, like every amount of the API.
      mean: roundMinor(totals.clv_mean), median: roundMinor(totals.clv_median), percentile99: roundMinor(totals.clv_p99),
    },
    churnRisk,
  };
}
