/**
 * The allow-list of everything a rule can refer to. A rule names a field; only names found here
 * reach SQL, and then only as the constant SQL text written here — never text from the rule.
 */
import type { CustomerSummaryTable } from '../analytics/index.js';
import type { CustomerPredictionTable } from '../predictions/index.js';
import type { ReviewTable } from '../reviews/index.js';
import type { SupportTicketTable } from '../support/index.js';
import type { SurveyAnswerTable } from '../surveys/index.js';
import type { Operator } from './segment-rule.schema.js';

export type FieldType = 'string' | 'number' | 'money' | 'boolean' | 'date' | 'list';

export interface FieldDef {
  type: FieldType;
  label: string;
  /** SQL for the value, from constants only. */
  sql: string;
  /** Whether `top_percent` applies (a ranking among the store's customers). */
  rankable?: boolean;
}

export const operatorsByType: Record<FieldType, readonly Operator[]> = {
  string: ['eq', 'neq', 'in', 'not_in', 'contains', 'starts_with', 'is_set', 'is_not_set'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'is_set', 'is_not_set', 'top_percent'],
  money: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'is_set', 'is_not_set', 'top_percent'],
  boolean: ['eq', 'is_set', 'is_not_set'],
  date: ['before', 'after', 'between', 'within_last_days', 'more_than_days_ago', 'within_next_days', 'is_set', 'is_not_set'],
  list: ['contains', 'not_contains', 'is_set', 'is_not_set'],
};

/** Columns of the customer row (alias `c`). */
export const profileFields: Record<string, FieldDef> = {
  external_id: { type: 'string', label: 'External id', sql: 'c.external_id' },
  email: { type: 'string', label: 'Email', sql: 'c.email' },
  first_name: { type: 'string', label: 'First name', sql: 'c.first_name' },
  last_name: { type: 'string', label: 'Last name', sql: 'c.last_name' },
  phone: { type: 'string', label: 'Phone', sql: 'c.phone' },
  country: { type: 'string', label: 'Country', sql: 'c.country' },
  city: { type: 'string', label: 'City', sql: 'c.city' },
  accepts_marketing: { type: 'boolean', label: 'Accepts marketing', sql: 'c.accepts_marketing' },
  tags: { type: 'list', label: 'Tags', sql: 'c.tags' },
  created_at: { type: 'date', label: 'Customer since', sql: 'c.created_at' },
  nps_category: { type: 'string', label: 'NPS category (latest answer)', sql: npsCategorySql() },
  open_tickets: { type: 'number', label: 'Open support tickets', sql: openTicketsSql() },
  reviews_written: { type: 'number', label: 'Reviews written', sql: reviewsSql('count(*)') },
  lowest_review_rating: { type: 'number', label: 'Lowest review rating (1–5)', sql: reviewsSql('min(r.rating)') },
};

/** An aggregate over the customer's reviews (whatever their moderation status: what they said). */
function reviewsSql(aggregate: string): string {
  const r = (column: keyof ReviewTable & string) => `r.${column}`;
  return `(select ${aggregate} from reviews r where ${r('store_id')} = c.store_id and ${r('customer_id')} = c.id)`;
}

/** The category of the customer's latest NPS answer (promoter 9–10, passive 7–8, detractor 0–6), null without one. */
function npsCategorySql(): string {
  const a = (column: keyof SurveyAnswerTable & string) => `a.${column}`;
  return `(select case when ${a('score')} >= 9 then 'promoter' when ${a('score')} >= 7 then 'passive' else 'detractor' end
    from survey_answers a where ${a('store_id')} = c.store_id and ${a('customer_id')} = c.id and ${a('kind')} = 'nps' order by ${a('answered_at')} desc, ${a('id')} desc limit 1)`;
}

/** The customer's tickets not resolved (open or pending). */
function openTicketsSql(): string {
  const t = (column: keyof SupportTicketTable & string) => `t.${column}`;
  return `(select count(*) from support_tickets t where ${t('store_id')} = c.store_id and ${t('customer_id')} = c.id and ${t('status')} <> 'resolved')`;
}

/**
 * Order aggregates per customer, over orders that were not cancelled (the same orders the
 * prediction models count). `sql` is the aggregate over the joined `orders o`; the window is
 * applied as a FILTER so every metric of a rule is computed in one pass over the orders.
 */
export const orderMetrics: Record<string, FieldDef & { emptyValue: 0 | null; filter?: string }> = {
  count: { type: 'number', label: 'Orders', sql: 'count(*)', emptyValue: 0, rankable: true },
  revenue: { type: 'money', label: 'Revenue', sql: 'sum(o.total)', emptyValue: 0, rankable: true },
  average_order_value: { type: 'money', label: 'Average order value', sql: 'avg(o.total)', emptyValue: null, rankable: true },
  discounted_orders: { type: 'number', label: 'Orders with a discount', sql: 'count(*)', emptyValue: 0, filter: '(o.discount > 0 or len(o.discount_codes) > 0)' },
  first_order_at: { type: 'date', label: 'First order', sql: 'min(o.placed_at)', emptyValue: null },
  last_order_at: { type: 'date', label: 'Last order', sql: 'max(o.placed_at)', emptyValue: null },
  returns: { type: 'number', label: 'Returns', sql: 'count(*)', emptyValue: 0 },
  returned_amount: { type: 'money', label: 'Returned amount', sql: 'sum(r.amount)', emptyValue: 0 },
};

/** A column of the tables other modules publish, checked against their published types. */
const cs = (column: keyof CustomerSummaryTable & string): string => `cs.${column}`;
const cp = (column: keyof CustomerPredictionTable & string): string => `cp.${column}`;

/**
 * Lifetime metrics the analytics module keeps per customer in `customer_summary` (alias `cs`,
 * migration 000400: orders not cancelled, gross = their totals, first/last order day in the
 * store's time zone). When that summary is fresh these are read from it instead of grouping every
 * order, which is what keeps a count at 1M customers / 10M orders within its time budget.
 */
export const summaryMetrics: Record<string, string> = {
  count: cs('orders'),
  revenue: cs('gross'),
  average_order_value: `(${cs('gross')} / ${cs('orders')})`,
  first_order_at: cs('first_day'),
  last_order_at: cs('last_day'),
};

/** Metrics computed from `returns r` rather than `orders o`. */
export const returnMetrics = new Set(['returns', 'returned_amount']);

/** The latest fit's per-customer predictions (alias `cp`, table customer_predictions). */
export const predictionFields: Record<string, FieldDef> = {
  p_alive: { type: 'number', label: 'P(alive)', sql: cp('p_alive'), rankable: true },
  churn_risk: { type: 'string', label: 'Churn risk band', sql: cp('churn_risk') },
  predicted_clv: { type: 'money', label: 'Predicted CLV (12 months)', sql: cp('clv_12m'), rankable: true },
  expected_orders_90d: { type: 'number', label: 'Expected orders (90 days)', sql: cp('expected_orders_90d'), rankable: true },
  next_order_on: { type: 'date', label: 'Expected next order', sql: cp('next_order_on') },
};

/**
 * RFM scores with the analytics module's definition (1 + floor(5 × percent rank) among the
 * store's buyers; segment names from its R × FM grid), computed from its per-customer summary
 * table `customer_summary` (migration 000400), joined as alias `rfm`.
 */
export const rfmFields: Record<string, FieldDef> = {
  segment: { type: 'string', label: 'RFM segment', sql: 'rfm.segment' },
  recency_score: { type: 'number', label: 'Recency score (1–5)', sql: 'rfm.r' },
  frequency_score: { type: 'number', label: 'Frequency score (1–5)', sql: 'rfm.f' },
  monetary_score: { type: 'number', label: 'Monetary score (1–5)', sql: 'rfm.m' },
};

/** What the editor shows: every field, its type and the operators it takes. */
export function fieldCatalog(): Record<string, { name: string; type: FieldType; label: string; operators: readonly Operator[] }[]> {
  const list = (fields: Record<string, FieldDef>) => Object.entries(fields).map(([name, def]) => ({
    name, type: def.type, label: def.label,
    operators: operatorsByType[def.type].filter((op) => op !== 'top_percent' || def.rankable),
  }));
  return { profile: list(profileFields), orders: list(orderMetrics), prediction: list(predictionFields), rfm: list(rfmFields) };
}
