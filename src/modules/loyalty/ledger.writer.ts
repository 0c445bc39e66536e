/**
 * The ledger's moves, each inside the caller's transaction on the one writer connection: an award
 * (which first pays off anything owed), a draw (a redemption, a claw-back, a deduction, an expiry)
 * with the awards it took from, and points given back to the awards they came from.
 */
import { appendAllocations, appendEntry, byExpiry, drawFrom, isAward, positions, standingOf, type Allocation, type NewEntry, type Position } from './ledger.repository.js';
import type { LoyaltyTx } from './loyalty.table.js';

/** Writes an award, then covers what the customer owes from it (oldest debt first). Returns its id. */
export async function writeAward(tx: LoyaltyTx, entry: NewEntry): Promise<number> {
  const id = await appendEntry(tx, entry);
  if (entry.state !== 'void') await settleOwed(tx, entry.storeId, entry.customerId, entry.at);
  return id;
}

/**
 * Covers owed points from awards with a remainder (spendable first, then pending; earliest expiry
 * first): the drawing row that fell short gets allocations, so the debt disappears from the sum
 * and the award's remainder shrinks by the same points.
 */
export async function settleOwed(tx: LoyaltyTx, storeId: string, customerId: number, at: Date): Promise<void> {
  const rows = await positions(tx, storeId, customerId);
  const debts = rows.filter((r) => r.residual < 0);
  if (debts.length === 0) return;
  const awards = drawOrder(rows, at);
  for (const debt of debts) {
    const { allocations } = drawFrom(awards, -debt.residual);
    for (const a of allocations) awards.find((w) => w.id === a.award_id)!.residual -= a.points;
    await appendAllocations(tx, storeId, customerId, debt.id, allocations, at);
  }
}

/**
 * Awards that can still be drawn from, in drawing order: spendable ones by earliest expiry, then
 * pending ones (claw-backs and debts reach them; redemptions never do). Copies, so callers can
 * count down their residuals.
 */
export function drawOrder(rows: readonly Position[], now: Date, options: { pending?: boolean } = {}): Position[] {
  const open = rows.filter((r) => isAward(r) && r.residual > 0).map((r) => ({ ...r }));
  const available = open.filter((r) => standingOf(r, now) === 'available').sort(byExpiry);
  const pending = options.pending === false ? [] : open.filter((r) => standingOf(r, now) === 'pending').sort(byExpiry);
  return [...available, ...pending];
}

/**
 * Writes a drawing row of −`points` and its allocations from `awards` (in the order given); what
 * they cannot cover stays owed on the row. Returns the row id and how much was owed.
 */
export async function writeDraw(tx: LoyaltyTx, entry: Omit<NewEntry, 'points'>, points: number, awards: readonly Position[]): Promise<{ id: number; allocations: Allocation[]; owed: number }> {
  const { allocations, shortfall } = drawFrom(awards, points);
  const id = await appendEntry(tx, { ...entry, points: -points });
  await appendAllocations(tx, entry.storeId, entry.customerId, id, allocations, entry.at);
  return { id, allocations, owed: shortfall };
}

/** Gives drawn points back to the awards they came from (negative allocations on a positive row). */
export async function writeReturn(tx: LoyaltyTx, entry: Omit<NewEntry, 'points'>, returned: readonly Allocation[]): Promise<number> {
  const points = returned.reduce((sum, a) => sum + a.points, 0);
  const id = await appendEntry(tx, { ...entry, points });
  await appendAllocations(tx, entry.storeId, entry.customerId, id, returned.map((a) => ({ award_id: a.award_id, points: -a.points })), entry.at);
  await settleOwed(tx, entry.storeId, entry.customerId, entry.at);
  return id;
}
