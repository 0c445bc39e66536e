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

/** Parses an ISO-8601 date or date-time; a bare date means midnight UTC. */
export function parseInstant(text: string): Date | undefined {
  // The common shape (what toISOString writes) is read directly.
  if (canonical.test(text)) {
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) return undefined;
  let normal = text.trim().replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(normal)) normal += 'T00:00:00Z';
  else if (!/(Z|[+-]\d{2}:?\d{2})$/.test(normal)) normal += 'Z';
  const date = new Date(normal);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export const DAY_MS = 86_400_000;

export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
