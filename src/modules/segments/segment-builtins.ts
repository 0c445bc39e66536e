/**
 * The starting segments every store gets. They are ordinary rules (a store may edit them). Two
 * depend on predictions: until the store's first model fit they use order history instead, and
 * a built-in still holding that fallback rule is switched to the prediction rule once
 * predictions exist. Detractors come with surveys and are not defined yet.
 */
import type { Rule } from './segment-rule.schema.js';

export interface BuiltinSegment {
  key: string;
  name: string;
  description: string;
  rule: Rule;
  /** The rule used while the store has no predictions. */
  fallback?: { description: string; rule: Rule };
}

const count = (op: 'eq' | 'gte', value: number): Rule => ({ kind: 'orders', metric: 'count', op, value });

export const builtinSegments: readonly BuiltinSegment[] = [
  {
    key: 'new_customers', name: 'New customers', description: 'First order in the last 30 days.',
    rule: { kind: 'orders', metric: 'first_order_at', op: 'within_last_days', value: 30 },
  },
  { key: 'one_time_buyers', name: 'One-time buyers', description: 'Exactly one order so far.', rule: count('eq', 1) },
  { key: 'repeat_buyers', name: 'Repeat buyers', description: 'Two or more orders.', rule: count('gte', 2) },
  {
    key: 'vip', name: 'VIP', description: 'Top 5 % of customers by predicted 12-month CLV.',
    rule: { kind: 'prediction', field: 'predicted_clv', op: 'top_percent', value: 5 },
    fallback: {
      description: 'Top 5 % of buyers by revenue so far (predicted CLV is used once predictions are fitted).',
      rule: { kind: 'orders', metric: 'revenue', op: 'top_percent', value: 5 },
    },
  },
  {
    key: 'at_risk', name: 'At risk', description: 'Repeat buyers who ordered in the last year but whose P(alive) is now below 0.5.',
    rule: { kind: 'all', rules: [count('gte', 2), { kind: 'orders', metric: 'last_order_at', op: 'within_last_days', value: 365 },
      { kind: 'prediction', field: 'p_alive', op: 'lt', value: 0.5 }] },
    fallback: {
      description: 'Repeat buyers whose last order was 90 to 365 days ago (P(alive) is used once predictions are fitted).',
      rule: { kind: 'all', rules: [count('gte', 2), { kind: 'orders', metric: 'last_order_at', op: 'more_than_days_ago', value: 90 },
        { kind: 'orders', metric: 'last_order_at', op: 'within_last_days', value: 365 }] },
    },
  },
  {
    key: 'lost', name: 'Lost', description: 'Buyers whose P(alive) is below 0.2.',
    rule: { kind: 'all', rules: [count('gte', 1), { kind: 'prediction', field: 'p_alive', op: 'lt', value: 0.2 }] },
    fallback: {
      description: 'Buyers whose last order was more than a year ago (P(alive) is used once predictions are fitted).',
      rule: { kind: 'orders', metric: 'last_order_at', op: 'more_than_days_ago', value: 365 },
    },
  },
  {
    key: 'big_spenders_recent_return', name: 'Big spenders with a recent return',
    description: 'Top 20 % of buyers by revenue who returned something in the last 30 days.',
    rule: { kind: 'all', rules: [{ kind: 'orders', metric: 'revenue', op: 'top_percent', value: 20 },
      { kind: 'orders', metric: 'returns', op: 'gte', value: 1, within_days: 30 }] },
  },
];
