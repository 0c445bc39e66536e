/**
 * Reading tracked events: a customer's timeline (for the customer profile) and the lookups the
 * ingest pipeline needs to attach events to customers.
 */
import type { Db } from '../../db/database.js';
import * as repo from './events.repository.js';

export type { TimelineEvent } from './events.repository.js';

export class EventsService {
  constructor(private readonly read: Db) {}

  /** The customer's events, newest first, including anonymous browsing linked to them. */
  timelineOf(storeId: string, customerId: number, options: { limit?: number; before?: Date } = {}): Promise<repo.TimelineEvent[]> {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    return repo.timeline(this.read, storeId, customerId, { limit, before: options.before });
  }

  customerIdsByExternalId(storeId: string, externalIds: string[]): Promise<Map<string, number>> {
    return repo.customerIdsByExternalId(this.read, storeId, externalIds);
  }

  customerIdsByAnonymousId(storeId: string, anonymousIds: string[]): Promise<Map<string, number>> {
    return repo.customerIdsByAnonymousId(this.read, storeId, anonymousIds);
  }

  count(storeId: string): Promise<number> {
    return repo.countEvents(this.read, storeId);
  }
}
