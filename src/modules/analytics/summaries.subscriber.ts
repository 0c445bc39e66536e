/**
 * The report summaries follow the commerce changes: after customers, orders or returns of a store
 * change, its summaries are brought up to date (incrementally, from the watermark plus the
 * customers the events name). Idempotent: a redelivered batch finds nothing new to do.
 */
import type { DomainEvent, DomainEventType, Subscriber } from '../domain-events/index.js';
import type { AnalyticsService } from './analytics.service.js';

const types: readonly DomainEventType[] = [
  'customer.created', 'customer.updated', 'order.placed', 'order.updated', 'order.cancelled', 'order.refunded', 'return.created',
];

export const SUMMARIES_SUBSCRIBER = 'summaries';

export function summariesSubscriber(analytics: AnalyticsService): Subscriber {
  return {
    name: SUMMARIES_SUBSCRIBER,
    types,
    async handle(events: DomainEvent[]) {
      const customers = new Map<string, Set<number>>();
      for (const event of events) {
        let ids = customers.get(event.storeId);
        if (!ids) customers.set(event.storeId, (ids = new Set()));
        if (event.entity === 'customer' && event.customerId !== null) ids.add(event.customerId);
      }
      for (const [storeId, ids] of customers) await analytics.onOrdersWritten(storeId, [...ids]);
    },
  };
}
