import { describe, expect, it } from 'vitest';
import { formatDateIn, formatDateTime, formatDay, formatNumber, formatPercent, formatPoints, formatRelative, plural } from './format.js';

describe('formatting for people', () => {
  it('numbers, percentages and plurals', () => {
    expect([formatNumber(1234567), formatNumber(1.005), formatNumber(null)]).toEqual(['1,234,567', '1.01', '—']);
    expect([formatPercent(0.30125), formatPercent(1), formatPercent(null)]).toEqual(['30.1%', '100.0%', '—']);
    expect([formatPoints(0.022), formatPoints(-0.0049), formatRelative(119.6667), formatRelative(-0.25)]).toEqual(['+2.2 pts', '-0.5 pts', '+11,966.7%', '-25.0%']);
    expect([plural(1, 'customer'), plural(2000, 'customer'), plural(0, 'entry', 'entries')]).toEqual(['1 customer', '2,000 customers', '0 entries']);
  });

  it('times in the store\'s time zone, days as days', () => {
    // 23:30 UTC on 1 December is already 2 December in Berlin, and still 1 December in New York.
    expect(formatDateTime('2026-12-01T23:30:00.000Z', 'Europe/Berlin')).toBe('2 Dec 2026, 00:30');
    expect(formatDateTime('2026-12-01T23:30:00.000Z', 'America/New_York')).toBe('1 Dec 2026, 18:30');
    expect(formatDateIn(new Date('2026-12-01T23:30:00.000Z'), 'Europe/Berlin')).toBe('2 Dec 2026');
    expect([formatDay('2024-11-01'), formatDay(null)]).toEqual(['1 Nov 2024', '—']);
  });
});
