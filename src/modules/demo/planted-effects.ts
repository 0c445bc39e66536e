/**
 * The effects the demo plants, known exactly so that measurement can be checked against them
 * (docs/demo.md, "Planted effects"). Everything else in the demo's history is simulated without
 * regard to any message: these are the only places where a message changes behaviour.
 */
import { createHash } from 'node:crypto';

export interface PlantedEffect {
  /** What acted: `flow:<ready flow key>` or `campaign:<name>`. */
  source: string;
  /** The outcome measured per person. */
  metric: 'reorder';
  /** Days from entering (a flow) or from the send (a campaign) in which the outcome counts. */
  window_days: number;
  /** Who is compared with the holdout. */
  group: 'treated';
  /** The true difference in the outcome's rate, treated minus what the history alone gives them, in percentage points. */
  difference_points: number;
  /** The offer whose codes the orders the effect adds carry (none when it adds none). */
  offer_id: string | null;
}

/**
 * The win-back flow brings back 3 percentage points more of its non-holdout entrants within 30
 * days of entering. Of the treated entrants who would not have ordered in those 30 days anyway and
 * are in the offered arm of the offer its second email carries, a hash-chosen share
 * q = 0.03 · N / M is given an order (N treated entrants, M of them offered and without an order
 * in their window), so the expected number of added orders is 0.03 · N: the treated
 * group's 30-day reorder rate rises by exactly 3 points in expectation over its own history, and
 * the holdout (a random share of the same entrants) estimates that history.
 */
export const WIN_BACK_FLOW_EFFECT: PlantedEffect = {
  source: 'flow:win_back', metric: 'reorder', window_days: 30, group: 'treated', difference_points: 3, offer_id: 'ofr_demo_win_back',
};

/** The spring newsletter changes nothing: no order is added for anyone it was sent to. */
export const SPRING_NEWSLETTER_EFFECT: PlantedEffect = {
  source: 'campaign:Spring newsletter', metric: 'reorder', window_days: 14, group: 'treated', difference_points: 0, offer_id: null,
};

export const plantedEffects: readonly PlantedEffect[] = [WIN_BACK_FLOW_EFFECT, SPRING_NEWSLETTER_EFFECT];

/** The external id prefix of the orders the win-back flow's effect adds. */
export const WIN_BACK_ORDER_PREFIX = 'WBF-';

/** A fixed number in [0, 1) per (key, customer): the same customers are chosen on every build. */
export function plantedDraw(key: string, customerId: number): number {
  return createHash('sha256').update(`demo-planted:${key}:${customerId}`).digest().readUIntBE(0, 6) / 2 ** 48;
}
