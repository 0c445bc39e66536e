/** The events module's public door: what other modules, the HTTP layer, the CLI and the jobs may use. */
export { EventsService } from './events.service.js';
export { type EventTable, type EventType, type IdentityTable } from './events.table.js';
