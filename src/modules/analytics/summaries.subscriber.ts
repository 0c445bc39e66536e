/**
 * The report summaries follow the commerce changes: after customers, orders or returns of a store
 * change, its summaries are brought up to date (incrementally, from the watermark plus the
 * customers the events name). Idempotent: a redelivered batch finds nothing new to do.
 */
import type { DomainEventType, StoreChanges, StoreSubscriber } from '../domain-events/index.js';
import type { AnalyticsService } from './analytics.service.js';

const types: readonly DomainEventType[] = [
  'customer.updated', 'order.placed', 'order.updated', 'order.cancelled', 'order.refunded', 'return.created',
];

export const SUMMARIES_SUBSCRIBER = 'summaries';

/**
 * Per store: orders and returns are found from the summaries' own watermark; a customer whose
 * fields changed without an order (their country, say) is named by their customer.updated.
 */
export function summariesSubscriber(analytics: AnalyticsService): StoreSubscriber {
  return {
    name: SUMMARIES_SUBSCRIBER,
    types,
    customerTypes: ['customer.updated'],
    // The summaries read the customer's country (the rest comes from the orders): a consent or
    // name change leaves them as they are.
    customerFields: ['country'],
    async handleStores(changes: StoreChanges[]) {
      for (const change of changes) await analytics.onOrdersWritten(change.storeId, change.customerIds);
    },
  };
}
