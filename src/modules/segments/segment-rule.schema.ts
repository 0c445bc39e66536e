/**
 * A segment is data: a rule tree of groups (all / any / not) over leaf conditions. This schema
 * checks the shape; `segment-rule.validate.ts` then checks every field name against the registry
 * and every value against its field's type, naming the path of the bad node.
 */
import { z } from 'zod';

export const operators = [
  'eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'in', 'not_in', 'contains', 'not_contains', 'starts_with',
  'is_set', 'is_not_set', 'before', 'after', 'within_last_days', 'more_than_days_ago', 'within_next_days', 'top_percent',
] as const;
export type Operator = (typeof operators)[number];

const scalar = z.union([z.string().max(500), z.number().finite(), z.boolean()]);
const value = z.union([scalar, z.array(z.union([z.string().max(500), z.number().finite()])).max(500)]).optional();
export type RuleValue = z.infer<typeof value>;

const comparison = { op: z.enum(operators), value };
const windowDays = z.number().int().min(1).max(36_500).optional();
/** Names used inside a JSON path: letters, digits and underscores, so the path is never more than a key lookup. */
export const jsonKey = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be letters, digits or underscores, starting with a letter');

const profileRule = z.object({ kind: z.literal('profile'), field: z.string(), ...comparison }).strict();
const attributeRule = z.object({
  kind: z.literal('attribute'), name: jsonKey, type: z.enum(['string', 'number', 'boolean', 'date']).optional(), ...comparison,
}).strict();
const ordersRule = z.object({ kind: z.literal('orders'), metric: z.string(), within_days: windowDays, ...comparison }).strict();
const discountCodeRule = z.object({
  kind: z.literal('discount_code'), code: z.string().min(1).max(100).optional(), within_days: windowDays,
}).strict();
const purchasedRule = z.object({
  kind: z.literal('purchased'),
  category: z.string().min(1).max(200).optional(),
  product: z.string().min(1).max(200).optional(),
  first_order_only: z.boolean().optional(),
  within_days: windowDays,
}).strict();
const eventRule = z.object({
  kind: z.literal('event'),
  name: z.string().min(1).max(200),
  where: z.array(z.object({ property: jsonKey, op: z.enum(['eq', 'neq', 'contains', 'gt', 'gte', 'lt', 'lte']), value: scalar }).strict()).max(10).optional(),
  count: z.object({ op: z.enum(['gte', 'lte', 'eq']), value: z.number().int().min(0) }).strict().optional(),
  within_days: windowDays,
}).strict();
const rfmRule = z.object({ kind: z.literal('rfm'), field: z.string(), ...comparison }).strict();
const predictionRule = z.object({ kind: z.literal('prediction'), field: z.string(), ...comparison }).strict();
const segmentRule = z.object({ kind: z.literal('segment'), segment_id: z.string().min(1) }).strict();
const personaRule = z.object({ kind: z.literal('persona'), persona_id: z.string().min(1) }).strict();

export type ProfileRule = z.infer<typeof profileRule>;
export type AttributeRule = z.infer<typeof attributeRule>;
export type OrdersRule = z.infer<typeof ordersRule>;
export type DiscountCodeRule = z.infer<typeof discountCodeRule>;
export type PurchasedRule = z.infer<typeof purchasedRule>;
export type EventRule = z.infer<typeof eventRule>;
export type RfmRule = z.infer<typeof rfmRule>;
export type PredictionRule = z.infer<typeof predictionRule>;
export type SegmentRefRule = z.infer<typeof segmentRule>;
export type PersonaRule = z.infer<typeof personaRule>;

export type LeafRule = ProfileRule | AttributeRule | OrdersRule | DiscountCodeRule | PurchasedRule | EventRule | RfmRule
  | PredictionRule | SegmentRefRule | PersonaRule;
export type Rule = LeafRule | { kind: 'all'; rules: Rule[] } | { kind: 'any'; rules: Rule[] } | { kind: 'not'; rule: Rule };

export const ruleSchema: z.ZodType<Rule> = z.lazy(() => z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all'), rules: z.array(ruleSchema).min(1).max(50) }).strict(),
  z.object({ kind: z.literal('any'), rules: z.array(ruleSchema).min(1).max(50) }).strict(),
  z.object({ kind: z.literal('not'), rule: ruleSchema }).strict(),
  profileRule, attributeRule, ordersRule, discountCodeRule, purchasedRule, eventRule, rfmRule, predictionRule, segmentRule, personaRule,
]));

/** Every segment id a rule refers to (not recursive through those segments). */
export function referencedSegments(rule: Rule): string[] {
  switch (rule.kind) {
    case 'all': case 'any': return rule.rules.flatMap(referencedSegments);
    case 'not': return referencedSegments(rule.rule);
    case 'segment': return [rule.segment_id];
    default: return [];
  }
}

/** The path of the first node of a kind (for error details), or undefined. */
export function pathOfKind(rule: Rule, kind: string, path: string): string | undefined {
  if (rule.kind === kind) return path;
  if (rule.kind === 'all' || rule.kind === 'any') {
    for (const [i, child] of rule.rules.entries()) {
      const found = pathOfKind(child, kind, `${path}.rules.${i}`);
      if (found) return found;
    }
  }
  if (rule.kind === 'not') return pathOfKind(rule.rule, kind, `${path}.rule`);
  return undefined;
}
