/**
 * Wall-clock times in a time zone: what a clock on the wall reads at an instant, and the instant
 * at which it reads a given time. Instants stay UTC; only these conversions know about zones.
 */

export interface WallClock {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formats.set(zone, format);
  }
  return format;
}

/** The wall clock in `zone` at an instant. */
export function wallClock(at: Date, zone: string): WallClock {
  const parts = Object.fromEntries(formatFor(zone).formatToParts(at).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute) };
}

/** The calendar day (YYYY-MM-DD) in `zone` at an instant. */
export function localDay(at: Date, zone: string): string {
  const wall = wallClock(at, zone);
  return `${wall.year}-${String(wall.month).padStart(2, '0')}-${String(wall.day).padStart(2, '0')}`;
}

/** The zone's offset from UTC at an instant, in milliseconds (Tokyo: +9 h). */
function offsetMs(ms: number, zone: string): number {
  const wall = wallClock(new Date(ms), zone);
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute) - (ms - (ms % 60_000));
}

/**
 * The instant at which the wall clock in `zone` reads `wall`. A time skipped by a change to summer
 * time (02:30 on the night clocks jump from 02:00 to 03:00) gives the instant an hour later on the
 * new clock (03:30); a time read twice when clocks go back gives the first.
 */
export function zonedInstant(wall: WallClock, zone: string): Date {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const first = asUtc - offsetMs(asUtc, zone);
  const second = asUtc - offsetMs(first, zone);
  // Of the two candidates, the earlier one that reads the wanted time (the first of a repeated hour).
  const reads = (ms: number) => {
    const w = wallClock(new Date(ms), zone);
    return w.hour === wall.hour && w.minute === wall.minute && w.day === wall.day && w.month === wall.month;
  };
  const candidates = [first, second].sort((a, b) => a - b).filter(reads);
  return new Date(candidates[0] ?? Math.max(first, second));
}

/** Minutes since local midnight of an `HH:MM` string. */
export function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return hours! * 60 + minutes!;
}

/** The first instant at or after `from` at which the wall clock in `zone` reads `minutes` past midnight. */
export function nextWallTime(from: Date, zone: string, minutes: number): Date {
  const today = wallClock(from, zone);
  for (let days = 0; days < 3; days += 1) {
    const day = new Date(Date.UTC(today.year, today.month - 1, today.day + days));
    const at = zonedInstant({ year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour: Math.floor(minutes / 60), minute: minutes % 60 }, zone);
    if (at.getTime() >= from.getTime()) return at;
  }
  throw new Error(`no ${minutes} minutes past midnight in ${zone} after ${from.toISOString()}`);
}

export const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
