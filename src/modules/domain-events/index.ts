/**
 * Domain events: the outbox every writer records its committed changes in, and the dispatcher
 * that delivers them to subscribers (summaries, segments; later flows, loyalty, reviews).
 * Catalogue and payloads: `docs/events.md`.
 */
export { domainEventTypes, entityOf, type DomainEvent, type DomainEventPayloads, type DomainEventType, type NewDomainEvent } from './domain-events.catalogue.js';
export type { DomainEventTable, EventSubscriptionTable } from './domain-events.table.js';
export { lastEventId, readEvents, recordEvents, type StoreChanges } from './domain-events.repository.js';
export { changedFields, insertDomainEvents, isoTime, jsonPayload } from './domain-events.sql.js';
export { Dispatcher, type DispatcherOptions, type EventSubscriber, type LagListener, type StoreSubscriber, type Subscriber } from './dispatcher.js';
