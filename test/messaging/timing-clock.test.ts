/**
 * The clock arithmetic behind timing, against Intl read minute by minute: quiet windows that wrap
 * midnight or not, nights when clocks change, and the circular mean of hours — checked on random
 * instants and zones, and on the cases that break a plain average.
 */
import { describe, expect, it } from 'vitest';
import { nextWallTime, zonedInstant } from '../../src/lib/zoned-time.js';
import { quietUntil } from '../../src/modules/messaging/index.js';
import { usualHourOf } from '../../src/modules/messaging/usual-hour.js';
import { seededRandom as rng } from '../../src/lib/random.js';

const zones = ['Asia/Tokyo', 'America/New_York', 'Europe/London', 'Australia/Sydney', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Kiritimati', 'UTC'];

function clock(at: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}
/** The reference: walk forward minute by minute from `from` until the clock shows `hhmm`. */
function walk(from: Date, zone: string, hhmm: string): Date {
  for (let at = Math.ceil(from.getTime() / 60_000) * 60_000; ; at += 60_000) if (clock(new Date(at), zone) === hhmm) return new Date(at);
}
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

describe('wall-clock times', () => {
  it('finds the next time a clock shows HH:MM, as a minute-by-minute walk does, in random zones and instants', () => {
    const random = rng(7);
    for (let i = 0; i < 60; i += 1) {
      const zone = zones[Math.floor(random() * zones.length)]!;
      const from = new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 365 * 86_400_000 / 60_000) * 60_000);
      const hhmm = `${String(Math.floor(random() * 24)).padStart(2, '0')}:${String(Math.floor(random() * 4) * 15).padStart(2, '0')}`;
      expect(nextWallTime(from, zone, minutes(hhmm)).toISOString(), `${zone} ${from.toISOString()} ${hhmm}`).toBe(walk(from, zone, hhmm).toISOString());
    }
  });

  it('on nights clocks change: a skipped time is read on the new clock, a repeated one is its first', () => {
    // New York, 8 March 2026: 02:00 becomes 03:00, so 02:30 never shows; the instant an hour on is 03:30 EDT.
    expect(zonedInstant({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, 'America/New_York').toISOString()).toBe('2026-03-08T07:30:00.000Z');
    // 1 November 2026: 01:30 shows twice; the first is still EDT (UTC−4).
    expect(zonedInstant({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, 'America/New_York').toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });
});

describe('quiet hours', () => {
  const night = { start: minutes('21:00'), end: minutes('08:00') };
  const lunch = { start: minutes('12:00'), end: minutes('14:00') };

  it("are read on the customer's clock and end at the window's end there", () => {
    const random = rng(11);
    for (let i = 0; i < 80; i += 1) {
      const zone = zones[Math.floor(random() * zones.length)]!;
      const at = new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 365 * 86_400_000 / 60_000) * 60_000);
      const local = minutes(clock(at, zone));
      for (const [window, end] of [[night, '08:00'], [lunch, '14:00']] as const) {
        const inside = window.start < window.end ? local >= window.start && local < window.end : local >= window.start || local < window.end;
        expect(quietUntil(at, zone, window)?.toISOString() ?? null, `${zone} ${at.toISOString()}`).toBe(inside ? walk(at, zone, end).toISOString() : null);
      }
    }
  });

  it('have ended at their end time exactly', () => {
    const eight = walk(new Date('2026-12-02T00:00:00Z'), 'Asia/Tokyo', '08:00');
    expect(quietUntil(eight, 'Asia/Tokyo', night)).toBeNull();
    expect(quietUntil(new Date(eight.getTime() - 60_000), 'Asia/Tokyo', night)?.toISOString()).toBe(eight.toISOString());
  });
});

describe('the usual hour', () => {
  const meanOf = (times: string[]) => {
    const angles = times.map((t) => (2 * Math.PI * minutes(t)) / 1440);
    return { n: times.length, x: angles.reduce((a, v) => a + Math.cos(v), 0) / times.length, y: angles.reduce((a, v) => a + Math.sin(v), 0) / times.length };
  };
  const usual = (times: string[]) => {
    const { n, x, y } = meanOf(times);
    return usualHourOf(n, x, y);
  };

  it('averages around midnight, not to noon', () => {
    expect(usual(['23:00', '01:00', '23:30', '00:30'])).toBe(0);
    expect(usual(['22:10', '23:50', '23:20'])).toBe(23);
  });

  it('is the hour a tight cluster centres on', () => {
    expect(usual(['19:10', '19:40', '20:05', '19:25'])).toBe(19);
  });

  it('needs three observations that agree', () => {
    expect(usual(['09:00', '09:10'])).toBeNull();
    expect(usual(['00:00', '08:00', '16:00'])).toBeNull();
  });
});
