/**
 * When a queued message may go out. Two rules, checked by the send job before anything else:
 *
 * - **Not before**: a message carries the instant it may go out (a campaign sent at each
 *   recipient's local time or usual hour, or a message already deferred). Before it, the message
 *   stays `queued` and a send job is booked for that instant; the job that finds it early sends
 *   nothing. So a restart, a resumed source or a retried job never sends it early.
 * - **Quiet hours** (off unless the store turns them on): a marketing message that would go out
 *   between the store's quiet-hours start and end, read on the wall clock of the customer's own
 *   time zone (else the store's), is not dropped: it gets a new `queued` state with the reason
 *   `quiet_hours`, the end of the quiet window as its not-before time, and a send job then.
 *   Transactional mail ignores quiet hours: a receipt is expected at once.
 */
import type { Db } from '../../db/database.js';
import { isTimeZone } from '../../lib/time.js';
import { HH_MM, minutesOf, nextWallTime, wallClock } from '../../lib/zoned-time.js';
import { appendStates, type StateChange } from './sends.repository.js';
import { customerZones, notBeforeOf } from './send-timing.repository.js';
import type { MessageSettingsTable, SendHeading } from './sends.table.js';

/** Quiet hours a store gets when it turns them on without choosing: 21:00 to 08:00, as Braze and SMS rules suggest. */
export const DEFAULT_QUIET_HOURS = { start: '21:00', end: '08:00' } as const;

export interface QuietHours {
  /** Minutes past local midnight; the window may wrap past midnight (start > end). */
  start: number;
  end: number;
}

/** The store's quiet hours, or null when they are off. */
export function quietHoursOf(settings: Pick<MessageSettingsTable, 'quiet_hours_enabled' | 'quiet_hours_start' | 'quiet_hours_end'>): QuietHours | null {
  if (!settings.quiet_hours_enabled) return null;
  const start = settings.quiet_hours_start && HH_MM.test(settings.quiet_hours_start) ? settings.quiet_hours_start : DEFAULT_QUIET_HOURS.start;
  const end = settings.quiet_hours_end && HH_MM.test(settings.quiet_hours_end) ? settings.quiet_hours_end : DEFAULT_QUIET_HOURS.end;
  return start === end ? null : { start: minutesOf(start), end: minutesOf(end) };
}

/** When the quiet hours that `at` falls in end, on the wall clock of `zone`; null when `at` is not quiet. */
export function quietUntil(at: Date, zone: string, quiet: QuietHours): Date | null {
  const wall = wallClock(at, zone);
  const minute = wall.hour * 60 + wall.minute;
  const inside = quiet.start < quiet.end ? minute >= quiet.start && minute < quiet.end : minute >= quiet.start || minute < quiet.end;
  return inside ? nextWallTime(at, zone, quiet.end) : null;
}

/** The zone a customer's wall clock is read in: their own when it is a known zone, else the store's. */
export function zoneOf(customerZone: string | null | undefined, storeZone: string): string {
  return customerZone && isTimeZone(customerZone) ? customerZone : storeZone;
}

export interface TimingDeps {
  read: Db;
  write: Db;
  /** Books a send job for these messages at that instant. */
  schedule: (ids: readonly number[], at: Date) => Promise<unknown>;
}

const label = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/**
 * Splits queued messages into those that may go out now and those that wait; books a send job for
 * each waiting time and records why a message was deferred by quiet hours.
 */
export async function holdUntimely(deps: TimingDeps, storeId: string, sends: readonly SendHeading[], options: {
  quiet: QuietHours | null; storeZone: string; attempts: ReadonlyMap<number, number>; now: Date;
}): Promise<{ due: SendHeading[]; deferred: number }> {
  const { quiet, storeZone, attempts, now } = options;
  const notBefore = await notBeforeOf(deps.read, storeId, sends.map((s) => s.id));
  const marketing = sends.filter((s) => s.purpose === 'marketing' && s.customer_id !== null).map((s) => s.customer_id!);
  const zones = quiet ? await customerZones(deps.read, storeId, marketing) : new Map<number, string>();
  const due: SendHeading[] = [];
  const later = new Map<number, number[]>();
  const deferrals: StateChange[] = [];
  const wait = (id: number, at: Date) => later.set(at.getTime(), [...(later.get(at.getTime()) ?? []), id]);
  for (const send of sends) {
    const until = notBefore.get(send.id);
    if (until && until.getTime() > now.getTime()) {
      wait(send.id, until);
      continue;
    }
    if (quiet && send.purpose === 'marketing') {
      const zone = zoneOf(send.customer_id === null ? null : zones.get(send.customer_id), storeZone);
      const end = quietUntil(now, zone, quiet);
      if (end) {
        wait(send.id, end);
        deferrals.push({
          storeId, sendId: send.id, state: 'queued', reason: 'quiet_hours', attempt: attempts.get(send.id) ?? 1, notBefore: end,
          detail: `Quiet hours ${label(quiet.start)}–${label(quiet.end)} in ${zone}: deferred to ${label(quiet.end)} there (${end.toISOString()})`,
        });
        continue;
      }
    }
    due.push(send);
  }
  await appendStates(deps.write, deferrals);
  for (const [at, ids] of later) await deps.schedule(ids, new Date(at));
  return { due, deferred: sends.length - due.length };
}

/** Messages grouped by their not-before time (null: now), in order of time. */
export function byTime(entries: readonly { id: number; at: Date | null }[]): [Date | null, number[]][] {
  const groups = new Map<number, number[]>();
  for (const { id, at } of entries) {
    const key = at ? at.getTime() : -Infinity;
    groups.set(key, [...(groups.get(key) ?? []), id]);
  }
  return [...groups].sort(([a], [b]) => a - b).map(([key, ids]) => [key === -Infinity ? null : new Date(key), ids]);
}
