/**
 * Which changes a segment's rule can read. Most changes can move a customer in or out of any rule
 * (a new customer, an order), but some only reach one kind of condition: an edited profile only
 * the conditions on the fields it changed, an unsubscribe only `accepts_marketing`, a tracked event
 * only event conditions. A span of changes that no data-driven segment can read queues no
 * refresh: during a campaign, one-click unsubscribes no longer recompute segments that never look
 * at consent.
 */
import type { DomainEventType, StoreChanges } from '../domain-events/index.js';
import { profileFields } from './segment-fields.js';
import type { LeafRule, Rule } from './segment-rule.schema.js';

/** The customer columns segment rules read: the profile fields that are columns of the customer row, and the attributes. */
export const segmentCustomerFields: readonly string[] = [
  ...Object.entries(profileFields).flatMap(([name, def]) => def.sql === `c.${name}` ? [name] : []),
  'attributes',
];

const profileField = (...fields: readonly string[]) => (leaf: LeafRule) => leaf.kind === 'profile' && fields.includes(leaf.field);

/** The conditions each change can alter; a change not listed here may alter any condition. */
const reachedBy = (change: Pick<StoreChanges, 'fields'>): Partial<Record<DomainEventType, (leaf: LeafRule) => boolean>> => ({
  // The fields segment rules read that the span's profile edits changed.
  'customer.updated': (leaf) => profileField(...change.fields)(leaf) || (leaf.kind === 'attribute' && change.fields.includes('attributes')),
  // Consent per channel and `accepts_marketing`: only the latter is a segment field.
  'customer.consent_changed': profileField('accepts_marketing'),
  'event.received': (leaf) => leaf.kind === 'event',
  'prediction.band_changed': (leaf) => leaf.kind === 'prediction',
  'ticket.opened': profileField('open_tickets'),
  'ticket.resolved': profileField('open_tickets'),
  'survey.answered': profileField('nps_category'),
  'survey.detractor': profileField('nps_category'),
  'review.submitted': profileField('reviews_written', 'lowest_review_rating'),
});

/** Whether the span's changes can alter who matches `rule` (through the segments it refers to as well). */
export function readsChanges(rule: Rule, segments: ReadonlyMap<string, Rule>, change: Pick<StoreChanges, 'types' | 'fields'>): boolean {
  const reach = reachedBy(change);
  const tests = change.types.map((type) => reach[type]);
  if (tests.some((test) => test === undefined)) return true;
  const seen = new Set<string>();
  const reads = (node: Rule): boolean => {
    switch (node.kind) {
      case 'all': case 'any': return node.rules.some(reads);
      case 'not': return reads(node.rule);
      case 'segment': {
        if (seen.has(node.segment_id)) return false;
        seen.add(node.segment_id);
        const referenced = segments.get(node.segment_id);
        // A segment that cannot be found: assume it reads the change.
        return referenced === undefined || reads(referenced);
      }
      default: return tests.some((test) => test!(node));
    }
  };
  return reads(rule);
}
