/**
 * Expiry (docs/loyalty.md, "Expiry"): the daily `loyalty.expire` job writes, for each award whose
 * time has passed, one `expire` row for its unspent remainder only (key `expire:<award id>`), drawn
 * from that award. Per award: the award's own `expires_at`. After inactivity: every award of a
 * customer with no earning or redeeming for the set months. Before a lapse, `loyalty.points_expiring`
 * is recorded once per customer, lapse day and lead time.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/database.js';
import { isoDate } from '../../lib/time.js';
import { recordEvents } from '../domain-events/index.js';
import { addDays } from './earning.js';
import { appendAllocations, appendEntry } from './ledger.repository.js';
import type { LoyaltySettings } from './loyalty.settings.js';
import type { LoyaltyTx } from './loyalty.table.js';

/** Awards with a remainder, each with the time it lapses under the settings. */
async function openAwards(tx: LoyaltyTx, storeId: string, settings: LoyaltySettings): Promise<{ id: number; customer_id: number; residual: number; lapses_at: Date }[]> {
  if (settings.expiry.mode === 'never') return [];
  const lapse = settings.expiry.mode === 'per_award'
    ? sql`e.expires_at`
    : sql`(select max(l.created_at) from loyalty_entries l where l.store_id = e.store_id and l.customer_id = e.customer_id and l.kind in ('earn', 'redeem')) + to_months(${settings.expiry.months}::integer)`;
  const { rows } = await sql<{ id: number; customer_id: number; residual: number; lapses_at: Date | null }>`
    with a as (select entry_id, award_id, points from loyalty_allocations where store_id = ${storeId}),
      drawn as (select award_id, sum(points) as points from a group by award_id),
      open as (
        select e.id, e.customer_id, e.points - coalesce(drawn.points, 0) as residual, ${lapse} as lapses_at
        from loyalty_entries e left join drawn on drawn.award_id = e.id
        where e.store_id = ${storeId} and e.state <> 'void' and e.points > 0 and e.kind in ('earn', 'adjust')
      )
    select id, customer_id, residual, lapses_at from open where residual > 0 and lapses_at is not null order by customer_id, id`.execute(tx);
  return rows.map((r) => ({ id: Number(r.id), customer_id: Number(r.customer_id), residual: Number(r.residual), lapses_at: r.lapses_at! }));
}

/** Writes the lapsed remainders down. Returns the rows written and their points. */
export async function expireLapsed(tx: LoyaltyTx, storeId: string, settings: LoyaltySettings, now: Date): Promise<{ entries: number; points: number }> {
  let entries = 0;
  let points = 0;
  for (const award of await openAwards(tx, storeId, settings)) {
    if (award.lapses_at > now) continue;
    const key = `expire:${award.id}`;
    const seen = await tx.selectFrom('loyalty_entries').select('id').where('store_id', '=', storeId).where('idempotency_key', '=', key).executeTakeFirst();
    if (seen) continue;
    const id = await appendEntry(tx, {
      storeId, customerId: award.customer_id, kind: 'expire', points: -award.residual, state: 'available', source: 'expiry',
      reason: `${award.residual} unspent points of award ${award.id} lapsed on ${isoDate(award.lapses_at)}`, key, at: now,
    });
    await appendAllocations(tx, storeId, award.customer_id, id, [{ award_id: award.id, points: award.residual }], now);
    entries += 1;
    points += award.residual;
  }
  return { entries, points };
}

/** Records `loyalty.points_expiring` for what lapses within each lead time (once per customer, lapse day and lead time). */
export async function announceExpiring(tx: LoyaltyTx, storeId: string, settings: LoyaltySettings, now: Date): Promise<number> {
  const awards = (await openAwards(tx, storeId, settings)).filter((a) => a.lapses_at > now);
  let announced = 0;
  for (const lead of [...settings.expiry.reminder_days].sort((a, b) => b - a)) {
    const horizon = addDays(now, lead);
    const due = new Map<string, { customerId: number; day: string; points: number; at: Date }>();
    for (const award of awards) {
      if (award.lapses_at > horizon) continue;
      const day = isoDate(award.lapses_at);
      const key = `${award.customer_id}|${day}`;
      const entry = due.get(key) ?? { customerId: award.customer_id, day, points: 0, at: award.lapses_at };
      entry.points += award.residual;
      due.set(key, entry);
    }
    for (const notice of due.values()) {
      const seen = await tx.selectFrom('loyalty_reminders').select('lead_days').where('store_id', '=', storeId).where('customer_id', '=', notice.customerId)
        .where('expires_on', '=', notice.day).where('lead_days', '=', lead).executeTakeFirst();
      if (seen) continue;
      await tx.insertInto('loyalty_reminders').values({ store_id: storeId, customer_id: notice.customerId, expires_on: notice.day, lead_days: lead, points: notice.points, created_at: now }).execute();
      await recordEvents(tx as unknown as Tx, [{
        storeId, type: 'loyalty.points_expiring', entityId: null, customerId: notice.customerId,
        data: { points: notice.points, expires_at: notice.at.toISOString(), lead_days: lead },
      }], now);
      announced += 1;
    }
  }
  return announced;
}

