/** Segments: rules, previews, saved segments and personas. */

export type FieldType = 'string' | 'number' | 'money' | 'boolean' | 'date' | 'list';

export interface FieldInfo {
  name: string;
  type: FieldType;
  label: string;
  operators: string[];
}

/** Field groups by rule kind: profile, orders, prediction, rfm. */
export type FieldCatalog = Record<string, FieldInfo[]>;

export interface Condition {
  kind: 'profile' | 'orders' | 'prediction' | 'rfm';
  field: string;
  op: string;
  value?: string | number | boolean | (string | number)[];
}

export type Rule = { kind: 'all' | 'any'; rules: unknown[] };

export interface Preview {
  count: number;
  sample: { id: number; external_id: string | null; email: string | null; name: string; country: string | null }[];
  took_ms: number;
}

export interface Segment {
  id: string;
  name: string;
  description: string | null;
  builtin_key: string | null;
  member_count: number;
  refreshed_at: string | null;
  created_at: string;
}

export interface SizePoint {
  day: string;
  size: number;
}

export interface Persona {
  id: string;
  name: string;
  description: string;
  size: number;
  revenue_share: number;
  predicted_clv: number | null;
}
