/**
 * The loyalty programme (docs/loyalty.md): settings, balances and history derived from the
 * append-only ledger, redemptions, adjustments, earning from domain events, and the daily expiry.
 * Every write runs in one transaction on the writer connection and carries an idempotency key;
 * writes for one customer are also queued in this process, so concurrent redemptions wait their
 * turn instead of racing for the connection, and each re-checks the balance inside its transaction.
 */
import { sql } from 'kysely';
import type { Storage } from '../../db/database.js';
import { localDay } from '../../lib/zoned-time.js';
import { storeSettings } from '../accounts/index.js';
import { AppError, invalid } from '../../lib/errors.js';
import { GroupCommit } from '../../lib/group-commit.js';
import type { DomainEvent } from '../domain-events/index.js';
import { addMonths, pointsValue } from './earning.js';
import { BalanceCache, memberOf, pointsFigureOf, totalsOfMember, type MemberBalance } from './balance.cache.js';
import { trackedTransactions, type Transact } from './ledger.changes.js';
import { earnedRows, entryByKey, positions, standingOf, storeMembers, totalsByCustomer, totalsOf, type Position, type Totals } from './ledger.repository.js';
import { drawOrder, writeAward, writeDraw } from './ledger.writer.js';
import { loyaltyAnalytics, type LoyaltyAnalytics } from './loyalty.analytics.js';
import { awardBirthdays, handleEvent, isMember, surveyAwardKey } from './loyalty.events.js';
import { announceExpiring, expireLapsed } from './loyalty.expiry.js';
import { cancelReward, redeemRewards, redemptionView, type RedeemRequest, type Redeemed } from './loyalty.redemptions.js';
import { defaultLoyaltySettings, loyaltySettingsSchema, type LoyaltySettings } from './loyalty.settings.js';
import { loyaltyDb, type LoyaltyDb, type LoyaltyEntryTable, type LoyaltyTx } from './loyalty.table.js';
import { currentTier, qualifyingFigure, reconsiderTier, type CurrentTier } from './loyalty.tiers.js';
import { importExport, readExport, type ImportSource, type ImportSummary } from './loyalty.import.js';
import { backfillOrders, type BackfillOptions, type BackfillSummary } from './loyalty.backfill.js';
import { ReferralService } from './referral.service.js';
import type { BalanceView, EntryView, LiabilityView, MemberView, RedemptionView } from './loyalty.views.js';

export const LOYALTY_EXPIRE_JOB = 'loyalty.expire';

/** Events handled per transaction by the subscriber. */
const EVENTS_PER_TRANSACTION = 200;

export interface StoredSettings { settings: LoyaltySettings; version: number; updated_at: Date | null }

/** How long a read of the settings (and the store's currency) is reused. */
const SETTINGS_CACHE_MS = 5_000;

type Remembered<T> = Map<string, { value: Promise<T>; until: number }>;

/** The value kept under `key` while fresh, else a new one from `load` (a failed load is not kept). */
function remembered<T>(cache: Remembered<T>, key: string, load: () => Promise<T>): Promise<T> {
  const kept = cache.get(key);
  if (kept && kept.until > Date.now()) return kept.value;
  const value = load();
  cache.set(key, { value, until: Date.now() + SETTINGS_CACHE_MS });
  value.catch(() => cache.delete(key));
  return value;
}

export class LoyaltyService {
  private readonly write: LoyaltyDb;
  private readonly read: LoyaltyDb;
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly cachedSettings: Remembered<StoredSettings> = new Map();
  private readonly cachedCurrency: Remembered<{ currency: string }> = new Map();
  /** Each member's balance inputs, dropped when their ledger changes (balance.cache.ts). */
  private readonly balances = new BalanceCache();
  /** Every write transaction of the module: the customers it touched are dropped from `balances` when it ends. */
  private readonly transact: Transact;
  /** Referral codes, clicks, sign-ups and the list (referral.service.ts). */
  readonly referrals: ReferralService;

  constructor(private readonly storage: Storage) {
    this.write = loyaltyDb(storage.write);
    this.read = loyaltyDb(storage.read);
    this.transact = trackedTransactions(this.write, (changes) => this.balances.ended(changes));
    this.referrals = new ReferralService(this.transact, this.read, async (storeId, db) => (await this.settings(storeId, db)).settings);
  }

  // ── settings ────────────────────────────────────────────────────────────

  /**
   * The programme's current settings. Reads outside a transaction are served from a copy kept for
   * SETTINGS_CACHE_MS (a balance read should not pay a query for them), dropped when this process
   * saves new settings; writes read them in their transaction.
   */
  async settings(storeId: string, db: LoyaltyDb | LoyaltyTx = this.read): Promise<StoredSettings> {
    if (db !== this.read) return this.readSettings(storeId, db);
    return remembered(this.cachedSettings, storeId, () => this.readSettings(storeId, db));
  }

  private async readSettings(storeId: string, db: LoyaltyDb | LoyaltyTx): Promise<StoredSettings> {
    const row = await db.selectFrom('loyalty_settings').select(['settings', 'version', 'created_at'])
      .where('store_id', '=', storeId).orderBy('version', 'desc').limit(1).executeTakeFirst();
    if (!row) return { settings: defaultLoyaltySettings, version: 0, updated_at: null };
    return { settings: loyaltySettingsSchema.parse(JSON.parse(row.settings)), version: row.version, updated_at: row.created_at };
  }

  /** Saves a new version (the old ones stay, for the audit of what rules gave which points). */
  async saveSettings(storeId: string, input: LoyaltySettings, actor: string | null, now = new Date()): Promise<StoredSettings> {
    const settings = loyaltySettingsSchema.parse(input);
    await this.checkRewardProducts(storeId, settings);
    await this.transact(async (tx) => {
      const { version } = await this.settings(storeId, tx);
      await tx.insertInto('loyalty_settings').values({ store_id: storeId, version: version + 1, settings: JSON.stringify(settings), created_by: actor, created_at: now }).execute();
    });
    this.cachedSettings.delete(storeId);
    return this.settings(storeId, this.write);
  }

  /** A free product must be one of the store's products. */
  private async checkRewardProducts(storeId: string, settings: LoyaltySettings): Promise<void> {
    const wanted = settings.rewards.map((r, i) => ({ i, id: r.product_id })).filter((r): r is { i: number; id: string } => r.id !== undefined);
    if (!wanted.length) return;
    const found = new Set((await this.read.selectFrom('products').select('external_id').where('store_id', '=', storeId).where('external_id', 'in', wanted.map((w) => w.id)).execute()).map((p) => p.external_id));
    const missing = wanted.filter((w) => !found.has(w.id));
    if (missing.length) throw invalid('Invalid loyalty settings', missing.map((m) => ({ path: `rewards.${m.i}.product_id`, reason: `no product "${m.id}" in this store` })));
  }

  // ── reading ─────────────────────────────────────────────────────────────

  /**
   * The customer's points, tier and next tier at `now`. Served from the balance inputs kept in
   * this process (the whole store is loaded on the first read, a customer again after each change
   * to their ledger); equal to `ledgerBalance`, which reads the rows.
   */
  async balance(storeId: string, customerId: number, now = new Date()): Promise<BalanceView> {
    if (!this.balances.warmed(storeId)) this.warmBalances(storeId).catch(() => undefined);
    const [{ settings }, store, member] = await Promise.all([
      this.settings(storeId), this.store(storeId), this.balances.member(storeId, customerId, () => this.loadMember(storeId, customerId)),
    ]);
    let figure = 0;
    if (settings.tiers.levels.length) {
      // The amount spent comes from the orders, which this module does not write: read each time.
      figure = settings.tiers.basis === 'points_earned' ? pointsFigureOf(member, now) : await qualifyingFigure(this.read, storeId, customerId, settings.tiers.basis, now);
    }
    return balanceView(customerId, settings, store.currency, totalsOfMember(member, now), member.tier, figure);
  }

  /**
   * The customer id a reference (`123` or `ext:…`) names, when it is a plain id of a customer
   * known to hold points in the store (no query); otherwise undefined, and the caller looks the
   * customer up.
   */
  memberId(storeId: string, ref: string): number | undefined {
    if (!/^\d{1,15}$/.test(ref)) return undefined;
    const id = Number(ref);
    return this.balances.isMember(storeId, id) ? id : undefined;
  }

  /** The balance computed from the ledger rows, as it is proved against (loyalty.check, tests). */
  async ledgerBalance(storeId: string, customerId: number, now = new Date()): Promise<BalanceView> {
    const [{ settings }, rows, store, tier] = await Promise.all([
      this.settings(storeId), positions(this.read, storeId, customerId), this.store(storeId), currentTier(this.read, storeId, customerId),
    ]);
    const figure = settings.tiers.levels.length ? await qualifyingFigure(this.read, storeId, customerId, settings.tiers.basis, now) : 0;
    return balanceView(customerId, settings, store.currency, totalsOf(rows, now), tier, figure);
  }

  /** Loads every member's balance inputs of the store (once; done on the first balance read, or at start). */
  warmBalances(storeId: string): Promise<void> {
    return this.balances.warm(storeId, async () => ({ members: await storeMembers(this.read, storeId) }));
  }

  /** Waits for a load of balance inputs still running (called before the store is closed). */
  close(): Promise<void> {
    return this.balances.settled();
  }

  /** Forgets the balance inputs kept in this process: the next read loads them again. */
  forgetBalances(): void {
    this.balances.clear();
  }

  private async loadMember(storeId: string, customerId: number): Promise<MemberBalance> {
    const [rows, earned, tier] = await Promise.all([positions(this.read, storeId, customerId), earnedRows(this.read, storeId, customerId), currentTier(this.read, storeId, customerId)]);
    return memberOf(rows, earned, tier);
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

  /** How the programme did over the `days` before `now`: points, redemption rate, breakage, members against others, tiers (loyalty.analytics.ts). */
  analytics(storeId: string, days = 365, now = new Date()): Promise<LoyaltyAnalytics> {
    return loyaltyAnalytics(this.read, storeId, { from: new Date(now.getTime() - days * 86_400_000), to: now });
  }

  async redemptions(storeId: string, customerId: number): Promise<RedemptionView[]> {
    const rows = await this.read.selectFrom('loyalty_redemptions').select('id').where('store_id', '=', storeId).where('customer_id', '=', customerId).orderBy('created_at', 'desc').execute();
    return Promise.all(rows.map((r) => this.redemption(storeId, r.id)));
  }

  /** A redemption as it is now: issued, used (its code is on an order) or cancelled. */
  async redemption(storeId: string, id: string): Promise<RedemptionView> {
    return redemptionView(this.read, storeId, id);
  }

  // ── writing ─────────────────────────────────────────────────────────────

  /**
   * Redeems a reward of the catalogue: draws its points from the spendable awards that expire
   * first and issues a unique code. A retry with the same key gets the first answer back.
   */
  async redeem(storeId: string, customerId: number, input: { reward_id: string; key: string }, now = new Date()): Promise<Redeemed> {
    // A retry is answered by its group from the stored first answer: a read of its own on a
    // reader, before the group, cost more than the whole redemption does in a group.
    return this.redemptionGroups.submit({ storeId, customerId, input, now });
  }

  /**
   * Redemptions that arrive together are written in one transaction (group-commit.ts) with a
   * fixed number of statements (loyalty.redemptions.ts), in the order they came, each checking the
   * balance as the ones before it in the group left it. A refusal (unknown reward, not enough
   * points, a key used for another redemption) answers that request alone; anything else rolls
   * the group back and its redemptions are written again one by one.
   */
  private readonly redemptionGroups = new GroupCommit<RedeemRequest, Redeemed>(
    (items) => this.transact((tx) => redeemRewards(tx, async (storeId) => (await this.settings(storeId, tx)).settings, items)),
    (r) => this.serial(r.storeId, r.customerId, async () => {
      const [outcome] = await this.transact((tx) => redeemRewards(tx, async (storeId) => (await this.settings(storeId, tx)).settings, [r]));
      if (!outcome!.ok) throw outcome!.error;
      return outcome!.value;
    }),
  );


  /** Cancels an unused reward, giving its points back (cancelling again changes nothing). */
  async cancelRedemption(storeId: string, redemptionId: string, now = new Date()): Promise<RedemptionView> {
    const found = await this.redemption(storeId, redemptionId);
    return this.serial(storeId, found.customer_id, () => this.transact((tx) => cancelReward(tx, storeId, redemptionId, now)));
  }

  /**
   * A manual change by an owner or admin, with its reason. Adding points makes an award (spendable
   * at once); taking points draws from the customer's points and, beyond them, is refused unless
   * the store allows a negative balance. A retry with the same key returns the first row.
   * `source`: who asked (default `admin`; a flow's award says `flow`).
   */
  async adjust(storeId: string, customerId: number, input: { points: number; reason: string; key: string; actor: string; source?: string }, now = new Date()): Promise<{ entry: EntryView; replayed: boolean }> {
    return this.serial(storeId, customerId, () => this.transact(async (tx) => {
      const key = `adjust:${input.key}`;
      const earlier = await entryByKey(tx, storeId, key);
      if (earlier) {
        if (earlier.customer_id !== customerId || earlier.points !== input.points) {
          throw new AppError('conflict', 'This Idempotency-Key was used for another adjustment', [{ path: 'headers.idempotency-key', reason: 'already used with a different customer or points' }]);
        }
        return { entry: await this.entry(tx, storeId, earlier.id, now), replayed: true };
      }
      const { settings } = await this.settings(storeId, tx);
      const base = { storeId, customerId, kind: 'adjust' as const, state: 'available' as const, source: input.source ?? 'admin', reason: input.reason, actor: input.actor, key, at: now };
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

  /**
   * Imports a Smile.io or LoyaltyLion customer export: balances, tiers, referral codes. The file
   * is checked whole first (422 naming line and column); a dry run reports and writes nothing.
   */
  async importExport(storeId: string, from: ImportSource, text: string, options: { dryRun: boolean; actor: string }, now = new Date()): Promise<ImportSummary> {
    const { settings } = await this.settings(storeId);
    const rows = readExport(text, from, settings);
    return importExport(this.transact, storeId, settings, from, rows, options, now);
  }

  /**
   * Awards the store's past orders that have none yet, as their events would have (loyalty.backfill.ts),
   * in chunks that each commit on their own; a rerun skips what is done. Refused while the programme is off.
   */
  async backfill(storeId: string, options: BackfillOptions = {}, now = new Date()): Promise<BackfillSummary> {
    const { settings } = await this.settings(storeId);
    if (!settings.enabled) throw new AppError('conflict', 'The loyalty programme is off: switch it on before backfilling past orders', [{ path: 'enabled', reason: 'the programme must be on' }]);
    return this.storage.bulk(() => backfillOrders(this.write, this.transact, storeId, settings, options, now));
  }

  /** Handles a batch of domain events (the `loyalty` subscriber): orders, sign-ups, consent, tracked events. */
  async handleEvents(events: readonly DomainEvent[], now = new Date()): Promise<void> {
    const settings = new Map<string, LoyaltySettings>();
    for (let start = 0; start < events.length; start += EVENTS_PER_TRANSACTION) {
      const slice = events.slice(start, start + EVENTS_PER_TRANSACTION);
      for (const event of slice) if (!settings.has(event.storeId)) settings.set(event.storeId, (await this.settings(event.storeId)).settings);
      if (!slice.some((e) => settings.get(e.storeId)!.enabled)) continue;
      await this.transact(async (tx) => {
        for (const event of slice) {
          const rules = settings.get(event.storeId)!;
          if (rules.enabled) await handleEvent(tx, rules, event, now);
        }
      });
    }
  }

  /**
   * The points a survey answer earns (shown in its thank-you): those written to the ledger, else
   * those the rules will write when the answer's event is handled (the programme on, survey points
   * set, the customer a member), else none.
   */
  async surveyPoints(storeId: string, customerId: number, answerId: string): Promise<{ points: number; awarded: boolean } | null> {
    const entry = await entryByKey(this.read, storeId, surveyAwardKey(answerId));
    if (entry) return entry.customer_id === customerId ? { points: entry.points, awarded: true } : null;
    const { settings } = await this.settings(storeId);
    if (!settings.enabled || settings.earning.survey_points <= 0 || !await isMember(this.read, storeId, customerId)) return null;
    return { points: settings.earning.survey_points, awarded: false };
  }

  /** The daily job: lapsed points written down, expiry notices, and the tier review. */
  async runDaily(storeId: string, now = new Date()): Promise<{ expired_entries: number; expired_points: number; notices: number; downgrades: number; birthdays: number }> {
    const { settings } = await this.settings(storeId);
    const zone = (await storeSettings(this.storage.read, storeId))?.timezone ?? 'UTC';
    return this.transact(async (tx) => {
      const birthdays = await awardBirthdays(tx, storeId, settings, localDay(now, zone), now);
      const expired = await expireLapsed(tx, storeId, settings, now);
      const notices = await announceExpiring(tx, storeId, settings, now);
      let downgrades = 0;
      if (settings.tiers.levels.length) {
        const { rows } = await sql<{ customer_id: number }>`select customer_id from loyalty_tier_changes where store_id = ${storeId}
          group by customer_id having arg_max(tier, changed_at) is not null and max(changed_at) <= ${addMonths(now, -12)}`.execute(tx);
        for (const { customer_id } of rows) if ((await reconsiderTier(tx, storeId, Number(customer_id), settings.tiers, now, true)) !== undefined) downgrades += 1;
      }
      return { expired_entries: expired.entries, expired_points: expired.points, notices, downgrades, birthdays };
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
      const kept = this.balances.kept(storeId, t.customer_id);
      if (kept) {
        const fast = totalsOfMember(kept, now);
        for (const field of ['available', 'pending', 'lapsed', 'owed', 'ledger'] as const) {
          if (fast[field] !== own[field]) problems.push(`customer ${t.customer_id}: ${field} ${fast[field]} in the balance kept in memory, ${own[field]} from the rows`);
        }
      }
    }
    return problems;
  }

  // ── internals ───────────────────────────────────────────────────────────

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

  /** The store's currency, kept as the settings are. */
  private store(storeId: string): Promise<{ currency: string }> {
    return remembered(this.cachedCurrency, storeId, async () => {
      const row = await this.read.selectFrom('stores').select('currency').where('id', '=', storeId).executeTakeFirst();
      return { currency: row?.currency ?? 'USD' };
    });
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

function balanceView(customerId: number, settings: LoyaltySettings, currency: string, totals: Totals, tier: CurrentTier, figure: number): BalanceView {
  const rank = settings.tiers.levels.findIndex((l) => l.name === tier.tier);
  const next = settings.tiers.levels[rank + 1];
  const available = shown(totals.available, settings);
  return {
    customer_id: customerId, available, pending: totals.pending, owed: totals.owed, lapsed: totals.lapsed, ledger: totals.ledger,
    value: pointsValue(Math.max(0, available), settings.point_value), currency,
    tier: tier.tier, tier_since: tier.since, tier_figure: figure,
    next_tier: next ? { name: next.name, threshold: next.threshold, missing: Math.max(0, next.threshold - figure) } : null,
  };
}

/** The balance as the store's rule shows it: never below zero unless negative balances are allowed. */
function shown(available: number, settings: LoyaltySettings): number {
  return settings.negative_balance === 'allow' ? available : Math.max(0, available);
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

function rowProblems(row: Position, customerId: number): string[] {
  const award = row.points > 0 && (row.kind === 'earn' || row.kind === 'adjust');
  if (award && row.residual < 0) return [`customer ${customerId}: award ${row.id} drawn beyond its ${row.points} points (${row.residual})`];
  if (award && row.residual > row.points) return [`customer ${customerId}: award ${row.id} holds more than it earned`];
  if (!award && row.points > 0 && row.residual !== 0) return [`customer ${customerId}: row ${row.id} gave back ${row.points} but allocated ${row.points - row.residual}`];
  if (row.points < 0 && row.residual > 0) return [`customer ${customerId}: row ${row.id} drew ${-row.points} but allocated more`];
  return [];
}
