/**
 * What a balance read needs of each member, kept in this process so that a read is a map lookup
 * and a sum for the asked time: the rows with a remainder (each with its start and end), what is
 * owed, the ledger's sum, the rows the tier's points figure counts, and the current tier. Filled
 * for a whole store in one pass (`warm`), or one customer at a time on a miss; a customer's part
 * is dropped when a transaction that appended to their ledger ends (ledger.changes.ts), a store's
 * when it was written in bulk.
 *
 * A read racing a write must not keep what it read before the commit: every change takes the
 * next number of the store's sequence, and a load keeps a customer only if no change to them (and
 * no bulk drop) came after the load began.
 */
import { addMonths } from './earning.js';
import type { LedgerChanges } from './ledger.changes.js';
import type { Position, Totals } from './ledger.repository.js';
import type { CurrentTier } from './loyalty.tiers.js';

/** One member's balance inputs. Times are epoch milliseconds, NaN for none. */
export interface MemberBalance {
  /** Rows with points left: residual, available from, expires at (three numbers a row). */
  open: number[];
  owed: number;
  ledger: number;
  /** Rows the points-earned figure counts: created at, points (two numbers a row). */
  earned: number[];
  tier: CurrentTier;
}

const NO_ROWS: MemberBalance = Object.freeze({ open: [], owed: 0, ledger: 0, earned: [], tier: Object.freeze({ tier: null, since: null }) }) as MemberBalance;

const ms = (date: Date | null): number => (date ? date.getTime() : Number.NaN);

/** A member's balance inputs from their positions (ledger.repository.ts), qualifying rows and tier. */
export function memberOf(rows: readonly Position[], earned: readonly { created_at: Date; points: number }[], tier: CurrentTier): MemberBalance {
  const member: MemberBalance = { open: [], owed: 0, ledger: 0, earned: [], tier };
  for (const row of rows) {
    member.ledger += row.points;
    addResidual(member, row.residual, row.available_at, row.expires_at);
  }
  for (const row of earned) member.earned.push(row.created_at.getTime(), row.points);
  return member;
}

export function addResidual(member: MemberBalance, residual: number, availableAt: Date | null, expiresAt: Date | null): void {
  if (residual < 0) member.owed -= residual;
  else if (residual > 0) member.open.push(residual, ms(availableAt), ms(expiresAt));
}

/** The same totals as `totalsOf` over the member's rows (standingOf's rules, on numbers). */
export function totalsOfMember(member: MemberBalance, now: Date): Totals {
  const at = now.getTime();
  let available = 0;
  let pending = 0;
  let lapsed = 0;
  for (let i = 0; i < member.open.length; i += 3) {
    const residual = member.open[i]!;
    if (member.open[i + 2]! <= at) lapsed += residual;
    else if (member.open[i + 1]! <= at) available += residual;
    else pending += residual;
  }
  return { available: available - member.owed, pending, lapsed, owed: member.owed, ledger: member.ledger };
}

/** Points earned in the 12 months before `now`, as qualifyingFigure counts them. */
export function pointsFigureOf(member: MemberBalance, now: Date): number {
  const from = addMonths(now, -12).getTime();
  const at = now.getTime();
  let figure = 0;
  for (let i = 0; i < member.earned.length; i += 2) {
    const created = member.earned[i]!;
    if (created > from && created <= at) figure += member.earned[i + 1]!;
  }
  return Math.max(0, figure);
}

class StoreBalances {
  seq = 0;
  /** The sequence number of each customer's last change, kept while a load that may predate it runs. */
  readonly lastChange = new Map<number, number>();
  droppedAt = 0;
  loading = 0;
  /** null: not known (changed since loaded). Absent: no ledger rows, once the store is complete. */
  readonly members = new Map<number, MemberBalance | null>();
  complete = false;
  warming: Promise<void> | null = null;

  change(customerId: number): void {
    this.seq += 1;
    if (this.loading > 0) this.lastChange.set(customerId, this.seq);
    if (this.complete) this.members.set(customerId, null);
    else this.members.delete(customerId);
  }

  drop(): void {
    this.seq += 1;
    this.droppedAt = this.seq;
    this.members.clear();
    this.complete = false;
    this.warming = null;
  }

  /** Whether what a load begun at `since` read of the customer is still true. */
  current(customerId: number, since: number): boolean {
    return this.droppedAt <= since && (this.lastChange.get(customerId) ?? 0) <= since;
  }

  /** Runs a load, counted so that the changes it might miss are remembered meanwhile. */
  async load<T>(work: (since: number) => Promise<T>): Promise<T> {
    this.loading += 1;
    try {
      return await work(this.seq);
    } finally {
      this.loading -= 1;
      if (this.loading === 0) this.lastChange.clear();
    }
  }
}

/** A whole store's balance inputs, as one load reads them. */
export interface StoreLoad {
  members: Map<number, MemberBalance>;
}

export class BalanceCache {
  private readonly stores = new Map<string, StoreBalances>();

  private of(storeId: string): StoreBalances {
    let store = this.stores.get(storeId);
    if (!store) this.stores.set(storeId, store = new StoreBalances());
    return store;
  }

  /** Drops what the transaction's changes made untrue (called once it has ended). */
  ended(changes: LedgerChanges): void {
    for (const storeId of changes.stores) this.stores.get(storeId)?.drop();
    for (const [storeId, customers] of changes.customers) {
      const store = this.stores.get(storeId);
      if (store) for (const customerId of customers) store.change(customerId);
    }
  }

  /** The member's inputs: kept, else loaded by `loadOne` (and kept if nothing changed meanwhile). */
  async member(storeId: string, customerId: number, loadOne: () => Promise<MemberBalance>): Promise<MemberBalance> {
    const store = this.of(storeId);
    const kept = store.members.get(customerId);
    if (kept) return kept;
    if (kept === undefined && store.complete) return NO_ROWS;
    return store.load(async (since) => {
      const member = await loadOne();
      if (store.current(customerId, since)) store.members.set(customerId, member);
      return member;
    });
  }

  /** Whether the store's members are all kept (or being loaded). */
  warmed(storeId: string): boolean {
    const store = this.of(storeId);
    return store.complete || store.warming !== null;
  }

  /** Loads the whole store by `loadAll`, once; later changes drop customers one by one. */
  warm(storeId: string, loadAll: () => Promise<StoreLoad>): Promise<void> {
    const store = this.of(storeId);
    if (store.complete) return Promise.resolve();
    if (store.warming) return store.warming;
    const warming = store.load(async (since) => {
      const { members } = await loadAll();
      if (store.warming !== warming || store.droppedAt > since) return;
      for (const [customerId, member] of members) store.members.set(customerId, store.current(customerId, since) ? member : null);
      for (const [customerId, at] of store.lastChange) if (at > since) store.members.set(customerId, null);
      store.complete = true;
    }).finally(() => {
      if (store.warming === warming) store.warming = null;
    });
    store.warming = warming;
    return warming;
  }

  /**
   * Whether the customer is known to have ledger rows in the store (so is one of its customers):
   * kept, or listed by a whole-store load (customers are never deleted).
   */
  isMember(storeId: string, customerId: number): boolean {
    const store = this.stores.get(storeId);
    const kept = store?.members.get(customerId);
    // null: changed by a ledger write since loaded, so it has rows. A member loaded empty proves nothing.
    if (kept === null) return true;
    return kept !== undefined && (kept.open.length > 0 || kept.earned.length > 0 || kept.owed !== 0 || kept.ledger !== 0 || kept.tier.since !== null);
  }

  /** The member as kept, if kept (for loyalty.check). */
  kept(storeId: string, customerId: number): MemberBalance | undefined {
    return this.stores.get(storeId)?.members.get(customerId) ?? undefined;
  }

  /** Resolves once no store load is running (before the store is closed). */
  async settled(): Promise<void> {
    for (const store of this.stores.values()) await store.warming?.catch(() => undefined);
  }

  /** Forgets everything (tests compare a cold read with a warm one). */
  clear(): void {
    for (const store of this.stores.values()) store.drop();
  }
}
