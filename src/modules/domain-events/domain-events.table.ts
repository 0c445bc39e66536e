/** The outbox (migration 2026-12-01T000000): one row per committed change others may act on. */
export interface DomainEventTable {
  /** From `domain_events_id_seq`, drawn in the writing transaction: grows in commit order. */
  id: number;
  store_id: string;
  type: string;
  /** What changed: customer, order, return, event, segment, prediction, import. */
  entity: string;
  /** The changed row's id in its table (null for changes that are not one row). */
  entity_id: number | null;
  /** Whose change it is; events of one customer are delivered in id order. */
  customer_id: number | null;
  /** JSON text: the type's payload (`docs/events.md`). */
  data: string;
  occurred_at: Date;
}

/** Each subscriber's position: the id of the last event it has handled. */
export interface EventSubscriptionTable {
  name: string;
  position: number;
  updated_at: Date;
}
