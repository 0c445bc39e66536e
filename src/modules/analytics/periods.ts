/** Calendar arithmetic on local dates (YYYY-MM-DD) for weeks (ISO, from Monday), months and quarters. */
import type { Period } from './analytics.query.js';
import { localDay } from '../../lib/zoned-time.js';

const parse = (date: string) => new Date(`${date}T00:00:00Z`);
const format = (date: Date) => date.toISOString().slice(0, 10);

export function periodStart(period: Period, date: string): string {
  const d = parse(date);
  if (period === 'week') {
    d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    return format(d);
  }
  const month = period === 'month' ? d.getUTCMonth() : d.getUTCMonth() - (d.getUTCMonth() % 3);
  return format(new Date(Date.UTC(d.getUTCFullYear(), month, 1)));
}

/** Whole periods from the period of `from` to the period of `to`. */
export function periodOffset(period: Period, from: string, to: string): number {
  const a = parse(periodStart(period, from));
  const b = parse(periodStart(period, to));
  if (period === 'week') return Math.round((b.getTime() - a.getTime()) / (7 * 86_400_000));
  const months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();
  return period === 'month' ? months : Math.floor(months / 3);
}

export function addPeriods(period: Period, start: string, count: number): string {
  const d = parse(start);
  if (period === 'week') return format(new Date(d.getTime() + count * 7 * 86_400_000));
  return format(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + count * (period === 'month' ? 1 : 3), 1)));
}

/** Today's date in a time zone. */
export function todayIn(timezone: string, now = new Date()): string {
  return localDay(now, timezone);
}
