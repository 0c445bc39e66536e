/**
 * Who in a campaign's audience is held out, and which variant the others get. Assignment is a
 * deterministic hash of (campaign, customer): the same customer always lands in the same group of
 * the same campaign (a retry or a restart cannot move anyone), and the groups of two campaigns are
 * independent of each other, as if drawn at random for each.
 */
import { createHash } from 'node:crypto';

/** A number in [0, 1) that is uniform over customers and fixed per (campaign, customer). */
export function unitHash(campaignId: string, customerId: number | bigint): number {
  const digest = createHash('sha256').update(`${campaignId}:${customerId}`).digest();
  // 48 bits fit a double exactly.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export interface GroupPlan {
  /** Share of the audience that receives nothing, to measure the campaign against (0 … 0.5). */
  holdoutShare: number;
  /** Number of variants in an A/B test (1: no test). */
  variants: number;
  /** With a test: share of the (not held-out) audience that receives a variant during the test window. */
  testShare: number;
}

/** `holdout`, a variant index (0 = A) in the test, or `rest` for those who get the winner later. */
export type Group = { kind: 'holdout' } | { kind: 'variant'; index: number } | { kind: 'rest' };

export function assignGroup(campaignId: string, customerId: number | bigint, plan: GroupPlan): Group {
  const u = unitHash(campaignId, customerId);
  if (u < plan.holdoutShare) return { kind: 'holdout' };
  if (plan.variants <= 1) return { kind: 'variant', index: 0 };
  // Rescaled to [0, 1) among those not held out.
  const v = (u - plan.holdoutShare) / (1 - plan.holdoutShare);
  if (v >= plan.testShare) return { kind: 'rest' };
  return { kind: 'variant', index: Math.min(plan.variants - 1, Math.floor((v / plan.testShare) * plan.variants)) };
}
