/** Segments: rules, previews, saved segments and personas, as the server's schemas define them. */
export type {
  CustomerProfile, FieldCatalog, FieldInfo, FieldType, Operator, Persona, PersonaList, PersonaRunInfo, Preview, Segment, SegmentRule as Rule, SegmentSize as SizePoint, TimelineItem,
} from '../../../src/http/schemas/segments.schemas';

import type { Operator } from '../../../src/http/schemas/segments.schemas';

/** One leaf condition as the rule builder edits it. */
export interface Condition {
  kind: 'profile' | 'orders' | 'prediction' | 'rfm';
  field: string;
  op: Operator;
  value?: string | number | boolean | (string | number)[];
}
