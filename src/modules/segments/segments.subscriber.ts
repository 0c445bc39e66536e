/**
 * Segments follow every change their rules can read — customers, orders, returns, tracked events
 * and predictions — after the summaries have caught up with the same events (segments read them).
 * A change queues one refresh job per store (deduplicated while queued), so a burst costs one run.
 */
import type { DomainEvent, DomainEventType, Subscriber } from '../domain-events/index.js';
import type { SegmentsService } from './segments.service.js';

const types: readonly DomainEventType[] = [
  'customer.created', 'customer.updated', 'customer.consent_changed',
  'order.placed', 'order.updated', 'order.cancelled', 'order.refunded', 'return.created',
  'event.received', 'prediction.band_changed',
];

export function segmentsSubscriber(segments: SegmentsService, after: readonly string[]): Subscriber {
  return {
    name: 'segments',
    types,
    after,
    async handle(events: DomainEvent[]) {
      for (const storeId of new Set(events.map((event) => event.storeId))) await segments.onDataChanged(storeId);
    },
  };
}
