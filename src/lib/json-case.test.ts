import { describe, expect, expectTypeOf, it } from 'vitest';
import { snakeCase, snakeKeys } from './json-case.js';

describe('snake_case JSON keys', () => {
  it('puts an underscore before a capital and between a letter and a digit', () => {
    expect(['newCustomers', 'revenue12mPerCustomer', 'pOrder365d', 'clv12m', 'p_alive', 'expected_orders_30d', 'from', 'percentile99'].map(snakeCase))
      .toEqual(['new_customers', 'revenue_12m_per_customer', 'p_order_365d', 'clv_12m', 'p_alive', 'expected_orders_30d', 'from', 'percentile_99']);
  });

  it('converts nested objects and arrays, and leaves dates and values alone', () => {
    const at = new Date('2024-03-01T00:00:00Z');
    const value = { periodStart: '2024-03-01', rows: [{ repeatRate: 0.5, lastOrderAt: at, title: 'camelCase value' }], none: null };
    const converted = snakeKeys(value);
    expect(converted).toEqual({ period_start: '2024-03-01', rows: [{ repeat_rate: 0.5, last_order_at: at, title: 'camelCase value' }], none: null });
    expectTypeOf(converted).toEqualTypeOf<{ period_start: string; rows: { repeat_rate: number; last_order_at: Date; title: string }[]; none: null }>();
  });
});
