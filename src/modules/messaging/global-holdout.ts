/**
 * The store's global holdout: a fixed random share of its customers who receive no marketing
 * message at all — no campaign, no flow email, on any channel — so the whole programme can be
 * measured against them (the experiments module, docs/measurement.md). Transactional mail still
 * goes. Who is in it is a deterministic hash of (`global:` + store, customer), like the campaigns'
 * and flows' holdouts: the same customers stay held out across restarts, and raising the share
 * keeps everyone already held out in. The experiments module draws the same hash in SQL
 * (`sha256`, first 48 bits), so both sides always agree.
 */
import { createHash } from 'node:crypto';

/** Above a fifth the programme itself would suffer; 5–10 % is the usual choice. */
export const GLOBAL_HOLDOUT_MAX_SHARE = 0.2;

/** The hash key of a store's global holdout. */
export const globalHoldoutKey = (storeId: string): string => `global:${storeId}`;

/** A number in [0, 1), uniform over customers and fixed per (store, customer). */
function unitHash(key: string, customerId: number): number {
  const digest = createHash('sha256').update(`${key}:${customerId}`).digest();
  // 48 bits fit a double exactly.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export function inGlobalHoldout(storeId: string, customerId: number, share: number): boolean {
  return share > 0 && unitHash(globalHoldoutKey(storeId), customerId) < share;
}
