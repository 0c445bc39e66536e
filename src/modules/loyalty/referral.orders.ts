/**
 * The friend's first order and what follows (docs/loyalty.md, "Referrals"), run by the loyalty
 * subscriber inside its transaction, each a no-op when already done:
 * - `order.placed` by the friend (the customer with the signed-up email, or an order carrying the
 *   friend's offer code): the fraud checks again, then `ordered` and the referrer's award, written
 *   pending exactly like order points (key `referral:<id>:award`);
 * - the order's delivery (or payment): the award's release at the end of the return window;
 * - a refund or cancellation before the window has passed: the award taken back in full (key
 *   `referral:<id>:reject`) and the referral `rejected`.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/database.js';
import { recordEvents } from '../domain-events/index.js';
import { addDays, addMonths } from './earning.js';
import { entryByKey, positions, standingOf } from './ledger.repository.js';
import { drawOrder, writeAward, writeDraw } from './ledger.writer.js';
import { referralSettingsOf, type LoyaltySettings } from './loyalty.settings.js';
import type { LoyaltyTx } from './loyalty.table.js';
import { reconsiderTier } from './loyalty.tiers.js';
import { fraudChecks } from './referral.fraud.js';
import { normaliseEmail } from './referral.normalise.js';
import { appendStep, awardKey, emptyStep } from './referral.views.js';
import { changed } from './ledger.changes.js';

/** When the order's return window ends, as for its order points; null while it waits for delivery (or payment). */
async function windowEnd(tx: LoyaltyTx, storeId: string, settings: LoyaltySettings, orderId: number): Promise<Date | null> {
  const order = await tx.selectFrom('orders').select(['placed_at', 'status']).where('store_id', '=', storeId).where('id', '=', orderId).executeTakeFirst();
  if (!order) return null;
  if (settings.pending.from === 'payment') return order.status === 'pending' ? null : addDays(order.placed_at, settings.pending.days);
  const { rows } = await sql<{ at: Date | null }>`select min(delivered_at) as at from fulfillments where store_id = ${storeId} and order_id = ${orderId}`.execute(tx);
  return rows[0]?.at ? addDays(rows[0].at, settings.pending.days) : null;
}

/** The latest step of every referral whose latest step has this state and matches `where`. */
const openSteps = (storeId: string, state: string) => sql`select s.* from loyalty_referral_steps s where s.store_id = ${storeId} and s.state = ${state}
  and not exists (select 1 from loyalty_referral_steps later where later.store_id = s.store_id and later.referral_id = s.referral_id and later.seq > s.seq)`;

export async function referralOrderPlaced(tx: LoyaltyTx, storeId: string, settings: LoyaltySettings, orderId: number, now: Date): Promise<void> {
  const rules = referralSettingsOf(settings);
  if (!rules.enabled) return;
  const order = await tx.selectFrom('orders').select(['customer_id', 'placed_at', 'discount_codes', 'status']).where('store_id', '=', storeId).where('id', '=', orderId).executeTakeFirst();
  if (!order?.customer_id) return;
  const customerId = Number(order.customer_id);
  const customer = await tx.selectFrom('customers').select('email').where('store_id', '=', storeId).where('id', '=', customerId).executeTakeFirst();
  const email = customer?.email ? normaliseEmail(customer.email) ?? null : null;
  const codes = (order.discount_codes ?? []).map((c) => c.toUpperCase());
  const { rows } = await sql<{ referral_id: string; friend_email: string | null; friend_anonymous_id: string | null; friend_address: string | null; friend_payment: string | null }>`
    with open as (${openSteps(storeId, 'signed_up')})
    select open.referral_id, open.friend_email, open.friend_anonymous_id, open.friend_address, open.friend_payment from open
    where open.friend_customer_id = ${customerId} or open.friend_email = ${email}
      ${codes.length ? sql`or upper(json_extract_string(open.offer, '$.code')) in (select unnest(${codes}::varchar[]))` : sql``}
    order by open.occurred_at limit 1`.execute(tx);
  const step = rows[0];
  if (!step) return;
  const referral = await tx.selectFrom('loyalty_referrals').select(['id', 'referrer_id', 'clicked_at', 'anonymous_id']).where('store_id', '=', storeId).where('id', '=', step.referral_id).executeTakeFirstOrThrow();
  const referrerId = Number(referral.referrer_id);
  const friend = {
    email: email ?? step.friend_email, customerId, address: step.friend_address, payment: step.friend_payment,
    anonymousIds: [step.friend_anonymous_id, referral.anonymous_id].filter((a): a is string => Boolean(a)),
  };
  const failures = await fraudChecks(tx, storeId, { id: referral.id, referrer_id: referrerId, clicked_at: referral.clicked_at }, friend, rules, now, { limit: false });
  const base = { ...emptyStep, friend_customer_id: customerId, order_id: orderId, occurred_at: now };
  if (failures.length) {
    await appendStep(tx, storeId, referral.id, { ...base, state: 'rejected', reason: failures[0]!.reason, detail: failures.map((f) => f.detail).join('; ') });
    return;
  }
  await appendStep(tx, storeId, referral.id, { ...base, state: 'ordered' });
  if (await entryByKey(tx, storeId, awardKey(referral.id))) return;
  const available = order.status === 'cancelled' ? null : await windowEnd(tx, storeId, settings, orderId);
  await writeAward(tx, {
    storeId, customerId: referrerId, kind: 'earn', points: rules.referrer_points, state: available && available <= now ? 'available' : 'pending', availableAt: available,
    expiresAt: settings.expiry.mode === 'per_award' ? addMonths(now, settings.expiry.months) : null, source: 'referral',
    reason: `referral ${referral.id}: the friend's first order`, key: awardKey(referral.id), at: now,
  });
  // Flows thank the referrer (once: the award's key is written once).
  await recordEvents(tx as unknown as Tx, [{
    storeId, type: 'loyalty.referral_ordered', entityId: null, customerId: referrerId,
    data: { referral_id: referral.id, friend_customer_id: customerId, order_id: orderId, points: rules.referrer_points, points_available_at: available?.toISOString() ?? null },
  }], now);
  await reconsiderTier(tx, storeId, referrerId, settings.tiers, now);
}

async function referralOfOrder(tx: LoyaltyTx, storeId: string, orderId: number): Promise<string | undefined> {
  const { rows } = await sql<{ referral_id: string }>`with open as (${openSteps(storeId, 'ordered')}) select referral_id from open where order_id = ${orderId} limit 1`.execute(tx);
  return rows[0]?.referral_id;
}

/** The order was delivered (or paid): the referrer's award becomes spendable when the window ends. */
export async function referralOrderReleased(tx: LoyaltyTx, storeId: string, settings: LoyaltySettings, orderId: number, now: Date): Promise<void> {
  const id = await referralOfOrder(tx, storeId, orderId);
  if (!id) return;
  const award = await entryByKey(tx, storeId, awardKey(id));
  if (!award || award.available_at) return;
  const released = await tx.selectFrom('loyalty_releases').select('award_id').where('store_id', '=', storeId).where('award_id', '=', award.id).executeTakeFirst();
  const end = await windowEnd(tx, storeId, settings, orderId);
  if (released || !end) return;
  changed(tx, storeId, award.customer_id);
  await tx.insertInto('loyalty_releases').values({ store_id: storeId, award_id: award.id, customer_id: award.customer_id, available_at: end, created_at: now }).execute();
}

/**
 * A refund or cancellation of the friend's order at `at`: before the award became spendable, the
 * referral is rejected and the award taken back (from itself first, then the referrer's other points).
 */
export async function referralOrderReturned(tx: LoyaltyTx, storeId: string, orderId: number, kind: 'refund' | 'cancel', at: Date, now: Date): Promise<void> {
  const id = await referralOfOrder(tx, storeId, orderId);
  if (!id) return;
  const award = await entryByKey(tx, storeId, awardKey(id));
  const reason = kind === 'refund' ? 'order_refunded' : 'order_cancelled';
  const detail = kind === 'refund' ? 'the friend\'s order was refunded within the return window' : 'the friend\'s order was cancelled within the return window';
  if (award) {
    const rows = await positions(tx, storeId, award.customer_id);
    const own = rows.find((r) => r.id === award.id);
    if (own?.available_at && own.available_at <= at) return;
    const key = `referral:${id}:reject`;
    if (!(await entryByKey(tx, storeId, key))) {
      const first = own && own.residual > 0 && standingOf(own, now) !== 'lapsed' ? [own] : [];
      await writeDraw(tx, { storeId, customerId: award.customer_id, kind: 'reverse', state: 'available', source: 'referral', reason: `referral ${id} rejected: ${detail}`, key, at: now },
        award.points, [...first, ...drawOrder(rows, now).filter((r) => r.id !== award.id)]);
    }
  }
  await appendStep(tx, storeId, id, { ...emptyStep, state: 'rejected', reason, detail, order_id: orderId, occurred_at: now });
}

/** When the order's latest refund happened (the refund event's own time when none is stored). */
export async function lastRefundAt(tx: LoyaltyTx, storeId: string, orderId: number, fallback: Date): Promise<Date> {
  const { rows } = await sql<{ at: Date | null }>`select max(returned_at) as at from returns where store_id = ${storeId} and order_id = ${orderId}`.execute(tx);
  return rows[0]?.at ?? fallback;
}
