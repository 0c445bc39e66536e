/**
 * VIP tiers: the qualifying figure is the points earned (order, rule and referral awards, less
 * the order points taken back and rejected referral awards) or the amount spent (orders less refunds, cancelled ones left out) in the
 * rolling 12 months before now. A customer moves up at once when the figure reaches a higher
 * tier's threshold; down only at the review — the daily expiry job looks at each tier held for 12
 * months or more and moves the customer to the tier the figure qualifies for (the grace period is
 * the 12 months). Every change is a row of `loyalty_tier_changes` and a `loyalty.tier_changed` event.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/database.js';
import { recordEvents } from '../domain-events/index.js';
import { addMonths } from './earning.js';
import type { LoyaltySettings } from './loyalty.settings.js';
import type { LoyaltyDb, LoyaltyTx } from './loyalty.table.js';
import { changed } from './ledger.changes.js';

type Tiers = LoyaltySettings['tiers'];

export interface CurrentTier { tier: string | null; since: Date | null }

export async function currentTier(db: LoyaltyDb | LoyaltyTx, storeId: string, customerId: number): Promise<CurrentTier> {
  const row = await db.selectFrom('loyalty_tier_changes').select(['tier', 'changed_at'])
    .where('store_id', '=', storeId).where('customer_id', '=', customerId)
    .orderBy('changed_at', 'desc').limit(1).executeTakeFirst();
  return { tier: row?.tier ?? null, since: row?.changed_at ?? null };
}

/** Points earned, or minor units spent, in the 12 months before `now`. */
export async function qualifyingFigure(db: LoyaltyDb | LoyaltyTx, storeId: string, customerId: number, basis: Tiers['basis'], now: Date): Promise<number> {
  const from = addMonths(now, -12);
  if (basis === 'points_earned') {
    const { rows } = await sql<{ figure: number | null }>`select sum(points) as figure from loyalty_entries
      where store_id = ${storeId} and customer_id = ${customerId} and created_at > ${from} and created_at <= ${now} and state <> 'void'
        and (kind = 'earn' or (kind = 'reverse' and source in ('refund', 'cancel', 'referral')))`.execute(db);
    return Math.max(0, Number(rows[0]?.figure ?? 0));
  }
  const { rows } = await sql<{ figure: number | null }>`select sum(o.total - coalesce(r.refunded, 0)) as figure from orders o
    left join (select order_id, sum(amount) as refunded from returns where store_id = ${storeId} and customer_id = ${customerId} group by order_id) r on r.order_id = o.id
    where o.store_id = ${storeId} and o.customer_id = ${customerId} and o.status <> 'cancelled' and o.placed_at > ${from} and o.placed_at <= ${now}`.execute(db);
  return Math.max(0, Number(rows[0]?.figure ?? 0));
}

/** The highest tier whose threshold the figure reaches; null below the first. */
export function tierFor(tiers: Tiers, figure: number): string | null {
  let found: string | null = null;
  for (const level of tiers.levels) if (figure >= level.threshold) found = level.name;
  return found;
}

const rankOf = (tiers: Tiers, name: string | null): number => (name === null ? -1 : tiers.levels.findIndex((l) => l.name === name));

export function multiplierOf(tiers: Tiers, name: string | null): number {
  return tiers.levels.find((l) => l.name === name)?.multiplier ?? 1;
}

/**
 * Moves the customer to the tier the figure qualifies for: up at any time, down only when
 * `review` (and the tier was held 12 months). Returns the new tier when it changed.
 */
export async function reconsiderTier(tx: LoyaltyTx, storeId: string, customerId: number, tiers: Tiers, now: Date, review = false): Promise<string | null | undefined> {
  if (tiers.levels.length === 0) return undefined;
  const current = await currentTier(tx, storeId, customerId);
  const figure = await qualifyingFigure(tx, storeId, customerId, tiers.basis, now);
  const qualifies = tierFor(tiers, figure);
  const from = rankOf(tiers, current.tier);
  const to = rankOf(tiers, qualifies);
  const up = to > from;
  const down = review && to < from && (!current.since || addMonths(current.since, 12) <= now);
  // A tier removed from the settings ranks below every tier: the next change replaces it.
  if (!up && !down) return undefined;
  changed(tx, storeId, customerId);
  await tx.insertInto('loyalty_tier_changes').values({
    store_id: storeId, customer_id: customerId, tier: qualifies, previous_tier: current.tier, figure, reason: up ? 'upgrade' : 'review', changed_at: now,
  }).execute();
  await recordEvents(tx as unknown as Tx, [{
    storeId, type: 'loyalty.tier_changed', entityId: null, customerId,
    data: { tier: qualifies, previous_tier: current.tier, direction: up ? 'up' : 'down', basis: tiers.basis, figure },
  }], now);
  return qualifies;
}
