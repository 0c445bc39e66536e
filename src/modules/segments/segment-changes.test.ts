import { describe, expect, it } from 'vitest';
import { readsChanges, segmentCustomerFields } from './segment-changes.js';
import type { Rule } from './segment-rule.schema.js';

const viewed: Rule = { kind: 'event', name: 'Product Viewed', within_days: 30 };
const uk: Rule = { kind: 'profile', field: 'country', op: 'eq', value: 'GB' };
const segments = new Map<string, Rule>([['viewers', viewed], ['uk', uk], ['loop', { kind: 'segment', segment_id: 'loop' }]]);
const reads = (rule: Rule, types: string[], fields: string[] = []) => readsChanges(rule, segments, { types: types as never, fields });

describe('which changes a rule reads', () => {
  it('a tracked event reaches event conditions, also through a segment referred to and under not', () => {
    expect(reads(viewed, ['event.received'])).toBe(true);
    expect(reads(uk, ['event.received'])).toBe(false);
    expect(reads({ kind: 'all', rules: [uk, { kind: 'segment', segment_id: 'viewers' }] }, ['event.received'])).toBe(true);
    expect(reads({ kind: 'not', rule: viewed }, ['event.received'])).toBe(true);
    expect(reads({ kind: 'segment', segment_id: 'loop' }, ['event.received'])).toBe(false);
    expect(reads({ kind: 'segment', segment_id: 'gone' }, ['event.received'])).toBe(true);
  });

  it('a profile edit reaches the conditions on the fields it changed; consent only accepts_marketing', () => {
    expect(reads(uk, ['customer.updated'], ['city'])).toBe(false);
    expect(reads(uk, ['customer.updated'], ['city', 'country'])).toBe(true);
    expect(reads({ kind: 'attribute', name: 'plan', op: 'eq', value: 'gold' }, ['customer.updated'], ['attributes'])).toBe(true);
    expect(reads(uk, ['customer.consent_changed'])).toBe(false);
    expect(reads({ kind: 'profile', field: 'accepts_marketing', op: 'eq', value: true }, ['customer.updated', 'customer.consent_changed'], ['accepts_marketing'])).toBe(true);
    expect(segmentCustomerFields).toEqual(expect.arrayContaining(['country', 'accepts_marketing', 'tags', 'created_at', 'attributes']));
    expect(segmentCustomerFields).not.toContain('open_tickets');
  });

  it('an order, a new customer or a change it does not know reaches every rule', () => {
    for (const type of ['order.placed', 'customer.created', 'return.created']) expect(reads(uk, [type])).toBe(true);
    expect(reads(uk, ['event.received', 'order.placed'])).toBe(true);
  });
});
