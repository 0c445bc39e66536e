/**
 * Periods as a store's marketer reads them: "Nov 2024", "Q4 2024", "Week of 3 Nov 2024". The API
 * keeps ISO dates; the dashboard and the terminal tables show these. Pure (the dashboard imports it).
 */
import type { Period } from './analytics.query.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function parts(start: string): { year: number; month: number; day: number } {
  const [year, month, day] = start.slice(0, 10).split('-').map(Number) as [number, number, number];
  return { year, month, day };
}

/**
 * The label of the period starting on `start` (YYYY-MM-DD). `short` drops words a narrow axis
 * cannot fit: "Nov 24", "Q4 24", "3 Nov 24".
 */
export function periodLabel(period: Period, start: string, options: { short?: boolean } = {}): string {
  const { year, month, day } = parts(start);
  if (!year || !month) return start;
  const y = options.short ? String(year).slice(-2) : String(year);
  if (period === 'quarter') return `Q${Math.floor((month - 1) / 3) + 1} ${y}`;
  if (period === 'month') return `${MONTHS[month - 1]} ${y}`;
  return options.short ? `${day} ${MONTHS[month - 1]} ${y}` : `Week of ${day} ${MONTHS[month - 1]} ${y}`;
}

/** A run of periods: "Jan–Sep 2026", "Nov 2025–Jun 2026", "Q1–Q3 2026", "weeks of 6 Jan–24 Mar 2025". */
export function periodRangeLabel(period: Period, first: string, last: string): string {
  if (first === last) return periodLabel(period, first);
  const a = parts(first);
  const b = parts(last);
  if (period === 'week') {
    const end = `${b.day} ${MONTHS[b.month - 1]} ${b.year}`;
    return a.year === b.year ? `weeks of ${a.day} ${MONTHS[a.month - 1]}–${end}` : `weeks of ${a.day} ${MONTHS[a.month - 1]} ${a.year}–${end}`;
  }
  const name = (p: { month: number }) => (period === 'quarter' ? `Q${Math.floor((p.month - 1) / 3) + 1}` : MONTHS[p.month - 1]);
  return a.year === b.year ? `${name(a)}–${name(b)} ${b.year}` : `${name(a)} ${a.year}–${name(b)} ${b.year}`;
}
