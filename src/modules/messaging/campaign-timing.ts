/**
 * When each recipient of a campaign gets it (its `delivery`), as a not-before time per recipient,
 * counted from the moment the messages are queued (the start, or the pick of an A/B winner):
 * - `at_start`: at once;
 * - `local_time`: at that wall-clock date and time in the recipient's zone (their own, else the
 *   store's); at once when it has already passed there;
 * - `usual_hour`: at the next occurrence of the recipient's usual hour (usual-hour.ts) in their
 *   zone, or of the default hour when they have none — so within 24 hours.
 */
import type { Db } from '../../db/database.js';
import { nextWallTime, zonedInstant } from '../../lib/zoned-time.js';
import { customerZones } from './send-timing.repository.js';
import { zoneOf } from './send-timing.js';
import { usualHours } from './usual-hour.js';

export type CampaignTiming =
  | { mode: 'at_start' }
  | { mode: 'local_time'; local_time: string }
  | { mode: 'usual_hour'; default_hour?: number | undefined };

export const DEFAULT_USUAL_HOUR = 10;

/** Each recipient's not-before time; a recipient not in the map (or null) gets it at once. */
export async function recipientTimes(db: Db, storeId: string, timing: CampaignTiming | null, customerIds: readonly number[], from: Date): Promise<Map<number, Date | null>> {
  const times = new Map<number, Date | null>();
  if (!timing || timing.mode === 'at_start' || customerIds.length === 0) return times;
  const store = await db.selectFrom('stores').select('timezone').where('id', '=', storeId).executeTakeFirst();
  const storeZone = store?.timezone ?? 'UTC';
  const later = (at: Date) => (at.getTime() > from.getTime() ? at : null);
  if (timing.mode === 'local_time') {
    const [date, time] = timing.local_time.split('T') as [string, string];
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    const [hour, minute] = time.split(':').map(Number) as [number, number];
    const zones = await customerZones(db, storeId, customerIds);
    for (const id of customerIds) times.set(id, later(zonedInstant({ year, month, day, hour, minute }, zoneOf(zones.get(id), storeZone))));
    return times;
  }
  const usual = await usualHours(db, storeId, customerIds, storeZone);
  for (const id of customerIds) {
    const found = usual.get(id);
    const hour = found?.hour ?? timing.default_hour ?? DEFAULT_USUAL_HOUR;
    times.set(id, later(nextWallTime(from, zoneOf(found?.zone, storeZone), hour * 60)));
  }
  return times;
}
