import type { Condition, FieldCatalog, FieldInfo, Operator } from '../api/segment-types';
import { minorDigits } from './format';

const kindLabels: Record<string, string> = { profile: 'Profile', orders: 'Orders', prediction: 'Prediction', rfm: 'RFM' };
const opLabels: Record<string, string> = {
  eq: 'is', neq: 'is not', gt: 'more than', gte: 'at least', lt: 'less than', lte: 'at most', between: 'between', in: 'is one of', not_in: 'is none of',
  contains: 'contains', not_contains: 'does not contain', starts_with: 'starts with', is_set: 'is known', is_not_set: 'is unknown', before: 'before', after: 'after',
  within_last_days: 'within the last … days', more_than_days_ago: 'more than … days ago', within_next_days: 'within the next … days', top_percent: 'in the top … %',
};
const noValue = new Set(['is_set', 'is_not_set']);
const dayOps = new Set(['within_last_days', 'more_than_days_ago', 'within_next_days', 'top_percent']);

/**
 * The condition a new segment starts from, complete so it counts at once: "Orders at least 2"
 * (customers who came back), else the first field that needs no value ("is known").
 */
export function defaultCondition(catalog: FieldCatalog): Condition | undefined {
  if (catalog.orders?.some((f) => f.name === 'count' && f.operators.includes('gte'))) return { kind: 'orders', field: 'count', op: 'gte', value: 2 };
  for (const kind of ['orders', 'profile'] as const) {
    const field = catalog[kind]?.find((f) => f.operators.includes('is_set'));
    if (field) return { kind, field: field.name, op: 'is_set' };
  }
  return undefined;
}

export function fieldOf(catalog: FieldCatalog, c: Condition): FieldInfo | undefined {
  return catalog[c.kind]?.find((f) => f.name === c.field);
}

/** A condition as the API's rule leaf; money typed in major units is sent in minor units. */
export function toRule(c: Condition, field: FieldInfo | undefined, currency: string): Record<string, unknown> {
  const key = c.kind === 'orders' ? 'metric' : 'field';
  const leaf: Record<string, unknown> = { kind: c.kind, [key]: c.field, op: c.op };
  if (noValue.has(c.op)) return leaf;
  let value = c.value;
  if (field?.type === 'money' && typeof value === 'number' && !dayOps.has(c.op)) value = Math.round(value * 10 ** minorDigits(currency));
  if (c.op === 'in' || c.op === 'not_in') value = String(c.value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  leaf.value = value;
  return leaf;
}

function parseValue(text: string, field: FieldInfo | undefined, op: string): Condition['value'] {
  if (field?.type === 'boolean') return text === 'true';
  if (field?.type === 'number' || field?.type === 'money' || dayOps.has(op)) return text === '' ? undefined : Number(text);
  return text;
}

export function RuleBuilder({ catalog, match, conditions, onChange, onMatch }: { catalog: FieldCatalog; match: 'all' | 'any'; conditions: Condition[]; onChange: (c: Condition[]) => void; onMatch: (m: 'all' | 'any') => void }) {
  const update = (index: number, patch: Partial<Condition>) => onChange(conditions.map((c, i) => (i === index ? { ...c, ...patch } : c)));
  const add = () => {
    const next = defaultCondition(catalog);
    if (next) onChange([...conditions, next]);
  };
  return (
    <div className="stack" style={{ gap: 10 }}>
      <div className="row">
        Customers matching
        <select aria-label="Match" value={match} onChange={(e) => onMatch(e.target.value as 'all' | 'any')}>
          <option value="all">all</option>
          <option value="any">any</option>
        </select>
        of these conditions:
      </div>
      {conditions.map((c, index) => {
        const field = fieldOf(catalog, c);
        return (
          <div className="row" key={index} role="group" aria-label={`Condition ${index + 1}`}>
            <select aria-label="Kind" value={c.kind} onChange={(e) => {
              const kind = e.target.value as Condition['kind'];
              const f = catalog[kind]?.[0];
              update(index, { kind, field: f?.name ?? '', op: f?.operators[0] ?? 'eq', value: undefined });
            }}>
              {Object.keys(catalog).map((kind) => <option key={kind} value={kind}>{kindLabels[kind] ?? kind}</option>)}
            </select>
            <select aria-label="Field" name={`field-${index}`} value={c.field} onChange={(e) => {
              const f = catalog[c.kind]?.find((x) => x.name === e.target.value);
              update(index, { field: e.target.value, op: f?.operators.includes(c.op) ? c.op : f?.operators[0] ?? 'eq', value: undefined });
            }}>
              {(catalog[c.kind] ?? []).map((f) => <option key={f.name} value={f.name}>{f.label}</option>)}
            </select>
            <select aria-label="Operator" name={`op-${index}`} value={c.op} onChange={(e) => update(index, { op: e.target.value as Operator })}>
              {(field?.operators ?? []).map((op) => <option key={op} value={op}>{opLabels[op] ?? op}</option>)}
            </select>
            {!noValue.has(c.op) && (field?.type === 'boolean' ? (
              <select aria-label="Value" value={String(c.value ?? 'true')} onChange={(e) => update(index, { value: e.target.value === 'true' })}>
                <option value="true">yes</option>
                <option value="false">no</option>
              </select>
            ) : (
              <input
                aria-label="Value"
                name={`value-${index}`}
                type={field?.type === 'date' && !dayOps.has(c.op) ? 'date' : field?.type === 'number' || field?.type === 'money' || dayOps.has(c.op) ? 'number' : 'text'}
                step="any"
                value={c.value === undefined ? '' : String(c.value)}
                placeholder={field?.type === 'money' && !dayOps.has(c.op) ? 'amount' : c.op === 'in' || c.op === 'not_in' ? 'a, b, c' : ''}
                onChange={(e) => update(index, { value: parseValue(e.target.value, field, c.op) })}
              />
            ))}
            <button type="button" className="link-button" aria-label={`Remove condition ${index + 1}`} onClick={() => onChange(conditions.filter((_, i) => i !== index))}>Remove</button>
          </div>
        );
      })}
      <div><button type="button" className="secondary" onClick={add}>Add condition</button></div>
    </div>
  );
}
