/**
 * An offer's pool of codes, inside the caller's transaction on the one writer connection: made
 * from the pattern (unique in the store, drawn again on a clash) or imported from a file. Codes
 * are handed out lowest `seq` first (offer-issue.ts).
 */
import { sql } from 'kysely';
import { AppError } from '../../lib/errors.js';
import { fromPattern } from './offer-codes.js';
import type { OffersTx } from './offers.table.js';

/** A pattern with this many clashes in a row is treated as used up. */
const MAX_CLASHES = 1000;

async function nextSeq(tx: OffersTx, storeId: string, offerId: string): Promise<number> {
  const { rows } = await sql<{ seq: number | null }>`select max(seq) as seq from offer_codes where store_id = ${storeId} and offer_id = ${offerId}`.execute(tx);
  return Number(rows[0]?.seq ?? 0) + 1;
}

/** Codes of `codes` some offer of the store already has. */
export async function takenCodes(tx: OffersTx, storeId: string, codes: readonly string[]): Promise<Map<string, string>> {
  const taken = new Map<string, string>();
  for (let i = 0; i < codes.length; i += 1000) {
    const { rows } = await sql<{ code: string; offer_id: string }>`select code, offer_id from offer_codes where store_id = ${storeId}
      and code in (select unnest(${codes.slice(i, i + 1000)}::varchar[]))`.execute(tx);
    for (const row of rows) taken.set(row.code, row.offer_id);
  }
  return taken;
}

/** Makes `count` new codes from the pattern, unique in the store. Returns how many were added. */
export async function extendPool(tx: OffersTx, storeId: string, offerId: string, pattern: string, count: number, now: Date): Promise<number> {
  const fresh = new Set<string>();
  let clashes = 0;
  while (fresh.size < count) {
    const candidates = new Set<string>();
    while (candidates.size + fresh.size < count) {
      const code = fromPattern(pattern);
      if (fresh.has(code) || candidates.has(code)) clashes += 1;
      else candidates.add(code);
      if (clashes > MAX_CLASHES) break;
    }
    const taken = await takenCodes(tx, storeId, [...candidates]);
    for (const code of candidates) {
      if (taken.has(code)) clashes += 1;
      else fresh.add(code);
    }
    if (clashes > MAX_CLASHES) break;
  }
  if (fresh.size === 0) throw new AppError('conflict', `The pattern ${pattern} makes no new codes: it is used up`, [{ path: 'pattern', reason: 'too few random characters for the codes issued' }]);
  await insertCodes(tx, storeId, offerId, [...fresh], 'generated', now);
  return fresh.size;
}

export async function insertCodes(tx: OffersTx, storeId: string, offerId: string, codes: readonly string[], origin: 'generated' | 'imported', now: Date): Promise<void> {
  let seq = await nextSeq(tx, storeId, offerId);
  for (let i = 0; i < codes.length; i += 1000) {
    await tx.insertInto('offer_codes').values(codes.slice(i, i + 1000).map((code) => ({
      store_id: storeId, code, offer_id: offerId, seq: seq++, origin, created_at: now,
    }))).execute();
  }
}
