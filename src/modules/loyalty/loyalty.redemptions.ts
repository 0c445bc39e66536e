/**
 * Rewards redeemed for points (docs/loyalty.md, "Redemptions"), inside the caller's transaction on
 * the writer: the draw from the spendable awards that expire first, a unique code, the first answer
 * stored for retries; cancelling gives the points back to the awards they came from.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { AppError, invalid, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { positions, standingOf, totalsOf } from './ledger.repository.js';
import { drawOrder, writeDraw, writeReturn } from './ledger.writer.js';
import type { LoyaltySettings, Reward } from './loyalty.settings.js';
import type { LoyaltyDb, LoyaltyTx } from './loyalty.table.js';
import type { RedemptionView } from './loyalty.views.js';

const cancelKey = (id: string) => `redemption:${id}:cancel`;
const voidKey = (id: string) => `redemption:${id}:void`;

/** A redemption as it is now: issued, used (its code is on an order), cancelled, or void (every order that used it was refunded or cancelled). */
export async function redemptionView(db: LoyaltyDb | LoyaltyTx, storeId: string, id: string): Promise<RedemptionView> {
  const row = await db.selectFrom('loyalty_redemptions').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`Redemption ${id}`);
  const ended = await db.selectFrom('loyalty_entries').select(['points', 'created_at', 'idempotency_key']).where('store_id', '=', storeId)
    .where('idempotency_key', 'in', [cancelKey(id), voidKey(id)]).executeTakeFirst();
  const cancel = ended ?? undefined;
  const used = cancel ? false : await codeUsed(db, storeId, row.code);
  const first = JSON.parse(row.response) as { balance_after: number };
  return {
    id: row.id, customer_id: Number(row.customer_id), reward: JSON.parse(row.reward) as Reward, points: Number(row.points), code: row.code,
    status: cancel ? (cancel.idempotency_key === voidKey(id) ? 'void' : 'cancelled') : used ? 'used' : 'issued', balance_after: first.balance_after, created_at: row.created_at,
    cancelled_at: cancel?.created_at ?? null, returned_points: cancel ? Number(cancel.points) : 0,
  };
}

/**
 * The first answer of a redemption made with this key, for a retry; undefined when the key is new.
 * The same key with another customer or reward is a conflict.
 */
export async function replayOf(db: LoyaltyDb | LoyaltyTx, storeId: string, customerId: number, input: { reward_id: string; key: string }): Promise<{ redemption: RedemptionView; replayed: true } | undefined> {
  const earlier = await db.selectFrom('loyalty_redemptions').select(['customer_id', 'reward_id', 'response']).where('store_id', '=', storeId).where('idempotency_key', '=', input.key).executeTakeFirst();
  if (!earlier) return undefined;
  if (Number(earlier.customer_id) !== customerId || earlier.reward_id !== input.reward_id) {
    throw new AppError('conflict', 'This Idempotency-Key was used for another redemption', [{ path: 'headers.idempotency-key', reason: 'already used with a different customer or reward' }]);
  }
  return { redemption: reviveRedemption(earlier.response), replayed: true };
}

/** Redeems a reward of the catalogue; a retry with the same key gets the first answer back. */
export async function redeemReward(tx: LoyaltyTx, settings: LoyaltySettings, storeId: string, customerId: number, input: { reward_id: string; key: string }, now: Date): Promise<{ redemption: RedemptionView; replayed: boolean }> {
  const replay = await replayOf(tx, storeId, customerId, input);
  if (replay) return replay;
  if (!settings.enabled) throw new AppError('conflict', 'The loyalty programme is off for this store');
  const reward = settings.rewards.find((r) => r.id === input.reward_id);
  if (!reward) throw invalid('Unknown reward', [{ path: 'reward_id', reason: `no reward "${input.reward_id}" in the programme's rewards` }]);
  const rows = await positions(tx, storeId, customerId);
  const available = totalsOf(rows, now).available;
  if (available < reward.points) {
    throw new AppError('conflict', `Not enough points: ${Math.max(0, available)} available, the reward costs ${reward.points}`, [{ path: 'reward_id', reason: `needs ${reward.points} points, ${Math.max(0, available)} available` }]);
  }
  const id = newId('rdm');
  const code = await uniqueCode(tx, storeId);
  const entry = await writeDraw(tx, {
    storeId, customerId, kind: 'redeem', state: 'available', source: 'reward', redemptionId: id, reason: reward.name, key: `redeem:${input.key}`, at: now,
  }, reward.points, drawOrder(rows, now, { pending: false }));
  if (entry.owed > 0) throw new Error(`redemption ${id} found ${entry.owed} points short after the balance check`);
  const view: RedemptionView = {
    id, customer_id: customerId, reward, points: reward.points, code, status: 'issued', balance_after: available - reward.points,
    created_at: now, cancelled_at: null, returned_points: 0,
  };
  await tx.insertInto('loyalty_redemptions').values({
    store_id: storeId, id, customer_id: customerId, idempotency_key: input.key, reward_id: reward.id, reward: JSON.stringify(reward),
    points: reward.points, code, entry_id: entry.id, response: JSON.stringify(view), created_at: now,
  }).execute();
  return { redemption: view, replayed: false };
}

/**
 * Cancels an unused reward: its points go back to the awards they came from, keeping their
 * expiry; points whose award has lapsed meanwhile are not returned. Cancelling again changes nothing.
 */
export async function cancelReward(tx: LoyaltyTx, storeId: string, redemptionId: string, now: Date): Promise<RedemptionView> {
  const current = await redemptionView(tx, storeId, redemptionId);
  if (current.status === 'cancelled' || current.status === 'void') return current;
  if (current.status === 'used') throw new AppError('conflict', `Redemption ${redemptionId} was used on an order: its points cannot be returned`);
  await giveBack(tx, storeId, current, cancelKey(redemptionId), 'reward cancelled', now);
  return redemptionView(tx, storeId, redemptionId);
}

/**
 * Voids the rewards whose code this order carried, once every order that carried the code is
 * cancelled or fully refunded: the customer kept nothing the reward paid for. The code is void
 * (the shop should not honour it again) and its points go back as on a cancel, once (key
 * `redemption:<id>:void`). A partly refunded order keeps the reward used.
 */
export async function voidRefundedRewards(tx: LoyaltyTx, storeId: string, orderId: number, now: Date): Promise<RedemptionView[]> {
  const order = await tx.selectFrom('orders').select(['discount_codes', 'external_id']).where('store_id', '=', storeId).where('id', '=', orderId).executeTakeFirst();
  const codes = [...new Set((order?.discount_codes ?? []).map((c) => c.toUpperCase()))];
  if (!order || codes.length === 0) return [];
  const redemptions = await tx.selectFrom('loyalty_redemptions').select(['id', 'code']).where('store_id', '=', storeId).where('code', 'in', codes).execute();
  const voided: RedemptionView[] = [];
  for (const redemption of redemptions) {
    const current = await redemptionView(tx, storeId, redemption.id);
    if (current.status !== 'used' || await codeKept(tx, storeId, redemption.code)) continue;
    await giveBack(tx, storeId, current, voidKey(redemption.id), `reward void: order ${order.external_id} was refunded or cancelled`, now);
    voided.push(await redemptionView(tx, storeId, redemption.id));
  }
  return voided;
}

/** Gives a reward's points back to the awards they came from, keeping their expiry; lapsed awards get nothing back. */
async function giveBack(tx: LoyaltyTx, storeId: string, current: RedemptionView, key: string, why: string, now: Date): Promise<void> {
  const redemptionId = current.id;
  const row = await tx.selectFrom('loyalty_redemptions').select('entry_id').where('store_id', '=', storeId).where('id', '=', redemptionId).executeTakeFirstOrThrow();
  const drawn = await tx.selectFrom('loyalty_allocations').select(['award_id', 'points']).where('store_id', '=', storeId).where('entry_id', '=', Number(row.entry_id)).execute();
  const awards = new Map((await positions(tx, storeId, current.customer_id)).map((p) => [p.id, p]));
  const written = drawn.length ? await tx.selectFrom('loyalty_entries').select('idempotency_key').where('store_id', '=', storeId)
    .where('idempotency_key', 'in', drawn.map((a) => `expire:${Number(a.award_id)}`)).execute() : [];
  const expired = new Set(written.map((w) => w.idempotency_key));
  // An award past its expiry, or already written down, keeps nothing given back to it.
  const returned = drawn.map((a) => ({ award_id: Number(a.award_id), points: Number(a.points) }))
    .filter((a) => {
      const award = awards.get(a.award_id);
      return award !== undefined && standingOf({ ...award, residual: 1 }, now) !== 'lapsed' && !expired.has(`expire:${a.award_id}`);
    });
  const lost = current.points - returned.reduce((s, a) => s + a.points, 0);
  await writeReturn(tx, {
    storeId, customerId: current.customer_id, kind: 'reverse', state: 'available', source: 'reward', redemptionId,
    reason: `${why}${lost > 0 ? `; ${lost} points had lapsed and were not returned` : ''}`, key, at: now,
  }, returned);
}

/** Whether an order carrying the code is neither cancelled nor fully refunded. */
async function codeKept(tx: LoyaltyTx, storeId: string, code: string): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`
    select count(*) as n from orders o
    where o.store_id = ${storeId} and list_contains(list_transform(o.discount_codes, c -> upper(c)), ${code}) and o.status not in ('cancelled', 'refunded')
      and coalesce((select sum(r.amount) from returns r where r.store_id = o.store_id and r.order_id = o.id), 0) < greatest(o.total, 1)`.execute(tx);
  return Number(rows[0]?.n ?? 0) > 0;
}

async function codeUsed(db: LoyaltyDb | LoyaltyTx, storeId: string, code: string): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`select count(*) as n from orders where store_id = ${storeId} and list_contains(list_transform(discount_codes, c -> upper(c)), ${code})`.execute(db);
  return Number(rows[0]?.n ?? 0) > 0;
}

/** A code nobody in the store has: HRT- and ten letters and digits without look-alikes. */
async function uniqueCode(tx: LoyaltyTx, storeId: string): Promise<string> {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  for (;;) {
    const code = `HRT-${[...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('')}`;
    const taken = await tx.selectFrom('loyalty_redemptions').select('id').where('store_id', '=', storeId).where('code', '=', code).executeTakeFirst();
    if (!taken) return code;
  }
}

function reviveRedemption(json: string): RedemptionView {
  const view = JSON.parse(json) as RedemptionView & { created_at: string; cancelled_at: string | null };
  return { ...view, created_at: new Date(view.created_at), cancelled_at: view.cancelled_at ? new Date(view.cancelled_at) : null };
}
