/**
 * Rewards redeemed for points (docs/loyalty.md, "Redemptions"), inside the caller's transaction on
 * the writer: the draw from the spendable awards that expire first, a unique code, the first answer
 * stored for retries; cancelling gives the points back to the awards they came from.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../../db/database.js';
import { unnested } from '../../db/unnested.js';
import { recordEvents } from '../domain-events/index.js';
import { AppError, invalid, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { Outcome } from '../../lib/group-commit.js';
import { appendAllocationsOf, appendEntries, drawFrom, positions, positionsOf, standingOf, totalsOf, type Allocation, type Position } from './ledger.repository.js';
import { drawOrder, writeReturn } from './ledger.writer.js';
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

function sameRedemption(earlier: { customer_id: number | bigint; reward_id: string }, customerId: number, input: { reward_id: string }): void {
  if (Number(earlier.customer_id) !== customerId || earlier.reward_id !== input.reward_id) {
    throw new AppError('conflict', 'This Idempotency-Key was used for another redemption', [{ path: 'headers.idempotency-key', reason: 'already used with a different customer or reward' }]);
  }
}

export interface RedeemRequest { storeId: string; customerId: number; input: { reward_id: string; key: string }; now: Date }
export interface Redeemed { redemption: RedemptionView; replayed: boolean }

/**
 * Redeems rewards of the catalogue inside the caller's transaction, in the order given: each
 * request checks the balance as the ones before it left it, and a retry with the same key (earlier,
 * or earlier in the list) gets the first answer back. The number of statements does not grow with
 * the list: per store, one read of the keys, one of the customers' rows, one of the codes, and one
 * write to each table. A refusal (programme off, unknown reward, not enough points, a key used for
 * another redemption) is that request's outcome and writes nothing; any other error is thrown.
 */
export async function redeemRewards(tx: LoyaltyTx, settingsOf: (storeId: string) => Promise<LoyaltySettings>, requests: readonly RedeemRequest[]): Promise<Outcome<Redeemed>[]> {
  const outcomes: Outcome<Redeemed>[] = [];
  for (const storeId of new Set(requests.map((r) => r.storeId))) {
    const indexes = requests.flatMap((r, i) => (r.storeId === storeId ? [i] : []));
    const answered = await redeemInStore(tx, await settingsOf(storeId), storeId, indexes.map((i) => requests[i]!));
    indexes.forEach((i, j) => { outcomes[i] = answered[j]!; });
  }
  return outcomes;
}

const REDEMPTION_COLUMNS = {
  store_id: 'varchar', id: 'varchar', customer_id: 'bigint', idempotency_key: 'varchar', reward_id: 'varchar', reward: 'varchar', points: 'bigint', code: 'varchar',
  entry_id: 'bigint', response: 'varchar', created_at: 'timestamp',
} as const;

interface Draft { request: RedeemRequest; reward: Reward; view: RedemptionView; allocations: Allocation[] }

async function redeemInStore(tx: LoyaltyTx, settings: LoyaltySettings, storeId: string, requests: readonly RedeemRequest[]): Promise<Outcome<Redeemed>[]> {
  const keys = [...new Set(requests.map((r) => r.input.key))];
  // The keys' earlier redemptions and the codes for new ones, read together: a code already taken is drawn again.
  const codes = newCodes(requests.length);
  const found = await keysAndCodes(tx, storeId, keys, codes);
  const earlier = new Map(found.flatMap((row) => (row.idempotency_key === null ? [] : [[row.idempotency_key, row] as const])));
  const taken = new Set(found.map((row) => row.code));
  const rowsOf = await positionsOf(tx, storeId, [...new Set(requests.filter((r) => !earlier.has(r.input.key)).map((r) => r.customerId))]);
  const drafts = new Map<string, Draft>();
  const outcomes = requests.map((request): Outcome<Redeemed> => {
    try {
      return { ok: true, value: draft(settings, request, earlier, drafts, rowsOf.get(request.customerId)!) };
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return { ok: false, error };
    }
  });
  if (drafts.size === 0) return outcomes;
  const written = [...drafts.values()];
  const free = codes.filter((c) => !taken.has(c));
  const unique = free.length >= written.length ? free : await uniqueCodes(tx, storeId, free, written.length);
  written.forEach((d, i) => { d.view.code = unique[i]!; });
  const entryIds = await appendEntries(tx, written.map(({ request, reward, view }) => ({
    storeId, customerId: request.customerId, kind: 'redeem', points: -reward.points, state: 'available', source: 'reward', redemptionId: view.id,
    reason: reward.name, key: `redeem:${request.input.key}`, at: request.now,
  })));
  await appendAllocationsOf(tx, storeId, written.map((d, i) => ({ customerId: d.request.customerId, entryId: entryIds[i]!, allocations: d.allocations, at: d.request.now })));
  await sql`insert into loyalty_redemptions (${sql.join(Object.keys(REDEMPTION_COLUMNS).map((n) => sql.ref(n)))})
    select * from ${unnested(REDEMPTION_COLUMNS, written.map(({ request, reward, view }, i) => ({
    store_id: storeId, id: view.id, customer_id: request.customerId, idempotency_key: request.input.key, reward_id: reward.id, reward: JSON.stringify(reward),
    points: reward.points, code: view.code, entry_id: entryIds[i]!, response: JSON.stringify(view), created_at: request.now,
  })))} v`.execute(tx);
  // Recorded only for a programme that hands rewards to the shop (loyalty.fulfilment.ts): every
  // recorded event moves each subscriber's position, a write of its own, which halved the rate
  // of redemptions when recorded for all.
  if (settings.fulfilment?.webhook) await recordEvents(tx as unknown as Tx, written.map(({ request, reward, view }) => ({
    storeId, type: 'loyalty.reward_redeemed' as const, entityId: null, customerId: request.customerId,
    data: {
      redemption_id: view.id, reward_id: reward.id, reward_name: reward.name, kind: reward.kind, value: reward.value, product_id: reward.product_id ?? null,
      points: reward.points, code: view.code, balance_after: view.balance_after,
    },
  })), written[0]!.request.now);
  return outcomes;
}

/**
 * The store's redemptions made with these keys, and those holding these codes, found through the
 * one-column indexes on key and code (materialised first, so the store's filter does not turn the
 * lookups into a scan).
 */
async function keysAndCodes(tx: LoyaltyTx, storeId: string, keys: readonly string[], codes: readonly string[]) {
  const list = (values: readonly string[]) => sql.join(values.map((v) => sql`${v}`));
  const { rows } = await sql<{ idempotency_key: string | null; customer_id: number; reward_id: string; response: string; code: string }>`
    with by_key as materialized (select store_id, idempotency_key, customer_id, reward_id, response, code from loyalty_redemptions where idempotency_key in (${list(keys)})),
      by_code as materialized (select store_id, code from loyalty_redemptions where code in (${list(codes)}))
    select idempotency_key, customer_id, reward_id, response, code from by_key where store_id = ${storeId}
    union all select null, null, null, null, code from by_code where store_id = ${storeId}`.execute(tx);
  return rows;
}

/** One request's answer, drawing from the customer's rows in memory (their residuals go down by what it takes). */
function draft(settings: LoyaltySettings, request: RedeemRequest, earlier: Map<string, { customer_id: number | bigint; reward_id: string; response: string }>, drafts: Map<string, Draft>, rows: Position[]): Redeemed {
  const { customerId, input, now } = request;
  const before = earlier.get(input.key);
  if (before) {
    sameRedemption(before, customerId, input);
    return { redemption: reviveRedemption(before.response), replayed: true };
  }
  const sibling = drafts.get(input.key);
  if (sibling) {
    sameRedemption({ customer_id: sibling.request.customerId, reward_id: sibling.reward.id }, customerId, input);
    return { redemption: sibling.view, replayed: true };
  }
  if (!settings.enabled) throw new AppError('conflict', 'The loyalty programme is off for this store');
  const reward = settings.rewards.find((r) => r.id === input.reward_id);
  if (!reward) throw invalid('Unknown reward', [{ path: 'reward_id', reason: `no reward "${input.reward_id}" in the programme's rewards` }]);
  const available = totalsOf(rows, now).available;
  if (available < reward.points) {
    throw new AppError('conflict', `Not enough points: ${Math.max(0, available)} available, the reward costs ${reward.points}`, [{ path: 'reward_id', reason: `needs ${reward.points} points, ${Math.max(0, available)} available` }]);
  }
  const { allocations, shortfall } = drawFrom(drawOrder(rows, now, { pending: false }), reward.points);
  if (shortfall > 0) throw new Error(`a redemption of customer ${customerId} found ${shortfall} points short after the balance check`);
  for (const a of allocations) rows.find((r) => r.id === a.award_id)!.residual -= a.points;
  const view: RedemptionView = {
    id: newId('rdm'), customer_id: customerId, reward, points: reward.points, code: '', status: 'issued', balance_after: available - reward.points,
    created_at: now, cancelled_at: null, returned_points: 0,
  };
  drafts.set(input.key, { request, reward, view, allocations });
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
  if (await handsToShop(tx, storeId)) await recordEvents(tx as unknown as Tx, [{
    storeId, type: 'loyalty.reward_returned', entityId: null, customerId: current.customer_id,
    data: { redemption_id: redemptionId, reward_id: current.reward.id, code: current.code, status: key === voidKey(redemptionId) ? 'void' : 'cancelled', returned_points: current.points - lost },
  }], now);
}

/** Whether the programme's current settings hand redeemed and returned rewards to the shop (`fulfilment.webhook`). */
async function handsToShop(tx: LoyaltyTx, storeId: string): Promise<boolean> {
  const row = await tx.selectFrom('loyalty_settings').select('settings').where('store_id', '=', storeId).orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row !== undefined && (JSON.parse(row.settings) as Partial<LoyaltySettings>).fulfilment?.webhook === true;
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

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** `n` distinct codes (with those given): HRT- and ten letters and digits without look-alikes. */
function newCodes(n: number, codes = new Set<string>()): string[] {
  while (codes.size < n) codes.add(`HRT-${[...randomBytes(10)].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]!).join('')}`);
  return [...codes];
}

/** `n` codes nobody in the store has: those of `free` (known not to be taken), and new ones checked. */
async function uniqueCodes(tx: LoyaltyTx, storeId: string, free: readonly string[], n: number): Promise<string[]> {
  const codes = new Set(free);
  for (;;) {
    const drawn = newCodes(n, new Set(codes)).filter((c) => !codes.has(c));
    const taken = new Set((await tx.selectFrom('loyalty_redemptions').select('code').where('store_id', '=', storeId).where('code', 'in', drawn).execute()).map((r) => r.code));
    for (const code of drawn) if (!taken.has(code)) codes.add(code);
    if (codes.size >= n) return [...codes];
  }
}

function reviveRedemption(json: string): RedemptionView {
  const view = JSON.parse(json) as RedemptionView & { created_at: string; cancelled_at: string | null };
  return { ...view, created_at: new Date(view.created_at), cancelled_at: view.cancelled_at ? new Date(view.cancelled_at) : null };
}
