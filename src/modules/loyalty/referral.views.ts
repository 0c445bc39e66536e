/**
 * A referral as it stands, folded from its steps (docs/loyalty.md, "Referral states"): the latest
 * step's state, except that an order whose referral award has become spendable reads `rewarded`.
 */
import { sql } from 'kysely';
import { notFound } from '../../lib/errors.js';
import type { LoyaltyDb, LoyaltyTx } from './loyalty.table.js';
import type { ReferralState, ReferralStepTable, ReferralTable, RejectionReason } from './referral.table.js';

type Reader = LoyaltyDb | LoyaltyTx;

export interface FriendOffer { kind: 'amount_off' | 'percent_off'; value: number; code: string }

export interface ReferralView {
  id: string;
  code: string;
  referrer_id: number;
  state: ReferralState;
  reason: RejectionReason | null;
  detail: string | null;
  friend_email: string | null;
  friend_customer_id: number | null;
  order_id: number | null;
  offer: FriendOffer | null;
  /** The referrer's award: its points and when they become (or became) spendable; null until the friend's order. */
  award: { points: number; available_at: Date | null } | null;
  clicked_at: Date;
  signed_up_at: Date | null;
  ordered_at: Date | null;
  rewarded_at: Date | null;
  rejected_at: Date | null;
}

export const awardKey = (referralId: string): string => `referral:${referralId}:award`;

interface Award { points: number; available_at: Date | null }

export function foldReferral(row: ReferralTable, steps: readonly ReferralStepTable[], award: Award | undefined, now: Date): ReferralView {
  const view: ReferralView = {
    id: row.id, code: row.code, referrer_id: Number(row.referrer_id), state: 'clicked', reason: null, detail: null,
    friend_email: null, friend_customer_id: null, order_id: null, offer: null, award: award ?? null,
    clicked_at: row.clicked_at, signed_up_at: null, ordered_at: null, rewarded_at: null, rejected_at: null,
  };
  for (const step of [...steps].sort((a, b) => a.seq - b.seq)) {
    view.state = step.state;
    view.friend_email = step.friend_email ?? view.friend_email;
    view.friend_customer_id = step.friend_customer_id === null ? view.friend_customer_id : Number(step.friend_customer_id);
    view.order_id = step.order_id === null ? view.order_id : Number(step.order_id);
    if (step.offer) view.offer = JSON.parse(step.offer) as FriendOffer;
    if (step.state === 'signed_up') view.signed_up_at = step.occurred_at;
    if (step.state === 'ordered') view.ordered_at = step.occurred_at;
    if (step.state === 'rejected') Object.assign(view, { reason: step.reason, detail: step.detail, rejected_at: step.occurred_at });
  }
  if (view.state === 'ordered' && award?.available_at && award.available_at <= now) Object.assign(view, { state: 'rewarded', rewarded_at: award.available_at });
  return view;
}

/** The referral awards (points and effective availability) of these referrals. */
async function awardsOf(db: Reader, storeId: string, ids: readonly string[]): Promise<Map<string, Award>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<{ key: string; points: number; available_at: Date | null }>`select e.idempotency_key as key, e.points, coalesce(e.available_at, r.available_at) as available_at
    from loyalty_entries e left join loyalty_releases r on r.store_id = e.store_id and r.award_id = e.id
    where e.store_id = ${storeId} and e.idempotency_key in (select unnest(${ids.map(awardKey)}::varchar[]))`.execute(db);
  return new Map(rows.map((r) => [r.key.slice('referral:'.length, -':award'.length), { points: Number(r.points), available_at: r.available_at }]));
}

export async function referralViews(db: Reader, storeId: string, rows: readonly ReferralTable[], now: Date): Promise<ReferralView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const steps = await db.selectFrom('loyalty_referral_steps').selectAll().where('store_id', '=', storeId).where('referral_id', 'in', ids).execute();
  const awards = await awardsOf(db, storeId, ids);
  return rows.map((row) => foldReferral(row, steps.filter((s) => s.referral_id === row.id), awards.get(row.id), now));
}

export async function referralView(db: Reader, storeId: string, id: string, now: Date): Promise<ReferralView> {
  const row = await db.selectFrom('loyalty_referrals').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`Referral ${id}`);
  return (await referralViews(db, storeId, [row], now))[0]!;
}

/** Appends the referral's next step. */
export async function appendStep(tx: LoyaltyTx, storeId: string, referralId: string, step: Omit<ReferralStepTable, 'store_id' | 'referral_id' | 'seq'>): Promise<void> {
  const last = await tx.selectFrom('loyalty_referral_steps').select(sql<number>`coalesce(max(seq), 0)`.as('seq')).where('store_id', '=', storeId).where('referral_id', '=', referralId).executeTakeFirst();
  await tx.insertInto('loyalty_referral_steps').values({ ...step, store_id: storeId, referral_id: referralId, seq: Number(last?.seq ?? 0) + 1 }).execute();
}

export const emptyStep = {
  reason: null, detail: null, friend_email: null, friend_customer_id: null, friend_anonymous_id: null, friend_address: null, friend_payment: null, offer: null, order_id: null,
} as const;
