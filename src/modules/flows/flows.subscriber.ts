/**
 * The flows' domain-event subscriber: segment entries and exits, orders and tracked events start
 * runs; tracked events also reach runs waiting for them. Idempotent: a run's enrolment key holds
 * the event id, so an event delivered again enrols nobody twice.
 */
import type { EventSubscriber } from '../domain-events/index.js';
import { triggerEventTypes } from './flow-triggers.js';
import type { FlowsService } from './flows.service.js';

export const FLOWS_SUBSCRIBER = 'flows';

export function flowsSubscriber(flows: FlowsService): EventSubscriber {
  // Every trigger and awaited event is a customer's: events without one start and move nothing.
  return { name: FLOWS_SUBSCRIBER, types: triggerEventTypes, customersOnly: true, handle: (events) => flows.handleEvents(events) };
}
