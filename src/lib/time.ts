/** Times are stored in UTC; reports bucket by the store's time zone. */

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const canonical = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const shape = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * True when the written calendar fields exist: JavaScript's parser rolls 2024-02-30 over to March
 * and 24:00 to the next day, which would silently move an order to another day.
 */
function realFields(match: RegExpExecArray): boolean {
  const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysInMonth(year!, month!) && hour < 24 && minute < 60 && second < 60;
}

/** Parses an ISO-8601 date or date-time; a bare date means midnight UTC. Impossible dates are refused. */
export function parseInstant(text: string): Date | undefined {
  const match = shape.exec(text.trim());
  if (!match || !realFields(match)) return undefined;
  // The common shape (what toISOString writes) is read directly.
  if (canonical.test(text)) {
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  let normal = text.trim().replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(normal)) normal += 'T00:00:00Z';
  else if (!/(Z|[+-]\d{2}:?\d{2})$/.test(normal)) normal += 'Z';
  const date = new Date(normal);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A calendar day written YYYY-MM-DD that exists (not 2024-02-30). */
export function isCalendarDay(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && parseInstant(text) !== undefined;
}

export const DAY_MS = 86_400_000;

export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
