/**
 * Checks a rule beyond its shape: every field is in the allow-list, every operator fits the
 * field's type, every value fits the operator. Each problem names the path of the bad node
 * (`rule.rules.1.value`) and the reason; a rule with any problem is refused whole.
 */
import { AppError, detailsFromZod, type ErrorDetail } from '../../lib/errors.js';
import { parseInstant } from '../../lib/time.js';
import { operatorsByType, orderMetrics, predictionFields, profileFields, rfmFields, type FieldDef, type FieldType } from './segment-fields.js';
import { rfmSegments } from './segment-rfm.js';
import { ruleSchema, type Operator, type Rule, type RuleValue } from './segment-rule.schema.js';

/** Deeper than any rule a person writes; the recursive checks stay far from the stack's limit. */
const MAX_RULE_DEPTH = 32;

/** How deeply objects and arrays nest in a value, counted without recursion. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_RULE_DEPTH) return deepest;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Parses and checks a rule from untrusted input; throws a 422 naming every bad node. */
export function parseRule(input: unknown, root = 'rule'): Rule {
  // Checked before the recursive schema, which would otherwise exhaust the stack on deep input.
  if (depthOf(input) > MAX_RULE_DEPTH) {
    throw new AppError('validation_failed', 'Invalid segment rule', [{ path: root, reason: `is nested more than ${MAX_RULE_DEPTH} levels deep` }]);
  }
  const parsed = ruleSchema.safeParse(input);
  if (!parsed.success) {
    const details = detailsFromZod(parsed.error.issues).map((d) => ({ path: d.path === '(body)' ? root : `${root}.${d.path}`, reason: d.reason }));
    throw new AppError('validation_failed', 'Invalid segment rule', details);
  }
  const problems = checkRule(parsed.data, root);
  if (problems.length) throw new AppError('validation_failed', 'Invalid segment rule', problems);
  return parsed.data;
}

export function checkRule(rule: Rule, path: string): ErrorDetail[] {
  switch (rule.kind) {
    case 'all': case 'any': return rule.rules.flatMap((child, i) => checkRule(child, `${path}.rules.${i}`));
    case 'not': return checkRule(rule.rule, `${path}.rule`);
    case 'profile': return checkField(profileFields, 'profile field', rule.field, rule.op, rule.value, path);
    case 'orders': return checkField(orderMetrics, 'order metric', rule.metric, rule.op, rule.value, path, 'metric');
    case 'prediction': return checkField(predictionFields, 'prediction field', rule.field, rule.op, rule.value, path);
    case 'rfm': {
      const problems = checkField(rfmFields, 'RFM field', rule.field, rule.op, rule.value, path);
      const names = Array.isArray(rule.value) ? rule.value : [rule.value];
      const unknown = names.filter((n) => typeof n === 'string' && !rfmSegments.includes(n));
      if (!problems.length && rule.field === 'segment' && unknown.length) {
        problems.push({ path: `${path}.value`, reason: `unknown RFM segment ${unknown.map((n) => `"${String(n)}"`).join(', ')}; known: ${rfmSegments.join(', ')}` });
      }
      return problems;
    }
    case 'attribute': {
      const type: FieldType = rule.type ?? inferType(rule.value);
      return checkComparison({ type, label: rule.name, sql: '', rankable: false }, rule.op, rule.value, path);
    }
    case 'purchased':
      return rule.category === undefined && rule.product === undefined && rule.first_order_only !== true
        ? [{ path, reason: 'give a category or a product (or first_order_only)' }] : [];
    case 'event':
      return (rule.where ?? []).flatMap((w, i) => (typeof w.value !== 'number' && ['gt', 'gte', 'lt', 'lte'].includes(w.op)
        ? [{ path: `${path}.where.${i}.value`, reason: `${w.op} compares numbers; got ${typeName(w.value)}` }] : []));
    default: return [];
  }
}

function checkField(fields: Record<string, FieldDef>, what: string, name: string, op: Operator, value: RuleValue, path: string, key = 'field'): ErrorDetail[] {
  const def = Object.hasOwn(fields, name) ? fields[name] : undefined;
  if (!def) return [{ path: `${path}.${key}`, reason: `unknown ${what} "${name}"; known: ${Object.keys(fields).join(', ')}` }];
  return checkComparison(def, op, value, path);
}

function inferType(value: RuleValue): FieldType {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'number' ? 'number' : typeof first === 'boolean' ? 'boolean' : 'string';
}

function typeName(value: unknown): string {
  return Array.isArray(value) ? 'a list' : value === undefined ? 'nothing' : typeof value === 'string' ? `text "${value}"` : `${typeof value} ${String(value)}`;
}

/** Checks an operator and its value against a field of a given type. */
export function checkComparison(def: FieldDef, op: Operator, value: RuleValue, path: string): ErrorDetail[] {
  const allowed = operatorsByType[def.type].filter((o) => o !== 'top_percent' || def.rankable);
  if (!allowed.includes(op)) return [{ path: `${path}.op`, reason: `${op} does not apply to ${def.label} (${def.type}); use one of ${allowed.join(', ')}` }];
  const at = `${path}.value`;
  const bad = (expected: string): ErrorDetail[] => [{ path: at, reason: `${def.label} is ${def.type}: ${op} needs ${expected}, got ${typeName(value)}` }];
  const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const isWhole = (v: unknown): v is number => isNumber(v) && Number.isInteger(v);
  const isDate = (v: unknown) => typeof v === 'string' && parseInstant(v) !== undefined;
  switch (op) {
    case 'is_set': case 'is_not_set': return value === undefined ? [] : bad('no value');
    case 'within_last_days': case 'more_than_days_ago': case 'within_next_days':
      return isWhole(value) && value >= 0 ? [] : bad('a whole number of days');
    case 'top_percent': return isNumber(value) && value > 0 && value <= 100 ? [] : bad('a percentage above 0 and at most 100');
    case 'before': case 'after': return isDate(value) ? [] : bad('an ISO date (YYYY-MM-DD)');
    case 'between':
      if (!Array.isArray(value) || value.length !== 2) return bad('a list of two bounds');
      if (def.type === 'date') return value.every(isDate) ? [] : bad('two ISO dates');
      return value.every(isNumber) ? [] : bad('two numbers');
    case 'in': case 'not_in':
      return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string') ? [] : bad('a non-empty list of texts');
    case 'contains': case 'not_contains': case 'starts_with': return typeof value === 'string' ? [] : bad('a text');
    default: break;
  }
  // eq, neq, gt, gte, lt, lte
  if (def.type === 'string') return typeof value === 'string' && (op === 'eq' || op === 'neq') ? [] : bad('a text');
  if (def.type === 'boolean') return typeof value === 'boolean' ? [] : bad('true or false');
  if (def.type === 'money') return isWhole(value) ? [] : bad('a whole amount in minor units (cents)');
  return isNumber(value) ? [] : bad('a number');
}
