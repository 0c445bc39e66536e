/**
 * Numbers, dates and words for people reading a terminal: thousands separators, percentages with
 * one decimal, plurals, times in the store's time zone ("2 Dec 2026, 14:05"), calendar days as
 * days ("2 Dec 2026"). The CLI's tables and sentences use these and nothing else.
 */

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** 1234567 → "1,234,567"; 1.5 → "1.5"; missing → "—". */
export function formatNumber(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : grouped.format(value);
}

/** A fraction as a percentage with one decimal: 0.3012 → "30.1%". */
export function formatPercent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? '—' : `${(ratio * 100).toFixed(1)}%`;
}

/** A change of a rate in percentage points: 0.022 → "+2.2 pts". */
export function formatPoints(delta: number): string {
  return `${delta >= 0 ? '+' : ''}${(delta * 100).toFixed(1)} pts`;
}

const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A relative change: 0.123 → "+12.3%"; 119.667 → "+11,966.7%". */
export function formatRelative(delta: number): string {
  return `${delta >= 0 ? '+' : ''}${oneDecimal.format(delta * 100)}%`;
}

/** "1 customer", "2,000 customers"; `plural` for words that do not just take an s. */
export function plural(count: number, singular: string, pluralWord = `${singular}s`): string {
  return `${formatNumber(count)} ${count === 1 ? singular : pluralWord}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A calendar day (YYYY-MM-DD, already the store's) as "2 Dec 2026". */
export function formatDay(day: string | null | undefined): string {
  if (!day) return '—';
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
  if (!match) return day;
  return `${Number(match[3])} ${MONTHS[Number(match[2]) - 1]} ${match[1]}`;
}

function partsIn(instant: string | Date, timeZone: string): Record<string, string> | undefined {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(date.getTime())) return undefined;
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(date);
  return Object.fromEntries(parts.map((p) => [p.type, p.value]));
}

/** An instant as the store's calendar day: "2 Dec 2026". */
export function formatDateIn(instant: string | Date | null | undefined, timeZone: string): string {
  if (!instant) return '—';
  const p = partsIn(instant, timeZone);
  return p ? formatDay(`${p.year}-${p.month}-${p.day}`) : String(instant);
}

/** An instant in the store's time zone: "2 Dec 2026, 14:05" (the zone is named once, in a heading or after it). */
export function formatDateTime(instant: string | Date | null | undefined, timeZone: string): string {
  if (!instant) return '—';
  const p = partsIn(instant, timeZone);
  return p ? `${formatDay(`${p.year}-${p.month}-${p.day}`)}, ${p.hour}:${p.minute}` : String(instant);
}

/** Text from a code: "partially_refunded" → "partially refunded". */
export function words(code: string): string {
  return code.replace(/[_-]+/g, ' ');
}
