import { describe, expect, it } from 'vitest';
import { transitions } from './local-day.js';
import { addPeriods, periodOffset, periodStart, todayIn } from './periods.js';

describe('periods', () => {
  it('starts weeks on Monday, quarters in January, April, July, October', () => {
    expect(periodStart('week', '2024-03-03')).toBe('2024-02-26');
    expect(periodStart('week', '2024-03-04')).toBe('2024-03-04');
    expect(periodStart('quarter', '2024-06-30')).toBe('2024-04-01');
    expect(periodStart('month', '2024-02-29')).toBe('2024-02-01');
  });

  it('counts whole periods between dates', () => {
    expect(periodOffset('month', '2023-11-30', '2024-02-01')).toBe(3);
    expect(periodOffset('quarter', '2023-12-31', '2024-01-01')).toBe(1);
    expect(periodOffset('week', '2024-01-07', '2024-01-08')).toBe(1);
    expect(addPeriods('quarter', '2023-10-01', 2)).toBe('2024-04-01');
    expect(addPeriods('week', '2024-02-26', 1)).toBe('2024-03-04');
  });

  it("knows today's date in a time zone", () => {
    const now = new Date('2024-01-01T03:00:00Z');
    expect([todayIn('UTC', now), todayIn('America/Los_Angeles', now), todayIn('Asia/Tokyo', now)]).toEqual(['2024-01-01', '2023-12-31', '2024-01-01']);
  });

  it('finds DST transitions to the instant', () => {
    const list = transitions('Europe/London', new Date('2024-01-01T00:00:00Z'), new Date('2024-12-31T00:00:00Z'));
    expect(list.map((t) => [t.starts.toISOString(), t.offsetSeconds]).slice(1)).toEqual([
      ['2024-03-31T01:00:00.000Z', 3600], ['2024-10-27T01:00:00.000Z', 0],
    ]);
    expect(transitions('UTC', new Date('2024-01-01'), new Date('2025-01-01'))).toHaveLength(1);
  });
});
