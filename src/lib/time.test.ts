import { describe, expect, it } from 'vitest';
import { parseInstant } from './time.js';

describe('parseInstant', () => {
  it('reads dates and date-times with or without an offset', () => {
    expect(parseInstant('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(parseInstant('2024-02-29T23:59:59Z')?.toISOString()).toBe('2024-02-29T23:59:59.000Z');
    expect(parseInstant('2026-11-20T12:00:00-05:00')?.toISOString()).toBe('2026-11-20T17:00:00.000Z');
    expect(parseInstant('2010-12-01 08:26:00')?.toISOString()).toBe('2010-12-01T08:26:00.000Z');
    expect(parseInstant('2010-12-01T08:26:00.123456Z')?.toISOString()).toBe('2010-12-01T08:26:00.123Z');
  });

  it('refuses dates that do not exist instead of rolling them over', () => {
    for (const text of ['2024-02-30', '2023-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-00',
      '2024-01-01T24:00:00Z', '2024-01-01T23:60:00Z', '2024-01-01T23:59:60Z', '2024-02-30T10:00:00Z', 'tomorrow', '']) {
      expect(parseInstant(text), text).toBeUndefined();
    }
  });
});
