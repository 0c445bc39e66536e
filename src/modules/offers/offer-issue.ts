/**
 * Issuing a code, exactly once per idempotency key (docs/offers.md, "Issuing"), inside one
 * transaction on the one writer connection, so concurrent requests take their turn and each sees
 * the codes the others took:
 * 1. a key already answered gets its first answer again (another offer or customer: 409);
 * 2. the offer must be active and not past its expiry (409);
 * 3. outside the offer's segment, or over the store's guardrail: no code (an answer, recorded);
 * 4. otherwise the customer is eligible: their arm is recorded (once, the first time) from a
 *    deterministic hash of (offer seed, customer); the holdout gets no code;
 * 5. the pool's next free code is handed out; a pattern's pool extends itself when empty, an
 *    imported one answers 409; an offer whose codes go to Shopify hands out only codes Shopify
 *    confirmed, and answers 409 while none is free (its push adds more: shopify-push.ts).
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { AppError } from '../../lib/errors.js';
import { extendPool } from './offer-pool.js';
import type { IssueOutcome, OffersDb, OffersTx, OfferTable } from './offers.table.js';
import type { IssueView } from './offers.views.js';

const DAY_MS = 86_400_000;

/** The customer's place in [0, 1) for this offer: sha256 of `<seed>:<customer>`, first 48 bits. */
export function holdoutPosition(seed: string, customerId: number): number {
  return parseInt(createHash('sha256').update(`${seed}:${customerId}`).digest('hex').slice(0, 12), 16) / 2 ** 48;
}

export const armOf = (offer: Pick<OfferTable, 'seed' | 'holdout_share'>, customerId: number): 'offered' | 'holdout' =>
  holdoutPosition(offer.seed, customerId) < offer.holdout_share ? 'holdout' : 'offered';

export interface IssueRequest {
  offer: OfferTable;
  customerId: number;
  key: string;
  /** Whether the customer is in the offer's segment (asked only when it has one). */
  inSegment: () => Promise<boolean>;
  now: Date;
  /** The offer's codes go to Shopify first: only codes Shopify confirmed are handed out, and the pool grows by the push (shopify-push.ts). */
  confirmedOnly?: boolean;
}

export function issueView(row: { offer_id: string; customer_id: number; idempotency_key: string; outcome: IssueOutcome; code: string | null; expires_at: Date | null; issued_at: Date }): IssueView {
  return {
    offer_id: row.offer_id, customer_id: Number(row.customer_id), idempotency_key: row.idempotency_key, outcome: row.outcome,
    code: row.code, expires_at: row.expires_at, issued_at: row.issued_at,
  };
}

export async function earlierIssue(tx: OffersTx | OffersDb, storeId: string, key: string): Promise<IssueView | undefined> {
  const row = await tx.selectFrom('offer_issues').selectAll().where('store_id', '=', storeId).where('idempotency_key', '=', key).executeTakeFirst();
  return row && issueView(row);
}

export async function issueCode(tx: OffersTx, storeId: string, request: IssueRequest): Promise<{ issue: IssueView; replayed: boolean }> {
  const { offer, customerId, key, now } = request;
  const earlier = await earlierIssue(tx, storeId, key);
  if (earlier) {
    if (earlier.offer_id !== offer.id || earlier.customer_id !== customerId) {
      throw new AppError('conflict', 'This Idempotency-Key was used for another offer or customer', [{ path: 'headers.idempotency-key', reason: 'already used with a different offer or customer' }]);
    }
    return { issue: earlier, replayed: true };
  }
  if (offer.status !== 'active') throw new AppError('conflict', `The offer is ${offer.status}: it hands out no codes`, [{ path: 'offer_id', reason: `offer ${offer.id} is ${offer.status}` }]);
  if (offer.expires_at && offer.expires_at <= now) throw new AppError('conflict', 'The offer has expired: its codes would not apply', [{ path: 'offer_id', reason: `offer ${offer.id} expired at ${offer.expires_at.toISOString()}` }]);
  const record = async (outcome: IssueOutcome): Promise<{ issue: IssueView; replayed: boolean }> => {
    const row = { store_id: storeId, idempotency_key: key, offer_id: offer.id, customer_id: customerId, outcome, code: null, expires_at: null, issued_at: now };
    await tx.insertInto('offer_issues').values(row).execute();
    return { issue: issueView(row), replayed: false };
  };
  if (offer.segment_id && !(await request.inSegment())) return record('not_in_segment');
  if (offer.guardrail_max !== null && offer.guardrail_days !== null) {
    const since = new Date(now.getTime() - offer.guardrail_days * DAY_MS);
    const { rows } = await sql<{ n: number }>`select count(*) as n from offer_issues where store_id = ${storeId} and customer_id = ${customerId}
      and outcome = 'issued' and issued_at > ${since}`.execute(tx);
    if (Number(rows[0]?.n ?? 0) >= offer.guardrail_max) return record('guardrail');
  }
  // Eligible: the first eligibility stands (a later send keeps the arm and the time).
  // The arm is a pure function of the offer's seed and share (neither ever changes), so it is the same every time.
  const arm = armOf(offer, customerId);
  await tx.insertInto('offer_assignments').values({ store_id: storeId, offer_id: offer.id, customer_id: customerId, arm, eligible_at: now })
    .onConflict((oc) => oc.doNothing()).execute();
  if (arm === 'holdout') return record('holdout');
  const expiresAt = offer.expires_at ?? new Date(now.getTime() + (offer.valid_days ?? 0) * DAY_MS);
  let issued = await claimCode(tx, storeId, offer.id, key, customerId, expiresAt, now, request.confirmedOnly ?? false);
  if (!issued && request.confirmedOnly) {
    throw new AppError('conflict', `No code of offer ${offer.id} confirmed by Shopify is free yet: more are being added to the Shopify discount; try again shortly`,
      [{ path: 'offer_id', reason: 'codes are waiting for Shopify' }]);
  }
  if (!issued) {
    if (offer.source === 'import' || !offer.pattern) {
      throw new AppError('conflict', `Every imported code of offer ${offer.id} is handed out: import more codes`, [{ path: 'offer_id', reason: 'the imported codes are used up' }]);
    }
    await extendPool(tx, storeId, offer.id, offer.pattern, offer.pool_size, now);
    issued = await claimCode(tx, storeId, offer.id, key, customerId, expiresAt, now, false);
    if (!issued) throw new Error(`offer ${offer.id}: the pool was extended but has no free code`);
  }
  return { issue: issueView(issued), replayed: false };
}

/**
 * Hands the pool's next free code (lowest `seq` nobody was given) to the key, in one statement.
 * Returns the issue written, or undefined when the pool is empty.
 */
async function claimCode(tx: OffersTx, storeId: string, offerId: string, key: string, customerId: number, expiresAt: Date, now: Date, confirmedOnly: boolean) {
  const confirmed = confirmedOnly
    ? sql`and exists (select 1 from offer_code_pushes p where p.store_id = ${storeId} and p.code = c.code and p.pushed_at is not null)`
    : sql``;
  const { rows } = await sql<{ offer_id: string; customer_id: number; idempotency_key: string; outcome: IssueOutcome; code: string | null; expires_at: Date | null; issued_at: Date }>`
    insert into offer_issues (store_id, idempotency_key, offer_id, customer_id, outcome, code, expires_at, issued_at)
    select ${storeId}, ${key}, ${offerId}, ${customerId}, 'issued', c.code, ${expiresAt}, ${now} from offer_codes c
    where c.store_id = ${storeId} and c.offer_id = ${offerId}
      and not exists (select 1 from offer_issues i where i.store_id = ${storeId} and i.code = c.code) ${confirmed}
    order by c.seq limit 1
    returning offer_id, customer_id, idempotency_key, outcome, code, expires_at, issued_at`.execute(tx);
  return rows[0];
}
