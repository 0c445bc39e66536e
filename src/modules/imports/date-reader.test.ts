import { describe, expect, it } from 'vitest';
import { DateReader, compilePattern } from './date-reader.js';

const iso = (date: Date | undefined) => date?.toISOString();

describe('date reader', () => {
  it('reads both Online Retail styles as the same UK local time', () => {
    const london = new DateReader('Europe/London');
    expect(iso(london.read('2010-12-01 08:26:00'))).toBe('2010-12-01T08:26:00.000Z');
    expect(iso(london.read('12/1/2010 8:26'))).toBe('2010-12-01T08:26:00.000Z');
    // British Summer Time: local 09:00 is 08:00 UTC.
    expect(iso(london.read('2011-06-01 09:00:00'))).toBe('2011-06-01T08:00:00.000Z');
    expect(iso(london.read('6/1/2011 9:00'))).toBe('2011-06-01T08:00:00.000Z');
    // The hour after the spring change (2011-03-27 01:00 GMT → 02:00 BST).
    expect(iso(london.read('2011-03-27 03:30:00'))).toBe('2011-03-27T02:30:00.000Z');
  });

  it('keeps explicit offsets and reads CDNOW dates', () => {
    const ny = new DateReader('America/New_York');
    expect(iso(ny.read('2024-03-01 10:15:30 -0500'))).toBe('2024-03-01T15:15:30.000Z');
    expect(iso(ny.read('2024-03-01T10:15:30Z'))).toBe('2024-03-01T10:15:30.000Z');
    expect(iso(ny.read('2024-07-01 12:00'))).toBe('2024-07-01T16:00:00.000Z');
    expect(iso(new DateReader('UTC', 'YYYYMMDD').read('19970101'))).toBe('1997-01-01T00:00:00.000Z');
  });

  it('reads mapping patterns and epoch numbers, and refuses impossible dates', () => {
    const dmy = new DateReader('UTC', 'D/M/YYYY H:mm');
    expect(iso(dmy.read('13/1/2024 7:05'))).toBe('2024-01-13T07:05:00.000Z');
    expect(dmy.read('1/13/2024 7:05')).toBeUndefined();
    expect(new DateReader('UTC').read('2023-02-29')).toBeUndefined();
    expect(new DateReader('UTC').read('yesterday')).toBeUndefined();
    expect(iso(new DateReader('UTC', 'unix').read('1700000000'))).toBe('2023-11-14T22:13:20.000Z');
    expect(iso(new DateReader('UTC', 'unix_ms').read('1700000000000'))).toBe('2023-11-14T22:13:20.000Z');
    expect(compilePattern('HH:mm')).toBeUndefined();
    expect(() => new DateReader('UTC', 'hh-mm')).toThrow(/date format/);
  });
});
