/**
 * The support module's public door: tickets (API, Zendesk and Gorgias webhooks, the contact form),
 * the signed order-status page and its deflection count, topic rules and escalation, and the
 * retention of customers by how their contacts were handled (docs/listen.md).
 */
import type { HearthModule } from '../../module.js';

export { SupportService, DEFLECTION_DAYS, helpdesks, SIGNATURE_MAX_AGE_MS, zendeskSignature, type Helpdesk, type SupportDependencies, type WebhookOutcome } from './support.service.js';
export { contactFormSchema, supportSettingsSchema, ticketInputSchema, type SupportSettingsInput, type TicketInput } from './ticket.input.js';
export { ticketChannels, ticketSources, ticketStatuses, type SupportTicketTable, type TicketChannel, type TicketSource, type TicketStatus } from './support.table.js';
export { BUILT_IN_TOPIC_RULES, topicOf, topicRuleSchema, WISMO_TOPIC, type TopicRule } from './ticket-topics.js';
export { readGorgias, readZendesk } from './helpdesk-webhooks.js';
export { ORDER_LINK_DAYS } from './order-status.token.js';
export { MIN_TRANSIT_SAMPLES, orderStages, type OrderStage } from './order-status.view.js';
export { ticketView, type TicketView } from './support.views.js';
export { customerTickets } from './customer-tickets.js';
export { REPEAT_WINDOW_DAYS, repeatedAfter, responseBands, retentionRows, type RetentionRow, type TicketRetention } from './support-retention.js';

export const supportModule: HearthModule = { name: 'support' };
