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
  /** Earlier names and rules: a store's built-in still holding one (not edited since) is moved to the current one. */
  superseded?: { names?: string[]; rules?: Rule[] };
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
    // The same customers as "customers at high churn risk" on Overview and Predictions: the model's band.
    key: 'at_risk', name: 'High churn risk',
    description: 'Customers the model gives under a 20 % chance of ordering in the next 365 days (churn risk band “high”): the customers counted at high churn risk on Overview and Predictions. Not RFM’s “At risk”, which is about recency and past value.',
    rule: { kind: 'prediction', field: 'churn_risk', op: 'eq', value: 'high' },
    fallback: {
      description: 'Repeat buyers whose last order was 90 to 365 days ago (the model’s churn risk band is used once predictions are fitted).',
      rule: { kind: 'all', rules: [count('gte', 2), { kind: 'orders', metric: 'last_order_at', op: 'more_than_days_ago', value: 90 },
        { kind: 'orders', metric: 'last_order_at', op: 'within_last_days', value: 365 }] },
    },
    superseded: {
      names: ['At risk'],
      rules: [{ kind: 'all', rules: [count('gte', 2), { kind: 'orders', metric: 'last_order_at', op: 'within_last_days', value: 365 },
        { kind: 'prediction', field: 'p_alive', op: 'lt', value: 0.5 }] }],
    },
  },
  {
    key: 'lost', name: 'Probably lost',
    description: 'Buyers whose P(alive) — the model’s probability that they still buy at their usual pace — is below 0.2. Most are also at high churn risk. Not RFM’s “Lost”, which is about recency and past value.',
    rule: { kind: 'all', rules: [count('gte', 1), { kind: 'prediction', field: 'p_alive', op: 'lt', value: 0.2 }] },
    fallback: {
      description: 'Buyers whose last order was more than a year ago (P(alive) is used once predictions are fitted).',
      rule: { kind: 'orders', metric: 'last_order_at', op: 'more_than_days_ago', value: 365 },
    },
    superseded: { names: ['Lost'] },
  },
  {
    key: 'big_spenders_recent_return', name: 'Big spenders with a recent return',
    description: 'Top 20 % of buyers by revenue who returned something in the last 30 days.',
    rule: { kind: 'all', rules: [{ kind: 'orders', metric: 'revenue', op: 'top_percent', value: 20 },
      { kind: 'orders', metric: 'returns', op: 'gte', value: 1, within_days: 30 }] },
  },
];
