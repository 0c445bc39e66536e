/**
 * Referrals (docs/loyalty.md, "Referrals"): each customer's code and link, the storefront's click
 * and sign-up, and the list for the dashboard. Every call that changes something carries an
 * idempotency key: its first answer is stored in the same transaction and returned to a retry.
 * Calls for one store run one after the other in this process, so 50 concurrent retries of one
 * sign-up find the first one's answer instead of racing it.
 */
import { sql } from 'kysely';
import { AppError, invalid } from '../../lib/errors.js';
import { newId, sha256 } from '../../lib/ids.js';
import { referralSettingsOf, type LoyaltySettings, type ReferralSettings } from './loyalty.settings.js';
import type { LoyaltyDb, LoyaltyTx } from './loyalty.table.js';
import { fraudChecks } from './referral.fraud.js';
import { normaliseAddress, normaliseEmail, randomCode, referralLink, shareLinks, type Address, type ShareLinks } from './referral.normalise.js';
import type { ReferralState, RejectionReason } from './referral.table.js';
import { appendStep, emptyStep, referralView, referralViews, type FriendOffer, type ReferralView } from './referral.views.js';
import type { Transact } from './ledger.changes.js';

export interface ReferralCodeView { customer_id: number; code: string; link: string; share: ShareLinks; imported_codes: string[] }

/** What the storefront is told: the state, and the friend's offer once signed up. */
export interface ReferralAnswer {
  referral_id: string;
  state: ReferralState;
  reason: RejectionReason | null;
  offer_terms: { kind: 'amount_off' | 'percent_off'; value: number };
  offer: FriendOffer | null;
}

export interface SignupInput {
  code: string;
  referral_id?: string | undefined;
  email: string;
  anonymous_id?: string | undefined;
  shipping_address?: Address | undefined;
  payment_fingerprint?: string | undefined;
}

export class ReferralService {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly transact: Transact, private readonly read: LoyaltyDb,
    private readonly settingsOf: (storeId: string, db: LoyaltyDb | LoyaltyTx) => Promise<LoyaltySettings>) {}

  /**
   * The customer's referral code and link, made on the first call and the same ever after. The
   * store may tell the customer's shipping address and payment fingerprint for the self-referral checks.
   */
  async codeFor(storeId: string, customerId: number, input: { key: string; shipping_address?: Address | undefined; payment_fingerprint?: string | undefined }, now = new Date()): Promise<{ answer: ReferralCodeView; replayed: boolean }> {
    const { key, ...facts } = input;
    return this.once(storeId, key, 'referral_code', { customerId, ...facts }, async (tx) => {
      const settings = await this.enabled(storeId, tx);
      const known = [
        ...(facts.shipping_address ? [{ kind: 'address' as const, value: normaliseAddress(facts.shipping_address) }] : []),
        ...(facts.payment_fingerprint ? [{ kind: 'payment' as const, value: facts.payment_fingerprint }] : []),
      ];
      for (const fact of known) {
        const seen = await tx.selectFrom('loyalty_referral_facts').select('value').where('store_id', '=', storeId).where('customer_id', '=', customerId)
          .where('kind', '=', fact.kind).where('value', '=', fact.value).executeTakeFirst();
        if (!seen) await tx.insertInto('loyalty_referral_facts').values({ store_id: storeId, customer_id: customerId, ...fact, created_at: now }).execute();
      }
      const codes = await tx.selectFrom('loyalty_referral_codes').select(['code', 'origin']).where('store_id', '=', storeId).where('customer_id', '=', customerId).orderBy('created_at').execute();
      let code = codes.find((c) => c.origin === 'hearth')?.code;
      if (!code) {
        code = await this.unusedCode(tx, storeId);
        await tx.insertInto('loyalty_referral_codes').values({ store_id: storeId, code, customer_id: customerId, origin: 'hearth', created_at: now }).execute();
      }
      const link = referralLink(settings.link_base!, code);
      return { customer_id: customerId, code, link, share: shareLinks(link, settings.share_message), imported_codes: codes.filter((c) => c.origin !== 'hearth').map((c) => c.code) };
    });
  }

  /** A visitor followed a referral link: a referral in state `clicked`. */
  async click(storeId: string, input: { code: string; anonymous_id?: string | undefined }, key: string, now = new Date()): Promise<{ answer: ReferralAnswer; replayed: boolean }> {
    return this.once(storeId, key, 'referral_click', input, async (tx) => {
      const settings = await this.enabled(storeId, tx);
      const referrerId = await this.referrerOf(tx, storeId, input.code);
      const id = newId('rfl');
      await tx.insertInto('loyalty_referrals').values({ store_id: storeId, id, code: input.code, referrer_id: referrerId, anonymous_id: input.anonymous_id ?? null, clicked_at: now, created_at: now }).execute();
      await appendStep(tx, storeId, id, { ...emptyStep, state: 'clicked', friend_anonymous_id: input.anonymous_id ?? null, occurred_at: now });
      return answerOf(await referralView(tx, storeId, id, now), settings);
    });
  }

  /**
   * The friend signed up: the fraud checks run, then the referral is `signed_up` with the friend's
   * first-order offer, or `rejected` with the reason.
   */
  async signup(storeId: string, input: SignupInput, key: string, now = new Date()): Promise<{ answer: ReferralAnswer; replayed: boolean }> {
    return this.once(storeId, key, 'referral_signup', input, async (tx) => {
      const settings = await this.enabled(storeId, tx);
      const email = normaliseEmail(input.email);
      if (!email) throw invalid('Invalid email', [{ path: 'email', reason: 'not an email address' }]);
      const referrerId = await this.referrerOf(tx, storeId, input.code);
      let referral: { id: string; referrer_id: number; clicked_at: Date; anonymous_id: string | null };
      if (input.referral_id) {
        const found = await tx.selectFrom('loyalty_referrals').select(['id', 'code', 'referrer_id', 'clicked_at', 'anonymous_id']).where('store_id', '=', storeId).where('id', '=', input.referral_id).executeTakeFirst();
        if (!found || found.code !== input.code) throw invalid('Unknown referral', [{ path: 'referral_id', reason: 'no referral with this id for this code' }]);
        const current = await referralView(tx, storeId, found.id, now);
        if (current.state !== 'clicked') throw new AppError('conflict', `Referral ${found.id} is already ${current.state}`, [{ path: 'referral_id', reason: `already ${current.state}` }]);
        referral = { ...found, referrer_id: Number(found.referrer_id) };
      } else {
        referral = { id: newId('rfl'), referrer_id: referrerId, clicked_at: now, anonymous_id: input.anonymous_id ?? null };
        await tx.insertInto('loyalty_referrals').values({ store_id: storeId, ...referral, code: input.code, created_at: now }).execute();
      }
      // The friend's own record is the one with exactly this email; look-alikes are for the checks.
      const own = await tx.selectFrom('customers').select('id').where('store_id', '=', storeId).where(sql<string>`lower(trim(email))`, '=', input.email.trim().toLowerCase()).orderBy('id').executeTakeFirst();
      const customerId = own ? Number(own.id) : null;
      const friend = {
        email, customerId, anonymousIds: [input.anonymous_id, referral.anonymous_id].filter((a): a is string => Boolean(a)),
        address: input.shipping_address ? normaliseAddress(input.shipping_address) : null, payment: input.payment_fingerprint ?? null,
      };
      const failures = await fraudChecks(tx, storeId, referral, friend, settings, now, { limit: true });
      const details = {
        ...emptyStep, friend_email: email, friend_customer_id: customerId, friend_anonymous_id: input.anonymous_id ?? null,
        friend_address: friend.address, friend_payment: friend.payment, occurred_at: now,
      };
      if (failures.length) {
        await appendStep(tx, storeId, referral.id, { ...details, state: 'rejected', reason: failures[0]!.reason, detail: failures.map((f) => f.detail).join('; ') });
      } else {
        const offer: FriendOffer = { ...settings.friend_offer, code: `REF-${await this.unusedCode(tx, storeId)}` };
        await appendStep(tx, storeId, referral.id, { ...details, state: 'signed_up', offer: JSON.stringify(offer) });
      }
      return answerOf(await referralView(tx, storeId, referral.id, now), settings);
    });
  }

  /** The store's referrals, newest first, optionally of one state or one referrer. */
  async list(storeId: string, options: { state?: ReferralState | undefined; referrer_id?: number | undefined; before?: string | undefined; limit?: number | undefined } = {}, now = new Date()): Promise<{ data: ReferralView[]; next_cursor: string | null }> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    const data: ReferralView[] = [];
    let before = options.before;
    // States are derived from the steps, so a filtered page reads on until it is full.
    for (;;) {
      const rows = await this.read.selectFrom('loyalty_referrals').selectAll().where('store_id', '=', storeId)
        .$if(options.referrer_id !== undefined, (q) => q.where('referrer_id', '=', options.referrer_id!))
        .$if(before !== undefined, (q) => q.where('id', '<', before!)).orderBy('id', 'desc').limit(limit + 1).execute();
      for (const view of await referralViews(this.read, storeId, rows.slice(0, limit), now)) {
        if (!options.state || view.state === options.state) data.push(view);
        if (data.length > limit) break;
      }
      if (data.length > limit || rows.length <= limit) break;
      before = rows[limit - 1]!.id;
    }
    return { data: data.slice(0, limit), next_cursor: data.length > limit ? data[limit - 1]!.id : null };
  }

  async get(storeId: string, id: string, now = new Date()): Promise<ReferralView> {
    return referralView(this.read, storeId, id, now);
  }

  // ── internals ───────────────────────────────────────────────────────────

  private async enabled(storeId: string, tx: LoyaltyTx): Promise<ReferralSettings> {
    const settings = await this.settingsOf(storeId, tx);
    const referrals = referralSettingsOf(settings);
    if (!settings.enabled || !referrals.enabled) throw new AppError('conflict', 'Referrals are off for this store (loyalty settings: enabled and referrals.enabled)');
    return referrals;
  }

  private async referrerOf(tx: LoyaltyTx, storeId: string, code: string): Promise<number> {
    const row = await tx.selectFrom('loyalty_referral_codes').select('customer_id').where('store_id', '=', storeId).where('code', '=', code).executeTakeFirst();
    if (!row) throw new AppError('not_found', `Referral code ${code} not found`, [{ path: 'code', reason: 'no customer of this store has this referral code' }]);
    return Number(row.customer_id);
  }

  /** A code no referral code and no friend's offer of the store has. */
  private async unusedCode(tx: LoyaltyTx, storeId: string): Promise<string> {
    for (;;) {
      const code = randomCode();
      const { rows } = await sql<{ n: number }>`select (select count(*) from loyalty_referral_codes where store_id = ${storeId} and code = ${code})
        + (select count(*) from loyalty_referral_steps where store_id = ${storeId} and offer is not null and json_extract_string(offer, '$.code') = ${`REF-${code}`}) as n`.execute(tx);
      if (Number(rows[0]?.n ?? 0) === 0) return code;
    }
  }

  /**
   * Runs `work` once per idempotency key: a retry with the same request gets the stored answer;
   * the same key with another request is a conflict.
   */
  private once<T>(storeId: string, key: string, operation: string, request: unknown, work: (tx: LoyaltyTx) => Promise<T>): Promise<{ answer: T; replayed: boolean }> {
    return this.serial(storeId, () => this.transact(async (tx) => {
      const hash = sha256(stableJson(request));
      const earlier = await tx.selectFrom('loyalty_referral_requests').select(['operation', 'request_hash', 'response']).where('store_id', '=', storeId).where('idempotency_key', '=', key).executeTakeFirst();
      if (earlier) {
        if (earlier.operation !== operation || earlier.request_hash !== hash) {
          throw new AppError('conflict', 'This Idempotency-Key was used for another request', [{ path: 'headers.idempotency-key', reason: `already used for a different ${earlier.operation.replace('_', ' ')}` }]);
        }
        return { answer: JSON.parse(earlier.response) as T, replayed: true };
      }
      const answer = await work(tx);
      await tx.insertInto('loyalty_referral_requests').values({ store_id: storeId, idempotency_key: key, operation, request_hash: hash, response: JSON.stringify(answer), created_at: new Date() }).execute();
      return { answer, replayed: false };
    }));
  }

  private serial<T>(storeId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(storeId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(() => undefined, () => undefined);
    this.queues.set(storeId, settled);
    void settled.then(() => { if (this.queues.get(storeId) === settled) this.queues.delete(storeId); });
    return next;
  }
}

function answerOf(view: ReferralView, settings: ReferralSettings): ReferralAnswer {
  return { referral_id: view.id, state: view.state, reason: view.reason, offer_terms: settings.friend_offer, offer: view.offer };
}

/** JSON with object keys sorted, so a retry whose body lists the same fields in another order is the same request. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
