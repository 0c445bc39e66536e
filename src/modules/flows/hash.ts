/**
 * Deterministic draws for flows (the holdout, random splits), as the campaigns' holdout does:
 * a hash of (flow, customer) that is uniform over customers, fixed for each, and independent
 * between flows — a retry or a restart cannot move anyone.
 */
import { createHash } from 'node:crypto';

/** A number in [0, 1), fixed per (key, customer). */
export function unitHash(key: string, customerId: number): number {
  const digest = createHash('sha256').update(`${key}:${customerId}`).digest();
  // 48 bits fit a double exactly.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export function inHoldout(flowId: string, customerId: number, share: number): boolean {
  return unitHash(`holdout:${flowId}`, customerId) < share;
}
