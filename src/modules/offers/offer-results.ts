/**
 * An offer's results (docs/offers.md, "Results"): what was issued and redeemed, the revenue and
 * discounts of the redeeming orders, and — from the offer's experiment against its holdout, measured
 * by the experiments module like every campaign and flow — the incremental orders, revenue and margin.
 *
 * The experiments measure revenue as paid (order totals less refunds), which already has the
 * offer's discounts taken off. So the incremental margin (revenue minus discount cost) is the
 * measured figure itself, and the incremental revenue before discounts is it plus the discounts the
 * offered people received in their window (the holdout received none). The discount cost is
 * observed, not estimated, so both intervals are the measured interval moved by the same amount.
 */
import { sql } from 'kysely';
import type { ExperimentResults } from '../experiments/index.js';
import { countedRedemptions } from './offer-redemptions.js';
import type { OffersDb } from './offers.table.js';
import type { Estimate, OfferResults } from './offers.views.js';

/** What the results need of the experiments module. */
export interface OfferExperiments {
  list(storeId: string, filter: { kind: 'offer'; source_id: string }, now: Date): Promise<{ id: string }[]>;
  results(storeId: string, id: string, now: Date): Promise<ExperimentResults>;
}

const round = (e: Estimate, shift = 0): Estimate => ({ value: Math.round(e.value + shift), low: Math.round(e.low + shift), high: Math.round(e.high + shift) });

export async function offerResults(db: OffersDb, experiments: OfferExperiments, storeId: string, offerId: string, currency: string, now: Date): Promise<OfferResults> {
  const { rows } = await sql<{ issued: number; held_out: number; redeemed: number; revenue: number | null; discount: number | null }>`
    with ${countedRedemptions(storeId, offerId)}
    select (select count(*) from offer_issues where store_id = ${storeId} and offer_id = ${offerId} and outcome = 'issued') as issued,
      (select count(*) from offer_assignments where store_id = ${storeId} and offer_id = ${offerId} and arm = 'holdout') as held_out,
      (select count(*) from redeemed) as redeemed, (select sum(revenue) from redeemed) as revenue, (select sum(discount) from redeemed) as discount`.execute(db);
  const r = rows[0]!;
  const issued = Number(r.issued);
  const redeemed = Number(r.redeemed);
  const experiment = (await experiments.list(storeId, { kind: 'offer', source_id: offerId }, now))[0];
  const incremental: OfferResults['incremental'] = [];
  if (experiment) {
    const results = await experiments.results(storeId, experiment.id, now);
    for (const window of results.windows) {
      const comparison = window.comparisons.find((c) => c.arm === 'offered');
      const orders = comparison?.metrics.find((m) => m.metric === 'orders_per_person');
      const revenue = comparison?.metrics.find((m) => m.metric === 'net_revenue_per_person');
      const cost = await discountInWindow(db, storeId, offerId, experiment.id, window.days, now);
      const zero = { value: 0, low: 0, high: 0 };
      incremental.push({
        days: window.days, people: window.matured.offered ?? 0, control_people: window.matured.holdout ?? 0,
        orders: orders ? { value: orders.incremental.value, low: orders.incremental.low, high: orders.incremental.high } : zero,
        revenue: revenue ? round(revenue.incremental, cost) : zero, margin: revenue ? round(revenue.incremental) : zero,
        discount_cost: cost, verdict: revenue?.verdict ?? 'too_early',
      });
    }
  }
  return {
    currency, issued, held_out: Number(r.held_out), redeemed, redemption_rate: issued ? redeemed / issued : 0,
    revenue: Number(r.revenue ?? 0), discount_cost: Number(r.discount ?? 0), experiment_id: experiment?.id ?? null, incremental,
  };
}

/** Discounts on counted redemptions by offered people of the experiment, inside their matured window. */
async function discountInWindow(db: OffersDb, storeId: string, offerId: string, experimentId: string, days: number, now: Date): Promise<number> {
  const { rows } = await sql<{ cost: number | null }>`
    with ${countedRedemptions(storeId, offerId)}
    select sum(d.discount) as cost from redeemed d
      join experiment_assignments a on a.store_id = ${storeId} and a.experiment_id = ${experimentId} and a.customer_id = d.customer_id and a.arm = 'offered'
    where d.placed_at >= a.eligible_at and d.placed_at < a.eligible_at + to_days(${days}::integer) and a.eligible_at + to_days(${days}::integer) <= ${now}`.execute(db);
  return Number(rows[0]?.cost ?? 0);
}
