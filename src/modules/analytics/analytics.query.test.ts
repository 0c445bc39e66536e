import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.js';
import { parseAnalyticsQuery } from './analytics.query.js';

const defaults = { lastDay: '2024-03-05', fieldPrefix: 'query.' };

function errorOf(input: unknown, fieldPrefix = 'query.'): AppError {
  try {
    parseAnalyticsQuery(input, { ...defaults, fieldPrefix });
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('parseAnalyticsQuery', () => {
  it('defaults to the year up to the last day with data, monthly, against the previous period', () => {
    const q = parseAnalyticsQuery({}, defaults);
    expect(q).toMatchObject({ from: '2023-03-06', to: '2024-03-05', period: 'month', compare: 'previous', retained: 'period', limit: 100, filters: {} });
    // 366 days (a leap year): the previous range is the 366 days before.
    expect(q.compareRange).toEqual({ from: '2022-03-05', to: '2023-03-05' });
  });

  it('compares with a year earlier, 29 February becoming 28 February', () => {
    const q = parseAnalyticsQuery({ from: '2024-02-01', to: '2024-02-29', compare: 'year' }, defaults);
    expect(q.compareRange).toEqual({ from: '2023-02-01', to: '2023-02-28' });
    expect(parseAnalyticsQuery({ compare: 'none' }, defaults).compareRange).toBeUndefined();
  });

  it('turns filters into a typed value', () => {
    const q = parseAnalyticsQuery({ channel: 'email', first_discount: 'false', first_product: 'SKU-1', breakdown: 'country', limit: '5' }, defaults);
    expect(q.filters).toEqual({ channel: 'email', firstDiscount: false, firstProduct: 'SKU-1' });
    expect([q.breakdown, q.limit]).toEqual(['country', 5]);
  });

  it('names each bad field with the reason, for the API and the CLI', () => {
    expect(errorOf({ from: '2024-02-30', to: 'yesterday' }).details).toEqual([
      { path: 'query.from', reason: '"2024-02-30" is not a date (YYYY-MM-DD)' },
      { path: 'query.to', reason: '"yesterday" is not a date (YYYY-MM-DD)' },
    ]);
    expect(errorOf({ first_discount: 'maybe' }, '--').details[0]!.path).toBe('--first-discount');
    expect(errorOf({ from: '2024-03-01', to: '2024-01-01' }).details).toEqual([{ path: 'query.from', reason: 'must not be after to (2024-01-01)' }]);
    expect(errorOf({ since: '2024-04-01' }).details).toEqual([{ path: 'query.since', reason: 'must be before to (2024-03-05)' }]);
    expect(errorOf({ from: '1990-01-01', to: '2024-01-01' }).details[0]!.reason).toMatch(/20 years/);
    expect(errorOf({ limit: '0' }).details[0]!.path).toBe('query.limit');
    expect(errorOf({ sort: 'x' }).details[0]!.reason).toBe('unknown parameter(s) sort');
    expect(errorOf({ period: 'day' }).code).toBe('validation_failed');
  });
});
