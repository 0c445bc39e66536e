/**
 * Segments follow every change their rules can read — customers, orders, returns, tracked events,
 * predictions, support tickets, survey answers and reviews — after the summaries have caught up with the same events (segments read them).
 * A change queues one refresh job per store (deduplicated while queued), so a burst costs one run;
 * changes none of the store's segments can read (an unsubscribe, when no rule reads consent) queue none.
 */
import type { DomainEventType, StoreChanges, StoreSubscriber } from '../domain-events/index.js';
import { segmentCustomerFields } from './segment-changes.js';
import type { SegmentsService } from './segments.service.js';

const types: readonly DomainEventType[] = [
  'customer.created', 'customer.updated', 'customer.consent_changed',
  'order.placed', 'order.updated', 'order.cancelled', 'order.refunded', 'return.created',
  'event.received', 'prediction.band_changed',
  'ticket.opened', 'ticket.resolved', 'survey.detractor', 'survey.answered', 'review.submitted',
];

export function segmentsSubscriber(segments: SegmentsService, after: readonly string[]): StoreSubscriber {
  return {
    name: 'segments',
    types,
    // A profile edit that changed no field a rule can read (only the consent dates) passes by.
    customerFields: segmentCustomerFields,
    after,
    async handleStores(changes: StoreChanges[]) {
      for (const change of changes) await segments.onDataChanged(change.storeId, change);
    },
  };
}
