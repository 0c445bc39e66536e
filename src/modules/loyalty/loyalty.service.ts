/**
 * The loyalty programme (docs/loyalty.md): settings, balances and history derived from the
 * append-only ledger, redemptions, adjustments, earning from domain events, and the daily expiry.
 * Every write runs in one transaction on the writer connection and carries an idempotency key;
 * writes for one customer are also queued in this process, so concurrent redemptions wait their
 * turn instead of racing for the connection, and each re-checks the balance inside its transaction.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import { AppError, invalid, notFound } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { DomainEvent } from '../domain-events/index.js';
import { addMonths, pointsValue } from './earning.js';
import { entryByKey, positions, standingOf, totalsByCustomer, totalsOf, type Position } from './ledger.repository.js';
import { drawOrder, writeAward, writeDraw, writeReturn } from './ledger.writer.js';
import { announceExpiring, expireLapsed } from './loyalty.expiry.js';
import { awardOrder, clawBackCancellation, clawBackRefunds, releaseOrder } from './loyalty.orders.js';
import { defaultLoyaltySettings, loyaltySettingsSchema, type LoyaltySettings, type Reward } from './loyalty.settings.js';
import { loyaltyDb, type LoyaltyDb, type LoyaltyEntryTable, type LoyaltyTx } from './loyalty.table.js';
import { currentTier, qualifyingFigure, reconsiderTier } from './loyalty.tiers.js';
import type { BalanceView, EntryView, LiabilityView, MemberView, RedemptionView } from './loyalty.views.js';

export const LOYALTY_EXPIRE_JOB = 'loyalty.expire';

/** Events handled per transaction by the subscriber. */
const EVENTS_PER_TRANSACTION = 200;

export interface StoredSettings { settings: LoyaltySettings; version: number; updated_at: Date | null }

export class LoyaltyService {
  private readonly write: LoyaltyDb;
  private readonly read: LoyaltyDb;
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(storage: Storage) {
    this.write = loyaltyDb(storage.write);
    this.read = loyaltyDb(storage.read);
  }

  // ── settings ────────────────────────────────────────────────────────────

  async settings(storeId: string, db: LoyaltyDb | LoyaltyTx = this.read): Promise<StoredSettings> {
    const row = await db.selectFrom('loyalty_settings').select(['settings', 'version', 'created_at'])
      .where('store_id', '=', storeId).orderBy('version', 'desc').limit(1).executeTakeFirst();
    if (!row) return { settings: defaultLoyaltySettings, version: 0, updated_at: null };
    return { settings: loyaltySettingsSchema.parse(JSON.parse(row.settings)), version: row.version, updated_at: row.created_at };
  }

  /** Saves a new version (the old ones stay, for the audit of what rules gave which points). */
  async saveSettings(storeId: string, input: LoyaltySettings, actor: string | null, now = new Date()): Promise<StoredSettings> {
    const settings = loyaltySettingsSchema.parse(input);
    await this.write.transaction().execute(async (tx) => {
      const { version } = await this.settings(storeId, tx);
      await tx.insertInto('loyalty_settings').values({ store_id: storeId, version: version + 1, settings: JSON.stringify(settings), created_by: actor, created_at: now }).execute();
    });
    return this.settings(storeId, this.write);
  }

  // ── reading ─────────────────────────────────────────────────────────────

  async balance(storeId: string, customerId: number, now = new Date()): Promise<BalanceView> {
    const [{ settings }, rows, store] = await Promise.all([this.settings(storeId), positions(this.read, storeId, customerId), this.store(storeId)]);
    const totals = totalsOf(rows, now);
    const tier = await currentTier(this.read, storeId, customerId);
    const figure = settings.tiers.levels.length ? await qualifyingFigure(this.read, storeId, customerId, settings.tiers.basis, now) : 0;
    const rank = settings.tiers.levels.findIndex((l) => l.name === tier.tier);
    const next = settings.tiers.levels[rank + 1];
    const available = shown(totals.available, settings);
    return {
      customer_id: customerId, available, pending: totals.pending, owed: totals.owed, lapsed: totals.lapsed, ledger: totals.ledger,
      value: pointsValue(Math.max(0, available), settings.point_value), currency: store.currency,
      tier: tier.tier, tier_since: tier.since, tier_figure: figure,
      next_tier: next ? { name: next.name, threshold: next.threshold, missing: Math.max(0, next.threshold - figure) } : null,
    };
  }

  /** The customer's ledger, newest first, `limit` rows after the cursor (a row id). */
  async history(storeId: string, customerId: number, options: { before?: number; limit?: number } = {}, now = new Date()): Promise<{ data: EntryView[]; next_cursor: string | null }> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    const rows = await this.read.selectFrom('loyalty_entries').selectAll().where('store_id', '=', storeId).where('customer_id', '=', customerId)
      .$if(options.before !== undefined, (q) => q.where('id', '<', options.before!)).orderBy('id', 'desc').limit(limit + 1).execute();
    const standing = new Map((await positions(this.read, storeId, customerId)).map((p) => [p.id, p]));
    const data = rows.slice(0, limit).map((row) => entryView(row, standing.get(Number(row.id)), now));
    return { data, next_cursor: rows.length > limit ? String(data.at(-1)!.id) : null };
  }

  /** Customers with ledger rows, by customer id, with their balances and tiers. */
  async members(storeId: string, options: { after?: number; limit?: number } = {}, now = new Date()): Promise<{ data: MemberView[]; next_cursor: string | null }> {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    const { settings } = await this.settings(storeId);
    const totals = await totalsByCustomer(this.read, storeId, now, { ...(options.after !== undefined && { after: options.after }), limit: limit + 1 });
    const page = totals.slice(0, limit);
    const tiers = await this.tiersOf(storeId, page.map((t) => t.customer_id));
    const data = page.map((t) => ({ customer_id: t.customer_id, available: shown(t.available, settings), pending: t.pending, owed: t.owed, tier: tiers.get(t.customer_id) ?? null }));
    return { data, next_cursor: totals.length > limit ? String(data.at(-1)!.customer_id) : null };
  }

  /** What the points customers hold are worth: available points × the point value. */
  async liability(storeId: string, now = new Date()): Promise<LiabilityView> {
    const [{ settings }, store, totals] = await Promise.all([this.settings(storeId), this.store(storeId), totalsByCustomer(this.read, storeId, now)]);
    const available = totals.reduce((sum, t) => sum + Math.max(0, t.available), 0);
    const pending = totals.reduce((sum, t) => sum + t.pending, 0);
    return {
      currency: store.currency, point_value: settings.point_value, members: totals.length,
      available_points: available, value: pointsValue(available, settings.point_value),
      pending_points: pending, pending_value: pointsValue(pending, settings.point_value),
    };
  }

  async redemptions(storeId: string, customerId: number, now = new Date()): Promise<RedemptionView[]> {
    const rows = await this.read.selectFrom('loyalty_redemptions').select('id').where('store_id', '=', storeId).where('customer_id', '=', customerId).orderBy('created_at', 'desc').execute();
    return Promise.all(rows.map((r) => this.redemption(storeId, r.id, now)));
  }

  /** A redemption as it is now: issued, used (its code is on an order) or cancelled. */
  async redemption(storeId: string, id: string, now = new Date(), db: LoyaltyDb | LoyaltyTx = this.read): Promise<RedemptionView> {
    void now;
    const row = await db.selectFrom('loyalty_redemptions').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`Redemption ${id}`);
    const cancel = await db.selectFrom('loyalty_entries').select(['points', 'created_at']).where('store_id', '=', storeId).where('idempotency_key', '=', `redemption:${id}:cancel`).executeTakeFirst();
    const used = cancel ? false : await this.codeUsed(db, storeId, row.code);
    const first = JSON.parse(row.response) as { balance_after: number };
    return {
      id: row.id, customer_id: Number(row.customer_id), reward: JSON.parse(row.reward) as Reward, points: Number(row.points), code: row.code,
      status: cancel ? 'cancelled' : used ? 'used' : 'issued', balance_after: first.balance_after, created_at: row.created_at,
      cancelled_at: cancel?.created_at ?? null, returned_points: cancel ? Number(cancel.points) : 0,
    };
  }

  // ── writing ─────────────────────────────────────────────────────────────

  /**
   * Redeems a reward of the catalogue: draws its points from the spendable awards that expire
   * first and issues a unique code. A retry with the same key gets the first answer back.
   */
  async redeem(storeId: string, customerId: number, input: { reward_id: string; key: string }, now = new Date()): Promise<{ redemption: RedemptionView; replayed: boolean }> {
    return this.serial(storeId, customerId, () => this.write.transaction().execute(async (tx) => {
      const earlier = await tx.selectFrom('loyalty_redemptions').select(['customer_id', 'reward_id', 'response']).where('store_id', '=', storeId).where('idempotency_key', '=', input.key).executeTakeFirst();
      if (earlier) {
        if (Number(earlier.customer_id) !== customerId || earlier.reward_id !== input.reward_id) {
          throw new AppError('conflict', 'This Idempotency-Key was used for another redemption', [{ path: 'headers.idempotency-key', reason: 'already used with a different customer or reward' }]);
        }
        return { redemption: reviveRedemption(earlier.response), replayed: true };
      }
      const { settings } = await this.settings(storeId, tx);
      if (!settings.enabled) throw new AppError('conflict', 'The loyalty programme is off for this store');
      const reward = settings.rewards.find((r) => r.id === input.reward_id);
      if (!reward) throw invalid('Unknown reward', [{ path: 'reward_id', reason: `no reward "${input.reward_id}" in the programme's rewards` }]);
      const rows = await positions(tx, storeId, customerId);
      const available = totalsOf(rows, now).available;
      if (available < reward.points) {
        throw new AppError('conflict', `Not enough points: ${Math.max(0, available)} available, the reward costs ${reward.points}`, [{ path: 'reward_id', reason: `needs ${reward.points} points, ${Math.max(0, available)} available` }]);
      }
      const id = newId('rdm');
      const code = await this.uniqueCode(tx, storeId);
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
    }));
  }

  /**
   * Cancels an unused reward: its points go back to the awards they came from, keeping their
   * expiry; points whose award has lapsed meanwhile are not returned. Cancelling again changes nothing.
   */
  async cancelRedemption(storeId: string, redemptionId: string, now = new Date()): Promise<RedemptionView> {
    const found = await this.redemption(storeId, redemptionId, now);
    return this.serial(storeId, found.customer_id, () => this.write.transaction().execute(async (tx) => {
      const current = await this.redemption(storeId, redemptionId, now, tx);
      if (current.status === 'cancelled') return current;
      if (current.status === 'used') throw new AppError('conflict', `Redemption ${redemptionId} was used on an order: its points cannot be returned`);
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
        reason: `reward cancelled${lost > 0 ? `; ${lost} points had lapsed and were not returned` : ''}`, key: `redemption:${redemptionId}:cancel`, at: now,
      }, returned);
      return this.redemption(storeId, redemptionId, now, tx);
    }));
  }

  /**
   * A manual change by an owner or admin, with its reason. Adding points makes an award (spendable
   * at once); taking points draws from the customer's points and, beyond them, is refused unless
   * the store allows a negative balance. A retry with the same key returns the first row.
   */
  async adjust(storeId: string, customerId: number, input: { points: number; reason: string; key: string; actor: string }, now = new Date()): Promise<{ entry: EntryView; replayed: boolean }> {
    return this.serial(storeId, customerId, () => this.write.transaction().execute(async (tx) => {
      const key = `adjust:${input.key}`;
      const earlier = await entryByKey(tx, storeId, key);
      if (earlier) {
        if (earlier.customer_id !== customerId || earlier.points !== input.points) {
          throw new AppError('conflict', 'This Idempotency-Key was used for another adjustment', [{ path: 'headers.idempotency-key', reason: 'already used with a different customer or points' }]);
        }
        return { entry: await this.entry(tx, storeId, earlier.id, now), replayed: true };
      }
      const { settings } = await this.settings(storeId, tx);
      const base = { storeId, customerId, kind: 'adjust' as const, state: 'available' as const, source: 'admin', reason: input.reason, actor: input.actor, key, at: now };
      let id: number;
      if (input.points > 0) {
        id = await writeAward(tx, { ...base, points: input.points, availableAt: now, expiresAt: settings.expiry.mode === 'per_award' ? addMonths(now, settings.expiry.months) : null });
      } else {
        const rows = await positions(tx, storeId, customerId);
        const awards = drawOrder(rows, now);
        const covered = awards.reduce((s, a) => s + a.residual, 0) - totalsOf(rows, now).owed;
        if (-input.points > covered && settings.negative_balance !== 'allow') {
          throw new AppError('conflict', `The customer has ${Math.max(0, covered)} points; taking ${-input.points} would make the balance negative, which this store does not allow`, [{ path: 'points', reason: `at most ${Math.max(0, covered)} can be taken` }]);
        }
        id = (await writeDraw(tx, base, -input.points, awards)).id;
      }
      await reconsiderTier(tx, storeId, customerId, settings.tiers, now);
      return { entry: await this.entry(tx, storeId, id, now), replayed: false };
    }));
  }

  /** Handles a batch of domain events (the `loyalty` subscriber): orders, sign-ups, consent, tracked events. */
  async handleEvents(events: readonly DomainEvent[], now = new Date()): Promise<void> {
    const settings = new Map<string, LoyaltySettings>();
    for (let start = 0; start < events.length; start += EVENTS_PER_TRANSACTION) {
      const slice = events.slice(start, start + EVENTS_PER_TRANSACTION);
      for (const event of slice) if (!settings.has(event.storeId)) settings.set(event.storeId, (await this.settings(event.storeId)).settings);
      if (!slice.some((e) => settings.get(e.storeId)!.enabled)) continue;
      await this.write.transaction().execute(async (tx) => {
        for (const event of slice) {
          const rules = settings.get(event.storeId)!;
          if (rules.enabled) await this.handleEvent(tx, rules, event, now);
        }
      });
    }
  }

  /** The daily job: lapsed points written down, expiry notices, and the tier review. */
  async runDaily(storeId: string, now = new Date()): Promise<{ expired_entries: number; expired_points: number; notices: number; downgrades: number }> {
    const { settings } = await this.settings(storeId);
    return this.write.transaction().execute(async (tx) => {
      const expired = await expireLapsed(tx, storeId, settings, now);
      const notices = await announceExpiring(tx, storeId, settings, now);
      let downgrades = 0;
      if (settings.tiers.levels.length) {
        const { rows } = await sql<{ customer_id: number }>`select customer_id from loyalty_tier_changes where store_id = ${storeId}
          group by customer_id having arg_max(tier, changed_at) is not null and max(changed_at) <= ${addMonths(now, -12)}`.execute(tx);
        for (const { customer_id } of rows) if ((await reconsiderTier(tx, storeId, Number(customer_id), settings.tiers, now, true)) !== undefined) downgrades += 1;
      }
      return { expired_entries: expired.entries, expired_points: expired.points, notices, downgrades };
    });
  }

  /**
   * Proves the ledger consistent: no award drawn beyond its points, no drawing row allocated beyond
   * its own, points given back exactly, and every customer's totals (as the lists compute them in
   * SQL) equal to the sum of their rows. Returns the problems found (none when consistent).
   */
  async check(storeId: string, now = new Date()): Promise<string[]> {
    const problems: string[] = [];
    const totals = await totalsByCustomer(this.read, storeId, now);
    for (const t of totals) {
      const rows = await positions(this.read, storeId, t.customer_id);
      const own = totalsOf(rows, now);
      if (own.ledger !== own.available + own.pending + own.lapsed) problems.push(`customer ${t.customer_id}: ledger ${own.ledger} ≠ available ${own.available} + pending ${own.pending} + lapsed ${own.lapsed}`);
      for (const field of ['available', 'pending', 'lapsed', 'owed', 'ledger'] as const) {
        if (own[field] !== t[field]) problems.push(`customer ${t.customer_id}: ${field} ${t[field]} in the list, ${own[field]} from the rows`);
      }
      for (const row of rows) problems.push(...rowProblems(row, t.customer_id));
    }
    return problems;
  }

  // ── internals ───────────────────────────────────────────────────────────

  private async handleEvent(tx: LoyaltyTx, settings: LoyaltySettings, event: DomainEvent, now: Date): Promise<void> {
    const storeId = event.storeId;
    switch (event.type) {
      case 'order.placed':
        if (event.entityId !== null) await awardOrder(tx, storeId, settings, event.entityId, now);
        return;
      case 'order.delivered': {
        const data = event.data as DomainEvent<'order.delivered'>['data'];
        if (event.entityId !== null && settings.pending.from === 'delivery') await releaseOrder(tx, storeId, settings, event.entityId, data.delivered_at ? new Date(data.delivered_at) : event.occurredAt, now);
        return;
      }
      case 'order.updated': {
        const data = event.data as DomainEvent<'order.updated'>['data'];
        if (event.entityId !== null && settings.pending.from === 'payment' && data.previous_status === 'pending' && data.status !== 'pending') await releaseOrder(tx, storeId, settings, event.entityId, event.occurredAt, now);
        return;
      }
      case 'order.refunded':
        if (event.entityId !== null) await clawBackRefunds(tx, storeId, settings, event.entityId, now);
        return;
      case 'order.cancelled':
        if (event.entityId !== null) await clawBackCancellation(tx, storeId, settings, event.entityId, now);
        return;
      case 'customer.created': {
        if (event.customerId === null) return;
        await this.ruleAward(tx, settings, storeId, event.customerId, 'signup', settings.earning.signup_points, `signup:${event.customerId}`, now);
        // A customer who arrives subscribed records no consent change: the subscription counts now.
        if ((event.data as DomainEvent<'customer.created'>['data']).accepts_marketing) {
          await this.ruleAward(tx, settings, storeId, event.customerId, 'subscribe', settings.earning.subscribe_points, `subscribe:${event.customerId}`, now);
        }
        return;
      }
      case 'customer.consent_changed': {
        const data = event.data as DomainEvent<'customer.consent_changed'>['data'];
        if (event.customerId !== null && data.email === 'subscribed') await this.ruleAward(tx, settings, storeId, event.customerId, 'subscribe', settings.earning.subscribe_points, `subscribe:${event.customerId}`, now);
        return;
      }
      case 'event.received': {
        const data = event.data as DomainEvent<'event.received'>['data'];
        const rule = settings.earning.events.find((r) => r.name === data.name);
        if (!rule || event.customerId === null || data.type !== 'track') return;
        const since = periodStart(rule.per, now);
        const { rows } = await sql<{ n: number }>`select count(*) as n from loyalty_entries where store_id = ${storeId} and customer_id = ${event.customerId}
          and source = ${`rule:event:${rule.name}`} ${since ? sql`and created_at >= ${since}` : sql``}`.execute(tx);
        if (Number(rows[0]?.n ?? 0) >= rule.cap) return;
        await this.ruleAward(tx, settings, storeId, event.customerId, `event:${rule.name}`, rule.points, `event:${event.entityId ?? event.id}`, now);
        return;
      }
      default:
    }
  }

  private async ruleAward(tx: LoyaltyTx, settings: LoyaltySettings, storeId: string, customerId: number, rule: string, points: number, key: string, now: Date): Promise<void> {
    if (points <= 0 || await entryByKey(tx, storeId, key)) return;
    await writeAward(tx, {
      storeId, customerId, kind: 'earn', points, state: 'available', availableAt: now,
      expiresAt: settings.expiry.mode === 'per_award' ? addMonths(now, settings.expiry.months) : null, source: `rule:${rule}`, key, at: now,
    });
    await reconsiderTier(tx, storeId, customerId, settings.tiers, now);
  }

  private async entry(db: LoyaltyDb | LoyaltyTx, storeId: string, id: number, now: Date): Promise<EntryView> {
    const row = await db.selectFrom('loyalty_entries').selectAll().where('store_id', '=', storeId).where('id', '=', id).executeTakeFirstOrThrow();
    const position = (await positions(db, storeId, Number(row.customer_id))).find((p) => p.id === id);
    return entryView(row, position, now);
  }

  private async tiersOf(storeId: string, customerIds: readonly number[]): Promise<Map<number, string | null>> {
    if (customerIds.length === 0) return new Map();
    const { rows } = await sql<{ customer_id: number; tier: string | null }>`select customer_id, arg_max(tier, changed_at) as tier from loyalty_tier_changes
      where store_id = ${storeId} and customer_id in (select unnest(${[...customerIds]}::bigint[])) group by customer_id`.execute(this.read);
    return new Map(rows.map((r) => [Number(r.customer_id), r.tier]));
  }

  private async store(storeId: string): Promise<{ currency: string }> {
    const row = await this.read.selectFrom('stores').select('currency').where('id', '=', storeId).executeTakeFirst();
    return { currency: row?.currency ?? 'USD' };
  }

  private async codeUsed(db: LoyaltyDb | LoyaltyTx, storeId: string, code: string): Promise<boolean> {
    const { rows } = await sql<{ n: number }>`select count(*) as n from orders where store_id = ${storeId} and list_contains(list_transform(discount_codes, c -> upper(c)), ${code})`.execute(db);
    return Number(rows[0]?.n ?? 0) > 0;
  }

  /** A code nobody in the store has: HRT- and ten letters and digits without look-alikes. */
  private async uniqueCode(tx: LoyaltyTx, storeId: string): Promise<string> {
    const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    for (;;) {
      const code = `HRT-${[...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('')}`;
      const taken = await tx.selectFrom('loyalty_redemptions').select('id').where('store_id', '=', storeId).where('code', '=', code).executeTakeFirst();
      if (!taken) return code;
    }
  }

  /** Runs `work` after the earlier writes for the same customer have finished. */
  private serial<T>(storeId: string, customerId: number, work: () => Promise<T>): Promise<T> {
    const key = `${storeId}:${customerId}`;
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(() => undefined, () => undefined);
    this.queues.set(key, settled);
    void settled.then(() => { if (this.queues.get(key) === settled) this.queues.delete(key); });
    return next;
  }
}

/** The balance as the store's rule shows it: never below zero unless negative balances are allowed. */
function shown(available: number, settings: LoyaltySettings): number {
  return settings.negative_balance === 'allow' ? available : Math.max(0, available);
}

function periodStart(per: 'day' | 'week' | 'month' | 'year' | 'ever', now: Date): Date | undefined {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  if (per === 'day') return day;
  if (per === 'week') return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * 86_400_000);
  if (per === 'month') return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  if (per === 'year') return new Date(Date.UTC(now.getUTCFullYear(), 0, 1));
  return undefined;
}

function entryView(row: LoyaltyEntryTable, position: Position | undefined, now: Date): EntryView {
  const remaining = position?.residual ?? 0;
  return {
    id: Number(row.id), kind: row.kind, points: Number(row.points), state: row.state,
    standing: row.state === 'void' || !position ? 'void' : standingOf(position, now), remaining,
    available_at: position?.available_at ?? row.available_at, expires_at: row.expires_at, source: row.source,
    order_id: row.order_id === null ? null : Number(row.order_id), redemption_id: row.redemption_id, reason: row.reason, actor: row.actor,
    idempotency_key: row.idempotency_key, created_at: row.created_at,
  };
}

function reviveRedemption(json: string): RedemptionView {
  const view = JSON.parse(json) as RedemptionView & { created_at: string; cancelled_at: string | null };
  return { ...view, created_at: new Date(view.created_at), cancelled_at: view.cancelled_at ? new Date(view.cancelled_at) : null };
}

function rowProblems(row: Position, customerId: number): string[] {
  const award = row.points > 0 && (row.kind === 'earn' || row.kind === 'adjust');
  if (award && row.residual < 0) return [`customer ${customerId}: award ${row.id} drawn beyond its ${row.points} points (${row.residual})`];
  if (award && row.residual > row.points) return [`customer ${customerId}: award ${row.id} holds more than it earned`];
  if (!award && row.points > 0 && row.residual !== 0) return [`customer ${customerId}: row ${row.id} gave back ${row.points} but allocated ${row.points - row.residual}`];
  if (row.points < 0 && row.residual > 0) return [`customer ${customerId}: row ${row.id} drew ${-row.points} but allocated more`];
  return [];
}
