/** Times of day in a time zone (a wait "until 10:00 in the customer's time zone"). */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let found = formatters.get(zone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, found);
  }
  return found;
}

/** The zone's offset from UTC at an instant, in ms (Europe/Paris in winter: +3,600,000). */
export function zoneOffsetMs(zone: string, at: Date): number {
  const parts = Object.fromEntries(formatter(zone).formatToParts(at).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The first instant at or after `from` whose local time in `zone` is `hhmm` (HH:MM). */
export function nextLocalTime(from: Date, hhmm: string, zone: string): Date {
  const [hour, minute] = hhmm.split(':').map(Number) as [number, number];
  const local = new Date(from.getTime() + zoneOffsetMs(zone, from));
  for (let day = 0; day < 3; day += 1) {
    const wallAsUtc = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + day, hour, minute);
    // Two passes find the offset in force at the wall time itself (it differs across a DST change).
    let instant = wallAsUtc - zoneOffsetMs(zone, new Date(wallAsUtc));
    instant = wallAsUtc - zoneOffsetMs(zone, new Date(instant));
    if (instant >= from.getTime()) return new Date(instant);
  }
  return new Date(from.getTime() + 86_400_000);
}
