/**
 * Points from orders, driven by the order events (docs/loyalty.md, "Earning from orders"):
 * - `order.placed`: the order's award, pending (key `order:<id>:earn`);
 * - `order.delivered` (or, with pending counted from payment, the order turning paid): the award's
 *   release — when it becomes spendable — as a row of `loyalty_releases`, never an update;
 * - `order.refunded`: a claw-back per refund (key `order:<id>:refund:<return id>`), proportional;
 * - `order.cancelled`: the rest of the order's points (key `order:<id>:cancel`).
 * All run inside the caller's transaction; each is a no-op when its key is already written.
 */
import { sql } from 'kysely';
import { addDays, addMonths, orderPoints, proportion } from './earning.js';
import { entryByKey, positions, standingOf } from './ledger.repository.js';
import { drawOrder, writeAward, writeDraw } from './ledger.writer.js';
import type { LoyaltySettings } from './loyalty.settings.js';
import type { LoyaltyTx } from './loyalty.table.js';
import { currentTier, multiplierOf, reconsiderTier } from './loyalty.tiers.js';
import { changed } from './ledger.changes.js';

interface OrderRow {
  id: number; customer_id: number | null; placed_at: Date; currency: string; status: string;
  subtotal: number; discount: number; shipping: number; tax: number; total: number;
}

async function orderOf(tx: LoyaltyTx, storeId: string, orderId: number): Promise<OrderRow | undefined> {
  const row = await tx.selectFrom('orders').select(['id', 'customer_id', 'placed_at', 'currency', 'status', 'subtotal', 'discount', 'shipping', 'tax', 'total'])
    .where('store_id', '=', storeId).where('id', '=', orderId).executeTakeFirst();
  return row && { ...row, id: Number(row.id), customer_id: row.customer_id === null ? null : Number(row.customer_id) };
}

async function firstDelivery(tx: LoyaltyTx, storeId: string, orderId: number): Promise<Date | null> {
  const { rows } = await sql<{ at: Date | null }>`select min(delivered_at) as at from fulfillments where store_id = ${storeId} and order_id = ${orderId}`.execute(tx);
  return rows[0]?.at ?? null;
}

export const earnKey = (orderId: number): string => `order:${orderId}:earn`;

/** The order's award. Returns the points written (0 when nothing was). */
export async function awardOrder(tx: LoyaltyTx, storeId: string, settings: LoyaltySettings, orderId: number, now: Date): Promise<number> {
  const order = await orderOf(tx, storeId, orderId);
  if (!order?.customer_id || order.total <= 0) return 0;
  const key = earnKey(order.id);
  if (await entryByKey(tx, storeId, key)) return 0;
  const customerId = order.customer_id;
  const tier = await currentTier(tx, storeId, customerId);
  const points = orderPoints(order, settings.earning, multiplierOf(settings.tiers, tier.tier));
  if (points <= 0) return 0;
  const cancelled = order.status === 'cancelled';
  let available: Date | null;
  if (settings.pending.from === 'payment') available = order.status === 'pending' ? null : addDays(order.placed_at, settings.pending.days);
  else {
    const delivered = await firstDelivery(tx, storeId, order.id);
    available = delivered ? addDays(delivered, settings.pending.days) : null;
  }
  await writeAward(tx, {
    storeId, customerId, kind: 'earn', points, state: cancelled ? 'void' : available && available <= now ? 'available' : 'pending',
    availableAt: available, expiresAt: settings.expiry.mode === 'per_award' ? addMonths(order.placed_at, settings.expiry.months) : null,
    source: 'order', orderId: order.id, reason: tier.tier ? `tier ${tier.tier} ×${multiplierOf(settings.tiers, tier.tier)}` : null, key, at: now,
  });
  if (!cancelled) await reconsiderTier(tx, storeId, customerId, settings.tiers, now);
  return cancelled ? 0 : points;
}

/** The award waiting for this order becomes spendable `days` after `from` (a release row, once). */
export async function releaseOrder(tx: LoyaltyTx, storeId: string, settings: LoyaltySettings, orderId: number, from: Date, now: Date): Promise<boolean> {
  const award = await entryByKey(tx, storeId, earnKey(orderId));
  if (!award || award.state === 'void' || award.available_at) return false;
  const released = await tx.selectFrom('loyalty_releases').select('award_id').where('store_id', '=', storeId).where('award_id', '=', award.id).executeTakeFirst();
  if (released) return false;
  changed(tx, storeId, award.customer_id);
  await tx.insertInto('loyalty_releases').values({ store_id: storeId, award_id: award.id, customer_id: award.customer_id, available_at: addDays(from, settings.pending.days), created_at: now }).execute();
  return true;
}

/** Points already taken back for the order (refunds and cancellation). */
async function takenBack(tx: LoyaltyTx, storeId: string, customerId: number, orderId: number): Promise<number> {
  const { rows } = await sql<{ points: number | null }>`select -sum(points) as points from loyalty_entries
    where store_id = ${storeId} and customer_id = ${customerId} and order_id = ${orderId} and kind = 'reverse' and source in ('refund', 'cancel')`.execute(tx);
  return Number(rows[0]?.points ?? 0);
}

/**
 * Takes back `points` of the order's: from the order's own award first, then from the customer's
 * other awards (spendable, then pending); what is left is owed (a negative balance where the
 * store allows it, otherwise owed and covered by the next awards).
 */
async function takeBack(tx: LoyaltyTx, storeId: string, settings: LoyaltySettings, award: { id: number; customer_id: number }, orderId: number, points: number, source: 'refund' | 'cancel', key: string, why: string, now: Date): Promise<void> {
  const rows = await positions(tx, storeId, award.customer_id);
  const own = rows.filter((r) => r.id === award.id && r.residual > 0 && standingOf(r, now) !== 'lapsed');
  const others = drawOrder(rows, now).filter((r) => r.id !== award.id);
  const fromOwn = Math.min(points, own[0]?.residual ?? 0);
  const fromOthers = Math.min(points - fromOwn, others.reduce((sum, r) => sum + r.residual, 0));
  const owed = points - fromOwn - fromOthers;
  const account = `${why}: ${points} points taken back (${fromOwn} from the order's award, ${fromOthers} from other points${owed > 0 ? `, ${owed} ${settings.negative_balance === 'allow' ? 'below zero' : 'owed'}` : ''})`;
  await writeDraw(tx, { storeId, customerId: award.customer_id, kind: 'reverse', state: 'available', source, orderId, reason: account, key, at: now }, points, [...own, ...others]);
}

/** A claw-back per refund of the order, each proportional to the refunded share of the order's total. */
export async function clawBackRefunds(tx: LoyaltyTx, storeId: string, settings: LoyaltySettings, orderId: number, now: Date): Promise<number> {
  const award = await entryByKey(tx, storeId, earnKey(orderId));
  if (!award || award.state === 'void') return 0;
  const order = await orderOf(tx, storeId, orderId);
  if (!order || order.total <= 0) return 0;
  const refunds = await tx.selectFrom('returns').select(['id', 'amount']).where('store_id', '=', storeId).where('order_id', '=', orderId)
    .orderBy('returned_at').orderBy('id').execute();
  let cumulative = 0;
  let written = 0;
  let taken = await takenBack(tx, storeId, award.customer_id, orderId);
  for (const refund of refunds) {
    cumulative += Number(refund.amount);
    const key = `order:${orderId}:refund:${Number(refund.id)}`;
    if (await entryByKey(tx, storeId, key)) continue;
    // Counted over all refunds so far, so the parts add up to the whole on a full refund.
    const due = Math.min(proportion(award.points, cumulative, order.total), award.points) - taken;
    if (due <= 0) continue;
    const share = Math.round((Math.min(cumulative, order.total) / order.total) * 1000) / 10;
    await takeBack(tx, storeId, settings, award, orderId, due, 'refund', key, `${share} % of the order refunded`, now);
    taken += due;
    written += due;
  }
  return written;
}

/** A cancelled order loses the rest of its points. */
export async function clawBackCancellation(tx: LoyaltyTx, storeId: string, settings: LoyaltySettings, orderId: number, now: Date): Promise<number> {
  const award = await entryByKey(tx, storeId, earnKey(orderId));
  if (!award || award.state === 'void') return 0;
  const key = `order:${orderId}:cancel`;
  if (await entryByKey(tx, storeId, key)) return 0;
  const due = award.points - await takenBack(tx, storeId, award.customer_id, orderId);
  if (due <= 0) return 0;
  await takeBack(tx, storeId, settings, award, orderId, due, 'cancel', key, 'order cancelled', now);
  return due;
}
