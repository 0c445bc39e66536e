/**
 * Which customers' ledgers a write transaction touched, so that what is kept of their balances in
 * this process (balance.cache.ts) is dropped once the transaction has ended. Every ledger write of
 * the module runs in a transaction opened by `trackedTransactions`; each function that appends a
 * row a balance depends on (entries, allocations, releases, tier changes) says so with `changed`,
 * and one called in a transaction opened any other way throws instead of going unseen.
 */
import type { LoyaltyDb, LoyaltyTx } from './loyalty.table.js';

export interface LedgerChanges {
  /** Store id → customers whose rows were appended. */
  customers: Map<string, Set<number>>;
  /** Stores written in bulk (a backfill): everything kept of them is dropped. */
  stores: Set<string>;
}

/** Runs `work` in one write transaction whose ledger changes are tracked. */
export type Transact = <T>(work: (tx: LoyaltyTx) => Promise<T>) => Promise<T>;

const open = new WeakMap<LoyaltyTx, LedgerChanges>();

function changesOf(tx: LoyaltyTx): LedgerChanges {
  const changes = open.get(tx);
  if (!changes) throw new Error('A ledger write outside a tracked transaction: open it with trackedTransactions so cached balances are dropped after it');
  return changes;
}

/** Records that rows of the customer's ledger (or tier) were appended in `tx`. */
export function changed(tx: LoyaltyTx, storeId: string, customerId: number): void {
  const changes = changesOf(tx);
  let customers = changes.customers.get(storeId);
  if (!customers) changes.customers.set(storeId, customers = new Set());
  customers.add(customerId);
}

/** Records a bulk write to the store's ledger in `tx`. */
export function changedStore(tx: LoyaltyTx, storeId: string): void {
  changesOf(tx).stores.add(storeId);
}

/**
 * Transactions on `db` whose changes are handed to `ended` once each has committed or rolled back
 * (after the commit, so that a read which starts afterwards sees the new rows).
 */
export function trackedTransactions(db: LoyaltyDb, ended: (changes: LedgerChanges) => void): Transact {
  return async (work) => {
    const changes: LedgerChanges = { customers: new Map(), stores: new Set() };
    try {
      return await db.transaction().execute((tx) => {
        open.set(tx, changes);
        return work(tx);
      });
    } finally {
      ended(changes);
    }
  };
}
