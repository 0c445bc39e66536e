import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { compileRule } from './segment.compiler.js';
import { parseRule } from './segment-rule.validate.js';
import { csvCell } from './segment-csv.js';

const db = new Kysely<unknown>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

function compiled(rule: unknown) {
  const result = compileRule(parseRule(rule), { storeId: 'st_1', asOf: new Date('2026-06-01T00:00:00Z'), segments: new Map() });
  return { ...result, query: sql`select count(*) from ${result.from} where ${result.where}`.compile(db) };
}

describe('rule compiler', () => {
  it('binds every value as a parameter, never as SQL text', () => {
    const hostile = "x'); drop table customers; --";
    const { query } = compiled({ kind: 'all', rules: [
      { kind: 'profile', field: 'email', op: 'contains', value: hostile },
      { kind: 'attribute', name: 'plan', op: 'eq', value: hostile },
      { kind: 'event', name: hostile, where: [{ property: 'category', op: 'eq', value: hostile }] },
      { kind: 'purchased', category: hostile },
      { kind: 'discount_code', code: hostile },
    ] });
    expect(query.sql).not.toContain('drop table');
    expect(query.parameters.filter((p) => p === hostile).length).toBeGreaterThanOrEqual(5);
    expect(query.parameters).toContain('$.plan');
  });

  it('computes all order conditions in one grouped pass, and reads only the window when every one is windowed', () => {
    const lifetime = compiled({ kind: 'all', rules: [
      { kind: 'orders', metric: 'count', op: 'gte', value: 2 },
      { kind: 'orders', metric: 'revenue', op: 'gte', value: 100, within_days: 30 },
      { kind: 'not', rule: { kind: 'orders', metric: 'count', op: 'gte', value: 2 } },
    ] });
    expect(lifetime.query.sql.match(/from orders o/g)).toHaveLength(1);
    expect(lifetime.query.sql).toMatch(/count\(\*\) as m0, sum\(o\.total\) filter \(where o\.placed_at >= \$\d+\) as m1 from/);
    expect(lifetime.readsClock).toBe(true);
    const windowed = compiled({ kind: 'orders', metric: 'count', op: 'gte', value: 1, within_days: 7 });
    expect(windowed.query.sql).toMatch(/o\.status <> 'cancelled' and o\.placed_at >= \$\d+/);
  });

  it('treats a rule without clock conditions as refreshable on data change', () => {
    expect(compiled({ kind: 'profile', field: 'country', op: 'eq', value: 'US' }).readsClock).toBe(false);
    expect(compiled({ kind: 'orders', metric: 'last_order_at', op: 'more_than_days_ago', value: 90 }).readsClock).toBe(true);
  });

  it('quotes CSV cells and defuses spreadsheet formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(-5)).toBe('-5');
  });
});
