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
  const { customerId, key, inSegment } = request;
  const answers = await issueCodes(tx, storeId, { ...request, recipients: [{ customerId, key }], inSegment: () => inSegment() });
  return answers.get(key)!;
}

/** Issuing for many recipients at once (a slice of a campaign's or a flow's emails). */
export interface BatchIssueRequest extends Omit<IssueRequest, 'customerId' | 'key' | 'inSegment'> {
  recipients: readonly { customerId: number; key: string }[];
  /** Whether a customer is in the offer's segment (asked only when it has one). */
  inSegment: (customerId: number) => Promise<boolean>;
}

/**
 * The steps above for many keys in a few statements, answered by key: the same answers, in the
 * same order, as issuing to each recipient in turn — a key repeated in the batch gets its first
 * answer again, codes go out in pool order, and a customer's codes issued earlier in the batch
 * count towards the guardrail.
 */
export async function issueCodes(tx: OffersTx, storeId: string, request: BatchIssueRequest): Promise<Map<string, { issue: IssueView; replayed: boolean }>> {
  const { offer, now } = request;
  const answers = new Map<string, { issue: IssueView; replayed: boolean }>();
  const conflict = () => new AppError('conflict', 'This Idempotency-Key was used for another offer or customer', [{ path: 'headers.idempotency-key', reason: 'already used with a different offer or customer' }]);
  const keys = [...new Set(request.recipients.map((r) => r.key))];
  const earlier = await tx.selectFrom('offer_issues').selectAll().where('store_id', '=', storeId).where('idempotency_key', 'in', keys).execute();
  for (const row of earlier) answers.set(row.idempotency_key, { issue: issueView(row), replayed: true });
  const fresh: { customerId: number; key: string }[] = [];
  const firstOf = new Map<string, number>();
  for (const r of request.recipients) {
    const answered = answers.get(r.key);
    const first = firstOf.get(r.key);
    if (answered ? answered.issue.offer_id !== offer.id || answered.issue.customer_id !== r.customerId : first !== undefined && first !== r.customerId) throw conflict();
    if (!answered && first === undefined) {
      firstOf.set(r.key, r.customerId);
      fresh.push(r);
    }
  }
  if (fresh.length === 0) return answers;
  if (offer.status !== 'active') throw new AppError('conflict', `The offer is ${offer.status}: it hands out no codes`, [{ path: 'offer_id', reason: `offer ${offer.id} is ${offer.status}` }]);
  if (offer.expires_at && offer.expires_at <= now) throw new AppError('conflict', 'The offer has expired: its codes would not apply', [{ path: 'offer_id', reason: `offer ${offer.id} expired at ${offer.expires_at.toISOString()}` }]);

  // Each fresh key's outcome, in order; the guardrail counts the customer's codes so far, these included.
  const issuedSoFar = new Map<number, number>();
  if (offer.guardrail_max !== null && offer.guardrail_days !== null) {
    const since = new Date(now.getTime() - offer.guardrail_days * DAY_MS);
    const { rows } = await sql<{ customer_id: number; n: number }>`select customer_id, count(*) as n from offer_issues where store_id = ${storeId}
      and customer_id in (${sql.join([...new Set(fresh.map((r) => r.customerId))])}) and outcome = 'issued' and issued_at > ${since} group by customer_id`.execute(tx);
    for (const row of rows) issuedSoFar.set(Number(row.customer_id), Number(row.n));
  }
  const outcomes: { customerId: number; key: string; outcome: IssueOutcome }[] = [];
  for (const r of fresh) {
    let outcome: IssueOutcome;
    if (offer.segment_id && !(await request.inSegment(r.customerId))) outcome = 'not_in_segment';
    else if (offer.guardrail_max !== null && offer.guardrail_days !== null && (issuedSoFar.get(r.customerId) ?? 0) >= offer.guardrail_max) outcome = 'guardrail';
    else outcome = armOf(offer, r.customerId) === 'holdout' ? 'holdout' : 'issued';
    if (outcome === 'issued') issuedSoFar.set(r.customerId, (issuedSoFar.get(r.customerId) ?? 0) + 1);
    outcomes.push({ ...r, outcome });
  }
  // Eligible: the first eligibility stands (a later send keeps the arm and the time). The arm is a
  // pure function of the offer's seed and share (neither ever changes), so it is the same every time.
  const eligible = [...new Map(outcomes.filter((o) => o.outcome === 'issued' || o.outcome === 'holdout').map((o) => [o.customerId, o.outcome === 'issued' ? 'offered' as const : 'holdout' as const]))];
  if (eligible.length) {
    await tx.insertInto('offer_assignments').values(eligible.map(([customerId, arm]) => ({ store_id: storeId, offer_id: offer.id, customer_id: customerId, arm, eligible_at: now })))
      .onConflict((oc) => oc.doNothing()).execute();
  }
  const wanted = outcomes.filter((o) => o.outcome === 'issued').length;
  const codes = wanted ? await freeCodes(tx, storeId, offer, wanted, now, request.confirmedOnly ?? false) : [];
  const expiresAt = offer.expires_at ?? new Date(now.getTime() + (offer.valid_days ?? 0) * DAY_MS);
  let next = 0;
  const rows = outcomes.map((o) => {
    const issued = o.outcome === 'issued';
    return { store_id: storeId, idempotency_key: o.key, offer_id: offer.id, customer_id: o.customerId, outcome: o.outcome, code: issued ? codes[next++]! : null, expires_at: issued ? expiresAt : null, issued_at: now };
  });
  for (let i = 0; i < rows.length; i += 500) await tx.insertInto('offer_issues').values(rows.slice(i, i + 500)).execute();
  for (const row of rows) answers.set(row.idempotency_key, { issue: issueView(row), replayed: false });
  return answers;
}

/**
 * The pool's next `count` free codes (lowest `seq` nobody was given). A pattern's pool extends
 * itself by its pool size at a time when they run short; an imported pool, or codes waiting for
 * Shopify, answer 409.
 */
async function freeCodes(tx: OffersTx, storeId: string, offer: OfferTable, count: number, now: Date, confirmedOnly: boolean): Promise<string[]> {
  const confirmed = confirmedOnly
    ? sql`and exists (select 1 from offer_code_pushes p where p.store_id = ${storeId} and p.code = c.code and p.pushed_at is not null)`
    : sql``;
  const read = async () => (await sql<{ code: string }>`select c.code from offer_codes c
    where c.store_id = ${storeId} and c.offer_id = ${offer.id}
      and not exists (select 1 from offer_issues i where i.store_id = ${storeId} and i.code = c.code) ${confirmed}
    order by c.seq limit ${count}`.execute(tx)).rows.map((r) => r.code);
  const codes = await read();
  if (codes.length === count) return codes;
  if (confirmedOnly) {
    throw new AppError('conflict', `No code of offer ${offer.id} confirmed by Shopify is free yet: more are being added to the Shopify discount; try again shortly`,
      [{ path: 'offer_id', reason: 'codes are waiting for Shopify' }]);
  }
  if (offer.source === 'import' || !offer.pattern) {
    throw new AppError('conflict', `Every imported code of offer ${offer.id} is handed out: import more codes`, [{ path: 'offer_id', reason: 'the imported codes are used up' }]);
  }
  const short = count - codes.length;
  await extendPool(tx, storeId, offer.id, offer.pattern, Math.ceil(short / offer.pool_size) * offer.pool_size, now);
  const more = await read();
  if (more.length < count) throw new Error(`offer ${offer.id}: the pool was extended but has too few free codes`);
  return more;
}
